"""The response bodies of the workflow API, as the OpenAPI schema documents them (issue 15:
the schema describes what each operation returns, not what it reads)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

_S = serializers


def _shape(name: str, fields: dict[str, Any]) -> type[serializers.Serializer[Any]]:
    """A response body's schema class (one class per name, used alone and in lists)."""
    return type(inline_serializer(name, fields))


_LINE_FIELDS: dict[str, Any] = {
    "id": _S.IntegerField(), "assignment_id": _S.IntegerField(),
    "parent_line_id": _S.IntegerField(allow_null=True), "role": _S.CharField(),
    "unit_id": _S.IntegerField(allow_null=True), "user_id": _S.IntegerField(allow_null=True),
    "holder": _S.CharField(), "deadline": _S.DateField(allow_null=True),
    "working_days": _S.IntegerField(allow_null=True),
    "started_at": _S.DateTimeField(allow_null=True), "done_at": _S.DateTimeField(allow_null=True),
    "withdrawn_at": _S.DateTimeField(allow_null=True),
    "withdrawn_by_id": _S.IntegerField(allow_null=True)}
_INCOMING_FIELDS: dict[str, Any] = {
    "id": _S.IntegerField(), "arrival_number": _S.IntegerField(),
    "arrival_date": _S.DateField(allow_null=True), "issuer": _S.CharField(),
    "number": _S.CharField(), "subject": _S.CharField(), "state": _S.CharField(),
    "due_date": _S.DateField(allow_null=True), "completed_at": _S.DateTimeField(allow_null=True),
    "reply_document_id": _S.IntegerField(allow_null=True)}
LINE_OUT = _shape("AssignmentLine", _LINE_FIELDS)
INCOMING_OUT = _shape("WorkIncoming", _INCOMING_FIELDS)
TASKS_OUT = _shape("Task", {**_LINE_FIELDS, "incoming": INCOMING_OUT()})
_OPINION_FIELDS: dict[str, Any] = {
    "id": _S.IntegerField(), "kind": _S.CharField(), "author_id": _S.IntegerField(),
    "author": _S.CharField(), "at": _S.DateTimeField(), "text": _S.CharField(),
    "sha256": _S.CharField(), "corrects": _S.IntegerField(allow_null=True),
    "corrected_by": _S.IntegerField(allow_null=True)}
OPINION_OUT = _shape("OpinionRecord", _OPINION_FIELDS)
WORK_DOCUMENT_OUT = _shape("WorkIncomingDetail", {
    **_INCOMING_FIELDS, "lines": LINE_OUT(many=True), "opinions": OPINION_OUT(many=True)})
_FILE_FIELDS: dict[str, Any] = {
    "id": _S.IntegerField(), "file_code": _S.CharField(), "year": _S.IntegerField(),
    "notation": _S.CharField(), "title": _S.CharField(),
    "retention_years": _S.IntegerField(allow_null=True), "retention": _S.CharField(),
    "rights": _S.CharField(), "creator": _S.CharField(),
    "unit_id": _S.IntegerField(allow_null=True), "language": _S.CharField(),
    "start_date": _S.DateField(allow_null=True), "end_date": _S.DateField(allow_null=True),
    "page_total": _S.IntegerField(allow_null=True), "note": _S.CharField(),
    "closed_at": _S.DateTimeField(allow_null=True)}
WORK_FILE_LIST_OUT = _shape("WorkFileSummary", _FILE_FIELDS)
WORK_FILE_OUT = _shape("WorkFileRecord", {
    **_FILE_FIELDS, "doc_total": _S.IntegerField(),
    "items": _shape("WorkFileItem", {
        "id": _S.IntegerField(), "incoming_id": _S.IntegerField(allow_null=True),
        "document_id": _S.IntegerField(allow_null=True), "added_at": _S.DateTimeField()})(
        many=True)})
