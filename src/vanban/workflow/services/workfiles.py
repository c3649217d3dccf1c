"""Work files (hồ sơ công việc, R12.1): related incoming and outgoing documents of one agency,
with the Decree 30/2020 Phụ lục V metadata. Staff of the agency open files; the file's creator
and the agency's head or delegate correct its metadata, add and remove documents (every change
audited) and close it, after which it is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.core.text import clean_text as _text
from vanban.directory.models import Unit
from vanban.incoming.models import IncomingDocument
from vanban.registry.models import Document, DocumentState
from vanban.workflow import rules, selectors
from vanban.workflow.models import WorkFile, WorkFileItem

OBJECT_TYPE = "workflow.work_file"
MAX_RETENTION_YEARS = 100
MIN_YEAR, MAX_YEAR = 1900, 9999


@dataclass(frozen=True)
class WorkFileInput:
    """The Phụ lục V metadata a person types; ``retention_years`` None is "vĩnh viễn"."""

    notation: str
    title: str
    retention_years: int | None
    start_date: date | None = None
    year: int | None = None
    unit: Unit | None = None
    rights: str = ""
    language: str = "Tiếng Việt"
    page_total: int | None = None
    note: str = ""


def work_file_state(work_file: WorkFile) -> dict[str, Any]:
    """The audited state of a work file."""
    return {"code": work_file.file_code, "title": work_file.title,
            "retention": work_file.retention_text, "rights": work_file.rights,
            "language": work_file.language, "start_date": work_file.start_date.isoformat(),
            "end_date": work_file.end_date.isoformat() if work_file.end_date else None,
            "page_total": work_file.page_total, "note": work_file.note,
            "unit": work_file.unit_id}


def may_manage(actor: Actor | None, work_file: WorkFile) -> bool:
    """The file's creator or the agency's head or delegate."""
    return rules.is_director(actor, work_file.agency_id) or (
        actor is not None and str(actor.pk) == str(work_file.creator_id))


def _cleaned(data: WorkFileInput, *, agency_id: int | None, start: date,
             year: int | None) -> dict[str, Any]:
    """The checked model values of the typed metadata: one set of rules for opening a file and
    for correcting it. ``start`` and ``year`` are used when the input leaves them empty (a
    missing year follows the start date)."""
    notation = _text(data.notation, 20, "số và ký hiệu hồ sơ", "file notation", required=True)
    title = _text(data.title, 500, "tiêu đề hồ sơ", "file title", required=True)
    if data.retention_years is not None and not 0 < data.retention_years <= MAX_RETENTION_YEARS:
        raise ValidationFailed("Thời hạn bảo quản không hợp lệ.", "Invalid retention period.",
                               code="bad_retention")
    if data.unit is not None and data.unit.agency_id != agency_id:
        raise not_found("đơn vị", "Unit")
    if data.page_total is not None and data.page_total < 0:
        raise ValidationFailed("Số tờ không hợp lệ.", "Invalid page count.", code="bad_pages")
    if data.year is not None and not MIN_YEAR <= data.year <= MAX_YEAR:
        raise ValidationFailed("Năm hình thành hồ sơ không hợp lệ.", "Invalid file year.",
                               code="bad_year")
    start = data.start_date or start
    return {
        "notation": notation, "title": title,
        "year": data.year or year or start.year, "retention_years": data.retention_years,
        "rights": _text(data.rights, 30, "chế độ sử dụng", "access regime"), "unit": data.unit,
        "language": _text(data.language, 50, "ngôn ngữ", "language") or "Tiếng Việt",
        "start_date": start, "page_total": data.page_total,
        "note": _text(data.note, 500, "ghi chú", "note")}


def _duplicate(values: dict[str, Any]) -> Conflict:
    notation, year = values["notation"], values["year"]
    return Conflict(f"Đã có hồ sơ số {notation} năm {year}.",
                    f"File {notation} of {year} already exists.", code="duplicate_file")


def work_file_create(*, actor: Actor, data: WorkFileInput) -> WorkFile:
    """Open a work file in the actor's agency."""
    action = "workflow.work_file_create"
    if actor.agency_id is None:
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE)
    values = _cleaned(data, agency_id=actor.agency_id, start=selectors.today(), year=None)
    try:
        with transaction.atomic():
            work_file = WorkFile.objects.create(
                agency_id=actor.agency_id, creator_id=rules.actor_pk(actor),
                creator_name=str(actor)[:150], created_at=clock.now(), **values)
            audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                         object_id=work_file.pk, agency_code=work_file.agency.code,
                         after=work_file_state(work_file))
    except IntegrityError:
        raise _duplicate(values) from None
    return work_file


def work_file_update(*, actor: Actor, work_file: WorkFile, data: WorkFileInput) -> WorkFile:
    """Correct the Phụ lục V metadata of an open file (the creator or the head or delegate);
    the same rules as when opening it, audited with the state before and after (and, readable,
    the fields that changed). An empty start date or year keeps the current one."""
    action = "workflow.work_file_update"
    _require_open_manager(actor, action, work_file)
    values = _cleaned(data, agency_id=work_file.agency_id, start=work_file.start_date,
                      year=work_file.year)
    before = work_file_state(work_file)
    try:
        with transaction.atomic():
            for field, value in values.items():
                setattr(work_file, field, value)
            work_file.save(update_fields=[*values])
            after = work_file_state(work_file)
            audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                         object_id=work_file.pk, agency_code=work_file.agency.code,
                         before=before, after=after,
                         data={"changed": {k: [before[k], v] for k, v in after.items()
                                           if before[k] != v}})
    except IntegrityError:
        work_file.refresh_from_db()
        raise _duplicate(values) from None
    return work_file


def _require_open_manager(actor: Actor, action: str, work_file: WorkFile) -> None:
    if not may_manage(actor, work_file):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE, object_id=work_file.pk,
                            agency_code=work_file.agency.code)
    if work_file.closed:
        raise Conflict("Hồ sơ đã đóng, không sửa được.", "The file is closed (read-only).",
                       code="closed")


def work_file_add(*, actor: Actor, work_file: WorkFile, incoming: IncomingDocument | None = None,
                  document: Document | None = None) -> WorkFileItem:
    """Put an incoming or a registered outgoing document of the same agency in the file."""
    action = "workflow.work_file_add"
    _require_open_manager(actor, action, work_file)
    if (incoming is None) == (document is None):
        raise ValidationFailed("Chọn đúng một văn bản.", "Choose exactly one document.",
                               code="one_document")
    owner = incoming.agency_id if incoming is not None else document.agency_id  # type: ignore[union-attr]
    if owner != work_file.agency_id:
        raise not_found("văn bản", "Document")
    if document is not None and document.state in (DocumentState.DRAFT,
                                                   DocumentState.CANCELLED):
        raise ValidationFailed("Chỉ đưa vào hồ sơ văn bản đi đã cấp số.",
                               "Only numbered outgoing documents go into a file.",
                               code="not_registered")
    try:
        with transaction.atomic():
            item = WorkFileItem.objects.create(work_file=work_file, incoming=incoming,
                                               document=document,
                                               added_by_id=rules.actor_pk(actor),
                                               added_at=clock.now())
            audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                         object_id=work_file.pk, agency_code=work_file.agency.code,
                         data={"item": item.pk, "incoming": item.incoming_id,
                               "document": item.document_id})
    except IntegrityError:
        raise Conflict("Văn bản đã có trong hồ sơ.", "The document is already in the file.",
                       code="already_in_file") from None
    return item


def work_file_remove(*, actor: Actor, item: WorkFileItem, reason: str = "") -> None:
    """Take a document out of an open file (audited with what was removed and why)."""
    action = "workflow.work_file_remove"
    work_file = item.work_file
    _require_open_manager(actor, action, work_file)
    with transaction.atomic():
        data = {"item": item.pk, "incoming": item.incoming_id, "document": item.document_id,
                "added_by": item.added_by_id, "added_at": item.added_at.isoformat(),
                "reason": " ".join(reason.split())[:500]}
        item.delete()
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=work_file.pk, agency_code=work_file.agency.code, data=data)


def work_file_close(*, actor: Actor, work_file: WorkFile, end_date: date | None = None,
                    page_total: int | None = None) -> WorkFile:
    """Close the file (ngày kết thúc): from then on it is read-only."""
    action = "workflow.work_file_close"
    _require_open_manager(actor, action, work_file)
    end = end_date or selectors.today()
    if end < work_file.start_date:
        raise ValidationFailed("Ngày kết thúc trước ngày bắt đầu.",
                               "The end date is before the start date.", code="bad_end")
    with transaction.atomic():
        before = work_file_state(work_file)
        work_file.end_date, work_file.closed_at = end, clock.now()
        work_file.closed_by_id = rules.actor_pk(actor)
        if page_total is not None:
            work_file.page_total = page_total
        work_file.save(update_fields=["end_date", "closed_at", "closed_by", "page_total"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=work_file.pk, agency_code=work_file.agency.code,
                     before=before, after=work_file_state(work_file))
    return work_file
