"""REST API of the registry (``/api/v1/documents/``): draft, read, register, upload (multipart),
sign, dispatch plan, mark ready, cancel. Errors are RFC 9457 problems (R3.1 refusals included).
Another agency's document is a 404 (R1.1)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import URLPattern, reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from vanban.core import clock
from vanban.core.apipaths import id_parameter, path_ids
from vanban.core.controlchars import fields_with_control
from vanban.core.errors import NotFound, ValidationFailed, forbidden
from vanban.core.pathids import ID_PATTERN, unknown_parameters
from vanban.core.roles import Actor
from vanban.directory import selectors as directory_selectors
from vanban.directory.models import Agency, Unit
from vanban.registry import selectors, services
from vanban.registry.core.numbering import DOCUMENT_TYPES
from vanban.registry.models import (
    Classification,
    Competence,
    Document,
    DocumentFile,
    DocumentRecipient,
    DocumentState,
    Priority,
)
from vanban.storage.views import blob_response

if TYPE_CHECKING:
    from vanban.accounts.models import User

urlpatterns: list[URLPattern] = []


class PlainTextSerializer(serializers.Serializer[Any]):
    """Refuses control characters in any text of the body (issue 15 §5), as a 400
    ``validation_failed`` naming each field."""

    def validate(self, attrs: Any) -> Any:
        """Every text value, nested ones included."""
        if bad := list(fields_with_control(attrs)):
            raise serializers.ValidationError(
                {name: ["Không được chứa ký tự điều khiển. / Control characters are not "
                        "allowed."] for name in bad})
        return attrs


EARLIEST_YEAR = 1945  # the first documents of the state; nothing here is older


def plausible_date(value: date | None) -> None:
    """A calendar date a document can carry: from 1945 to ten years ahead (a work file dated
    3170 is a typing slip, not a plan); None passes."""
    if value is None:
        return
    latest = clock.now().year + 10
    if not EARLIEST_YEAR <= value.year <= latest:
        raise serializers.ValidationError(
            f"Ngày phải trong khoảng năm {EARLIEST_YEAR}–{latest}. / "
            f"The date must fall in the years {EARLIEST_YEAR}–{latest}.")


def plausible_year(value: int | None) -> None:
    """A year from 1945 to next year (a register or a work file's year)."""
    if value is not None and not EARLIEST_YEAR <= value <= clock.now().year + 1:
        raise serializers.ValidationError(
            f"Năm phải trong khoảng {EARLIEST_YEAR}–{clock.now().year + 1}. / "
            f"The year must be between {EARLIEST_YEAR} and {clock.now().year + 1}.")


class SignConfirmSerializer(serializers.Serializer[Any]):
    """The signer's step-up confirmation (R14.3): one of the three, never stored nor logged."""

    password = serializers.CharField(required=False, allow_blank=True, default="",
                                     trim_whitespace=False, style={"input_type": "password"},
                                     help_text="The signer's own password")
    totp = serializers.CharField(required=False, allow_blank=True, default="", max_length=8,
                                 help_text="A current code of the signer's authenticator")
    pin = serializers.CharField(required=False, allow_blank=True, default="",
                                trim_whitespace=False, style={"input_type": "password"},
                                help_text="The PIN of the agency's signing token (PKCS#11 only)")


def _actor(request: Request) -> Actor:
    return cast(Actor, request.user)


class RecipientSerializer(serializers.Serializer[DocumentRecipient]):
    """A recipient: ``agency_code`` of the directory, or an individual's ``name``."""

    agency_code = serializers.CharField(max_length=35, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    mailbox = serializers.CharField(max_length=254, required=False, allow_blank=True)
    note = serializers.CharField(max_length=100, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=["paper", "electronic"], required=False)


class DocumentInputSerializer(PlainTextSerializer):
    """The fields a draft takes (edXML / Decree 30 metadata names)."""

    type_code = serializers.ChoiceField(choices=[t.code for t in DOCUMENT_TYPES])
    subject = serializers.CharField(max_length=500)
    legal_normative = serializers.BooleanField(required=False, default=False)
    classification = serializers.ChoiceField(choices=Classification.values, required=False,
                                             default=Classification.NORMAL)
    priority = serializers.ChoiceField(choices=Priority.values, required=False,
                                       default=Priority.NORMAL)
    place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    competence = serializers.ChoiceField(choices=Competence.values, required=False, default="",
                                         allow_blank=True)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                     default="")
    full_name = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                      default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None,
                                     validators=[plausible_date])
    unit_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                        default="")
    archive_units = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                          default="VT")
    recipients = RecipientSerializer(many=True, required=False, default=list)


class CancelSerializer(PlainTextSerializer):
    """Why the document is cancelled."""

    reason = serializers.CharField(max_length=500)


@extend_schema_field({"type": "string", "format": "binary"})
class BinaryFileField(serializers.FileField):
    """A file part of a multipart body (documented as binary, which it is)."""


class UploadSerializer(serializers.Serializer[Document]):
    """Multipart: the main document (one PDF, or page images in order) and appendices."""

    main = serializers.ListField(child=BinaryFileField(), min_length=1,
                                 help_text="One PDF, or the page images in order")
    appendices = serializers.ListField(child=BinaryFileField(), required=False,
                                       help_text="PDF appendices (phụ lục), merged after")


_S = serializers
FILE_OUT = inline_serializer("DocumentFile", {
    "id": _S.IntegerField(), "kind": _S.CharField(), "sha256": _S.CharField(),
    "size": _S.IntegerField(), "page_count": _S.IntegerField(),
    "certificate_id": _S.IntegerField(allow_null=True), "uploaded_at": _S.DateTimeField(),
    "url": _S.URLField()})
DOCUMENT_OUT = inline_serializer("Document", {
    **{name: _S.CharField() for name in (
        "state", "type_code", "type_name", "subject", "place", "priority", "classification",
        "competence", "position", "full_name", "description", "archive_units", "code_notation",
        "agency_code", "number", "recipients_block")},
    "id": _S.IntegerField(), "legal_normative": _S.BooleanField(),
    "due_date": _S.DateField(allow_null=True), "issued_date": _S.DateField(allow_null=True),
    "page_amount": _S.IntegerField(allow_null=True),
    "code_number": _S.IntegerField(allow_null=True),
    "register": inline_serializer("RegisterRef", {
        "year": _S.IntegerField(), "series": _S.CharField()}, allow_null=True),
    "recipients": inline_serializer("DocumentRecipient", {
        name: _S.CharField() for name in ("agency_code", "name", "address", "mailbox", "note",
                                          "role")}, many=True),
    "files": inline_serializer("DocumentFileRef", {
        "id": _S.IntegerField(), "kind": _S.CharField(), "sha256": _S.CharField(),
        "size": _S.IntegerField(), "page_count": _S.IntegerField(),
        "certificate_id": _S.IntegerField(allow_null=True), "uploaded_at": _S.DateTimeField(),
        "url": _S.URLField()}, many=True)})
PLAN_OUT = inline_serializer("DispatchPlan", {
    "recipients": inline_serializer("DispatchPlanRow", {
        "recipient": _S.CharField(), "agency_code": _S.CharField(), "channel": _S.CharField(),
        "paper": _S.BooleanField(), "reasons": _S.ListField(child=_S.CharField())},
        many=True),
    "recipients_block": _S.CharField()})


def _recipients(items: list[dict[str, Any]]) -> list[services.RecipientInput]:
    out = []
    for item in items:
        agency: Agency | None = None
        if code := item.get("agency_code", "").strip():
            try:
                agency = directory_selectors.agency_get(code)
            except NotFound:
                raise ValidationFailed(f"Không có cơ quan mã “{code}”.",
                                       f"No agency with code “{code}”.",
                                       code="unknown_agency") from None
        out.append(services.RecipientInput(
            agency=agency, name=item.get("name", ""), address=item.get("address", ""),
            mailbox=item.get("mailbox", ""), note=item.get("note", ""),
            role=item.get("role", "paper" if agency is None else "electronic")))
    return out


def _values(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    unit_id = values.pop("unit_id", None)
    unit = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id, agency_id=actor.agency_id or 0).first()
        if unit is None:
            raise ValidationFailed("Không có đơn vị này trong cơ quan.",
                                   "No such unit in the agency.", code="bad_unit")
    values["unit"] = unit
    values["recipients"] = _recipients(values.get("recipients", []))
    return values


def file_json(request: Request, document: Document, found: DocumentFile) -> dict[str, Any]:
    """A file record with its download address."""
    path = reverse("document-file", args=[document.pk, found.pk])
    return {"id": found.pk, "kind": found.kind, "sha256": found.sha256, "size": found.size,
            "page_count": found.page_count, "certificate_id": found.certificate_id,
            "uploaded_at": found.uploaded_at, "url": request.build_absolute_uri(path)}


def document_json(request: Request, document: Document,
                  parts: selectors.DocumentParts | None = None) -> dict[str, Any]:
    """The document as integrators see it (``parts``: read for a whole page, or here)."""
    fields = ("id", "state", "type_code", "type_name", "legal_normative", "subject", "place",
              "priority", "classification", "competence", "position", "full_name", "due_date",
              "description", "archive_units", "page_amount", "code_number", "code_notation",
              "issued_date")
    body: dict[str, Any] = {f: getattr(document, f) for f in fields}
    body["agency_code"] = document.agency.code
    body["number"] = document.number_text
    body["register"] = ({"year": document.register.year, "series": document.register.series}
                        if document.register is not None else None)
    recipients = (parts.recipients if parts is not None
                  else list(selectors.recipients_of(document)))
    files = parts.files if parts is not None else list(selectors.files_of(document))
    body["recipients"] = [
        {"agency_code": r.agency.code if r.agency else "", "name": r.display_name,
         "address": r.address, "mailbox": r.mailbox, "note": r.note, "role": r.role}
        for r in recipients]
    body["files"] = [file_json(request, document, f) for f in files]
    body["recipients_block"] = selectors.recipients_block_text(document, recipients)
    return body


_LIST_FILTERS = [
    OpenApiParameter("q", str, description="Words of the number, notation, subject or signer"),
    OpenApiParameter("state", str, enum=DocumentState.values),
    OpenApiParameter("year", int, description="Year of issue (of drafting, for drafts)"),
    OpenApiParameter("type_code", str, enum=[t.code for t in DOCUMENT_TYPES]),
]
_KNOWN_FILTERS = frozenset(p.name for p in _LIST_FILTERS)


def _bad_filter(name: str) -> ValidationFailed:
    return ValidationFailed(f"Bộ lọc “{name}” không hợp lệ.", f"Invalid filter “{name}”.",
                            code="bad_filter", parameter=name)


def list_filter(params: Any) -> selectors.DocumentFilter:
    """The outgoing list's filters, as on the page; unknown names and values are a 400."""
    if unknown := unknown_parameters(params.keys(), _KNOWN_FILTERS):
        raise _bad_filter(unknown[0])
    state, type_code = params.get("state", ""), params.get("type_code", "")
    year_text = params.get("year", "")
    if state and state not in DocumentState.values:
        raise _bad_filter("state")
    if type_code and type_code not in {t.code for t in DOCUMENT_TYPES}:
        raise _bad_filter("type_code")
    if year_text and not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        raise _bad_filter("year")
    return selectors.DocumentFilter(text=params.get("q", "")[:200], state=state,
                                    year=int(year_text) if year_text else None,
                                    type_code=type_code)


@extend_schema_view(
    list=extend_schema(summary="Outgoing documents, newest first", responses=DOCUMENT_OUT,
                       parameters=_LIST_FILTERS),
    retrieve=extend_schema(summary="One document", responses=DOCUMENT_OUT),
    create=extend_schema(summary="Draft a document", responses={201: DOCUMENT_OUT},
                         examples=[OpenApiExample(
                             "Công văn gửi hai cơ quan và một cá nhân", request_only=True,
                             value={"type_code": "cong_van",
                                    "subject": "V/v triển khai chữ ký số năm 2027",
                                    "priority": "normal", "position": "Giám đốc",
                                    "full_name": "Nguyễn Văn A", "due_date": "2027-01-15",
                                    "recipients": [
                                        {"agency_code": "000.00.02.H99", "note": "(t/h)"},
                                        {"agency_code": "000.00.03.H99"},
                                        {"name": "Ông Hoàng Văn E", "role": "paper",
                                         "address": "Số 1 Lê Lợi, Bắc Giang"}]})]),
    update=extend_schema(summary="Replace a draft", responses=DOCUMENT_OUT),
    register=extend_schema(summary="Give the document its number (clerk)", request=None,
                           responses=DOCUMENT_OUT),
    upload=extend_schema(summary="Upload the main file and appendices (multipart)",
                         request={"multipart/form-data": UploadSerializer},
                         responses={201: FILE_OUT}),
    file=extend_schema(summary="A file's bytes (PDF; audited)",
                       responses={(200, "application/pdf"): bytes}),
    plan=extend_schema(summary="Dispatch plan per recipient (R3.2)", responses=PLAN_OUT),
    mark_ready=extend_schema(summary="Mark ready to send", request=None, responses=DOCUMENT_OUT),
    cancel=extend_schema(summary="Cancel (the number stays taken)", request=CancelSerializer,
                         responses=DOCUMENT_OUT, examples=[OpenApiExample(
                             "Lý do hủy / reason", request_only=True,
                             value={"reason": "Sai trích yếu, ban hành văn bản thay thế"})]))
@path_ids(
    id_parameter("number", "Mã số của văn bản đi / the outgoing document's number"),
    id_parameter("number", "Mã số của tệp của văn bản / the document file's number",
                 name="file_id"))
class DocumentViewSet(viewsets.GenericViewSet[Document]):
    """Outgoing documents of the caller's agency."""

    lookup_value_regex = ID_PATTERN

    serializer_class = DocumentInputSerializer
    # JSON only: a form body cannot carry the nested ``recipients`` and would drop them
    # silently (issue 15 §5); a form is a 415 problem. Uploads are multipart (their action).
    parser_classes = (JSONParser,)
    list_parameters = _KNOWN_FILTERS
    queryset = Document.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> QuerySet[Document]:
        """The caller's agency's documents."""
        return selectors.documents_of(_actor(self.request))

    def _document(self, pk: str) -> Document:
        return selectors.document_get(_actor(self.request), int(pk) if pk.isdigit() else 0)

    def list(self, request: Request) -> Response:
        """Documents, newest first (paginated), narrowed by the page's filters and read as the
        page reads them (``selectors.documents_list``: the rare words' ids or the agency's key
        range on PostgreSQL, issue 13)."""
        documents = selectors.documents_list(_actor(request), list_filter(request.query_params))
        page = list(self.paginate_queryset(documents) or [])
        parts = selectors.document_parts(page)
        return self.get_paginated_response([document_json(request, d, parts[d.pk])
                                            for d in page])

    def retrieve(self, request: Request, pk: str) -> Response:
        """One document with its recipients, files and recipients block."""
        return Response(document_json(request, self._document(pk)))

    def create(self, request: Request) -> Response:
        """A new draft in the caller's agency."""
        actor = _actor(request)
        agency = getattr(request.user, "agency", None)
        if agency is None:
            raise forbidden()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_create(actor=actor, agency=agency,
                                            **_values(actor, dict(serializer.validated_data)))
        return Response(document_json(request, document), status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        """Replace a draft (all fields and recipients)."""
        actor = _actor(request)
        document = self._document(pk)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_update(actor=actor, document=document,
                                            **_values(actor, dict(serializer.validated_data)))
        return Response(document_json(request, document))

    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str) -> Response:
        """Give the document its number (clerk)."""
        document = services.document_register(actor=_actor(request),
                                              document=self._document(pk))
        return Response(document_json(request, document))

    @action(detail=True, methods=["post"], parser_classes=(MultiPartParser, FormParser))
    def upload(self, request: Request, pk: str) -> Response:
        """Multipart: ``main`` (one PDF, or page images) and ``appendices`` (R15.2)."""
        document = self._document(pk)
        main = request.FILES.getlist("main")
        found = services.document_upload(
            actor=_actor(request), document=document, main=[f.read() for f in main],
            appendices=[f.read() for f in request.FILES.getlist("appendices")],
            filename=(main[0].name or "") if main else "")
        return Response(file_json(request, document, found), status=status.HTTP_201_CREATED)

    @extend_schema(request=SignConfirmSerializer, summary="Sign with the agency certificate",
                   responses={201: FILE_OUT},
                   description="R9.1, R14.3: the clerk confirms with a step-up: ``password``, "
                   "``totp`` (a code of the clerk's authenticator) or, when the agency's key is "
                   "on a PKCS#11 token, ``pin``. Without a valid confirmation: 403 "
                   "``stepup_required`` / ``stepup_failed``; wrong ones count towards lockout.")
    @action(detail=True, methods=["post"], parser_classes=(JSONParser, FormParser))
    def sign(self, request: Request, pk: str) -> Response:
        """R9.1, R14.3: sign the file with the agency's certificate (clerk, after a step-up)."""
        document = self._document(pk)
        body = SignConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        confirmation = services.document_sign_confirm(
            user=cast("User", request.user), document=document,
            password=body.validated_data["password"], totp=body.validated_data["totp"],
            pin=body.validated_data["pin"], ip=request.META.get("REMOTE_ADDR", ""))
        found = services.document_sign(actor=_actor(request), document=document,
                                       confirmation=confirmation)
        return Response(file_json(request, document, found), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path=rf"files/(?P<file_id>{ID_PATTERN})",
            url_name="file")
    def file(self, request: Request, pk: str, file_id: str) -> HttpResponse:
        """A file's bytes (PDF), verified against its SHA-256 on read; audited (R16.2)."""
        found = selectors.file_get(_actor(request), int(pk) if pk.isdigit() else 0, int(file_id))
        return blob_response(request, sha256=found.sha256, filename=f"{found.sha256}.pdf",
                             object_type="registry.document", object_id=found.document_id,
                             agency_code=found.document.agency.code)

    @action(detail=True, methods=["get"])
    def plan(self, request: Request, pk: str) -> Response:
        """R3.2: channel and paper decision per recipient; R6.1 block."""
        document = self._document(pk)
        rows = [{"recipient": r.recipient.display_name,
                 "agency_code": r.recipient.agency.code if r.recipient.agency else "",
                 "channel": r.channel.value, "paper": r.paper,
                 "reasons": [x.value for x in r.reasons]}
                for r in selectors.dispatch_plan(document)]
        return Response({"recipients": rows,
                         "recipients_block": selectors.recipients_block_text(document)})

    @action(detail=True, methods=["post"], url_path="mark-ready")
    def mark_ready(self, request: Request, pk: str) -> Response:
        """The document may now be sent (R3.1 refuses classified ones)."""
        document = services.document_mark_ready(actor=_actor(request),
                                                document=self._document(pk))
        return Response(document_json(request, document))

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel; the number stays taken. Body: ``{"reason": "…"}``."""
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_cancel(actor=_actor(request), document=self._document(pk),
                                            reason=serializer.validated_data["reason"])
        return Response(document_json(request, document))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("documents", DocumentViewSet, basename="document")
