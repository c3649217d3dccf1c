"""REST API of the incoming register (``/api/v1/incoming/…``): the clerk's inbox with each
delivery's verification (R4.2, R4.3), registering (R5.1, R10.1) or rejecting a delivery,
registering a paper document, and the register itself. Errors are RFC 9457 problems; another
agency's objects are 404 (R1.1)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.urls import URLPattern
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from vanban.core import apifilters as af
from vanban.core import clock
from vanban.core.apipaths import LOOKUP_URL_KWARG, id_parameter, path_ids
from vanban.core.errors import ValidationFailed, forbidden, not_found
from vanban.core.pathids import ID_PATTERN, UUID_PATTERN
from vanban.core.roles import Actor
from vanban.directory.models import Agency, Unit
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import readable_file
from vanban.incoming import policy, selectors, services
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.incoming.services.common import SERIES
from vanban.registry.api import BinaryFileField, PlainTextSerializer, plausible_date
from vanban.registry.models import Classification, Priority, Register
from vanban.signatures.models import Verification
from vanban.storage.views import blob_response

urlpatterns: list[URLPattern] = []


def _actor(request: Request) -> Actor:
    return cast(Actor, request.user)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def verification_json(verification: Verification | None) -> dict[str, Any] | None:
    """The verdict and every check (code, status, vi, en, detail) in order (R4.3), with the
    channel the verified copy came through (and the peer, for a federated one: ADR 0011)."""
    if verification is None:
        return None
    return {"id": verification.pk, "verdict": verification.verdict,
            "valid": verification.valid, "sha256": verification.sha256,
            "path": verification.path, "channel": verification.channel,
            "peer": verification.peer, "signer_subject": verification.signer_subject,
            "signed_at": _time(verification.signed_at),
            "signed_at_source": verification.signed_at_source,
            "page_count": verification.page_count,
            "verified_at": _time(verification.verified_at), "checks": verification.checks}


def delivery_json(delivery: Delivery, verification: Verification | None) -> dict[str, Any]:
    """An arrived delivery as the receiving clerk sees it."""
    transmission = delivery.transmission
    return {"id": str(delivery.uid), "state": delivery.state, "reason": delivery.reason,
            "channel": delivery.channel, "sender_code": transmission.sender.code,
            "sender_name": transmission.sender.name,
            "number": transmission.number_text, "subject": transmission.subject,
            "type_name": transmission.type_name,
            "issued_date": _time(transmission.issued_date),
            "sha256": transmission.file_sha256, "received_at": _time(delivery.received_at),
            "verification": verification_json(verification)}


def entry_json(entry: IncomingDocument) -> dict[str, Any]:
    """One line of the incoming register (Decree 30/2020 columns)."""
    return {
        "id": entry.pk, "year": entry.register.year, "arrival_number": entry.arrival_number,
        "arrival_date": _time(entry.arrival_date), "source": entry.source,
        "delivery_id": str(entry.delivery.uid) if entry.delivery_id and entry.delivery else None,
        "issuer_code": entry.issuer.code if entry.issuer_id and entry.issuer else "",
        "issuer_name": entry.issuer_name, "number": entry.number_text,
        "code_number": entry.code_number, "code_notation": entry.code_notation,
        "issued_date": _time(entry.issued_date), "type_name": entry.type_name,
        "subject": entry.subject, "priority": entry.priority, "due_date": _time(entry.due_date),
        "page_amount": entry.page_amount, "recipient_unit_id": entry.recipient_unit_id,
        "recipient_user_id": entry.recipient_user_id, "note": entry.note,
        "sha256": entry.file_sha256, "duplicate_of": entry.duplicate_of_id,
        "state": entry.state, "registered_by_id": entry.registered_by_id,
        "registered_at": _time(entry.registered_at)}


class RegisterInputSerializer(PlainTextSerializer):
    """To whom the registered document goes (Decree 30 column 7) and a note."""

    recipient_unit_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    recipient_user_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RejectInputSerializer(PlainTextSerializer):
    """Why the delivery is refused (sent back with status 02)."""

    reason = serializers.CharField(max_length=500)


class PaperInputSerializer(PlainTextSerializer):
    """Multipart: ``scan`` (one PDF, or several page images) and the register columns."""

    scan = serializers.ListField(child=BinaryFileField(), min_length=1)
    issuer_code = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                        default="")
    issuer_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        default="")
    code_number = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                        default="")
    code_notation = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                          default="")
    issued_date = serializers.DateField(required=False, allow_null=True, default=None,
                                        validators=[plausible_date])
    type_name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                      default="")
    subject = serializers.CharField(max_length=500)
    priority = serializers.ChoiceField(choices=Priority.values, default=Priority.NORMAL)
    classification = serializers.ChoiceField(choices=Classification.values,
                                             default=Classification.NORMAL)
    due_date = serializers.DateField(required=False, allow_null=True, default=None,
                                     validators=[plausible_date])
    recipient_unit_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    recipient_user_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


_S = serializers


def _shape(name: str, fields: dict[str, Any]) -> type[serializers.Serializer[Any]]:
    """A response body's schema class (one class per name, used alone and in lists)."""
    return type(inline_serializer(name, fields))


def _texts(*names: str) -> dict[str, Any]:
    return {name: _S.CharField() for name in names}


VERIFICATION_OUT = _shape("Verification", {
    **_texts("verdict", "sha256", "path", "channel", "peer", "signer_subject",
             "signed_at_source"),
    "id": _S.IntegerField(), "valid": _S.BooleanField(),
    "signed_at": _S.DateTimeField(allow_null=True), "page_count": _S.IntegerField(allow_null=True),
    "verified_at": _S.DateTimeField(allow_null=True),
    "checks": _S.ListField(child=_S.DictField())})
DELIVERY_OUT = _shape("ArrivedDelivery", {
    **_texts("id", "state", "reason", "channel", "sender_code", "sender_name", "number",
             "subject", "type_name", "sha256"),
    "issued_date": _S.DateField(allow_null=True), "received_at": _S.DateTimeField(allow_null=True),
    "verification": VERIFICATION_OUT(allow_null=True)})
ENTRY_OUT = _shape("IncomingEntry", {
    **_texts("source", "issuer_code", "issuer_name", "number", "code_number", "code_notation",
             "type_name", "subject", "priority", "note", "sha256", "state"),
    "id": _S.IntegerField(), "year": _S.IntegerField(), "arrival_number": _S.IntegerField(),
    "arrival_date": _S.DateField(allow_null=True), "delivery_id": _S.UUIDField(allow_null=True),
    "issued_date": _S.DateField(allow_null=True), "due_date": _S.DateField(allow_null=True),
    "page_amount": _S.IntegerField(allow_null=True),
    "recipient_unit_id": _S.IntegerField(allow_null=True),
    "recipient_user_id": _S.IntegerField(allow_null=True),
    "duplicate_of": _S.IntegerField(allow_null=True),
    "registered_by_id": _S.IntegerField(allow_null=True),
    "registered_at": _S.DateTimeField(allow_null=True)})


def _receivers(actor: Actor, data: dict[str, Any]) -> tuple[Unit | None, Any]:
    agency_id = actor.agency_id or 0
    unit = user = None
    if data.get("recipient_unit_id") is not None:
        unit = Unit.objects.filter(pk=data["recipient_unit_id"], agency_id=agency_id).first()
        if unit is None:
            raise ValidationFailed("Không có đơn vị này trong cơ quan.",
                                   "No such unit in the agency.", code="bad_unit")
    if data.get("recipient_user_id") is not None:
        user = get_user_model().objects.filter(pk=data["recipient_user_id"],
                                               agency_id=agency_id).first()
        if user is None:
            raise ValidationFailed("Không có người nhận này trong cơ quan.",
                                   "No such person in the agency.", code="bad_user")
    return unit, user


WAITING_FILTERS = (af.DATE_FROM, af.DATE_TO,
                   af.agency_filter("Mã định danh nơi gửi / the sender's code"))
WAITING_LOOKUPS = {"date_from": "received_at__date__gte", "date_to": "received_at__date__lte",
                   "agency": "transmission__sender__code"}


@extend_schema_view(
    list=extend_schema(summary="Inbox: deliveries waiting for registration, with verification",
                       responses=DELIVERY_OUT, parameters=af.parameters(WAITING_FILTERS)),
    retrieve=extend_schema(summary="A delivery with every verification check (R4.3)",
                           responses=DELIVERY_OUT))
@path_ids(id_parameter(
    "uuid", "Mã của bản gửi đến / the delivery's uid"))
class IncomingDeliveryViewSet(viewsets.GenericViewSet[Delivery]):
    """Deliveries that arrived for the caller's agency."""

    lookup_value_regex = UUID_PATTERN

    serializer_class = RegisterInputSerializer
    lookup_field = "uid"
    lookup_url_kwarg = LOOKUP_URL_KWARG  # the path says {id} (issue 15 §4)
    list_parameters = af.names(WAITING_FILTERS)
    queryset = Delivery.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        """Waiting deliveries of the caller's agency."""
        return selectors.waiting(_actor(self.request))

    def list(self, request: Request) -> Response:
        """R10.1: what waits. Never an inbox check (R10.2): a script polling the API is not
        the clerk looking at the inbox; only the inbox page records one."""
        rows = af.narrow(self.get_queryset(),  # the keepers' (policy)
                         af.read(request.query_params, WAITING_FILTERS), WAITING_LOOKUPS)
        found_page = self.paginate_queryset(rows)
        page = list(found_page or [])
        found = services.verifications_for(page)
        return self.get_paginated_response([delivery_json(d, found.get(d.pk)) for d in page])

    def retrieve(self, request: Request, id: str) -> Response:
        """The delivery (any state) and its verification, verified now if not yet."""
        delivery = selectors.delivery_get(_actor(request), id)
        return Response(delivery_json(delivery, services.incoming_verify(delivery=delivery)))

    @extend_schema(summary="The delivery's file as received (PDF; register keepers; audited)",
                   responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, id: str) -> HttpResponse:
        """R16.2: the received bytes (until the copy is withdrawn); the download is audited."""
        delivery = selectors.delivery_get(_actor(request), id)
        if not readable_file(delivery):
            raise not_found("tệp", "File")
        return blob_response(request, sha256=delivery.transmission.file_sha256,
                             filename="van-ban-den.pdf", object_type="exchange.delivery",
                             object_id=delivery.uid, agency_code=delivery.recipient.code)

    @extend_schema(request=RegisterInputSerializer, summary="Register (sends status 03)",
                   responses={201: ENTRY_OUT})
    @action(detail=True, methods=["post"])
    def register(self, request: Request, id: str) -> Response:
        """R5.1, R10.1: register a verified delivery (clerk); 201 with the register line."""
        actor = _actor(request)
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit, user = _receivers(actor, dict(data.validated_data))
        delivery = selectors.delivery_get(actor, id)
        entry = services.incoming_register_delivery(
            actor=actor, delivery=delivery, recipient_unit=unit, recipient_user=user,
            note=data.validated_data["note"])
        return Response(entry_json(entry), status=status.HTTP_201_CREATED)

    @extend_schema(request=RejectInputSerializer, summary="Reject with a reason (status 02)",
                   responses=DELIVERY_OUT)
    @action(detail=True, methods=["post"], serializer_class=RejectInputSerializer)
    def reject(self, request: Request, id: str) -> Response:
        """Refuse the delivery (clerk); the bytes and their verification stay."""
        actor = _actor(request)
        data = RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = services.incoming_reject(actor=actor,
                                            delivery=selectors.delivery_get(actor, id),
                                            reason=data.validated_data["reason"])
        return Response(delivery_json(delivery, services.incoming_verify(delivery=delivery)))


REGISTER_FILTERS = (
    af.ListFilter("year", "year", "Năm của sổ (mặc định: năm nay) / register year (default: "
                  "this year)"),
    af.ListFilter("q", "text", "Tìm trong số đến, số, ký hiệu, nơi ban hành, trích yếu / "
                  "words of the arrival number, number, notation, issuer or subject"),
    af.state_filter(IncomingState.values, "Tình trạng xử lý / where the work stands"),
    af.DATE_FROM, af.DATE_TO,
    af.agency_filter("Mã định danh cơ quan ban hành / the issuer's code"),
    af.ListFilter("type", "text", "Loại văn bản (tên) / document type name"))
REGISTER_LOOKUPS = {"state": "state", "date_from": "arrival_date__gte",
                    "date_to": "arrival_date__lte", "agency": "issuer__code",
                    "type": "type_name__iexact"}


@extend_schema_view(list=extend_schema(parameters=af.parameters(REGISTER_FILTERS),
                                       summary="The incoming register, newest first",
                                       responses=ENTRY_OUT),
                    retrieve=extend_schema(summary="One line of the incoming register",
                                           responses=ENTRY_OUT))
@path_ids(id_parameter(
    "number", "Mã số của dòng trong sổ văn bản đến / the register line's number (not its "
    "arrival number)"))
class IncomingEntryViewSet(viewsets.GenericViewSet[IncomingDocument]):
    """The caller agency's incoming register; paper documents are registered here."""

    lookup_value_regex = ID_PATTERN

    serializer_class = PaperInputSerializer
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    page_ordering = "-arrival_number"  # the register's own order (one register a page)
    list_parameters = af.names(REGISTER_FILTERS)
    queryset = IncomingDocument.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        """The incoming documents the caller may see (need-to-know, :mod:`.policy`)."""
        return policy.visible(_actor(self.request))

    def list(self, request: Request) -> Response:
        """One year's register, newest arrival first, narrowed by the page's filters."""
        values = af.read(request.query_params, REGISTER_FILTERS)
        actor = _actor(request)
        rows = selectors.register_rows(actor, year=values.get("year"),
                                       search=values.get("q", "")
                                       ).select_related("issuer", "delivery")  # entry_json's
        # The register named by its id, so a page is a range of the unique (register, arrival
        # number) index, not a sort of the agency's every line (bench: 0.25 s at 100,000).
        year = values.get("year") or clock.local_now().year
        rows = rows.filter(register_id__in=list(Register.objects.filter(
            agency_id=actor.agency_id or 0, year=year, series=SERIES,
            kind=Register.KIND_INCOMING).values_list("pk", flat=True)))
        page = self.paginate_queryset(af.narrow(rows, values, REGISTER_LOOKUPS))
        return self.get_paginated_response([entry_json(e) for e in page or []])

    def retrieve(self, request: Request, pk: str) -> Response:
        """One line."""
        return Response(entry_json(selectors.entry_get(_actor(request),
                                                       int(pk) if pk.isdigit() else 0)))

    @extend_schema(summary="The document's file (PDF; need-to-know; audited)",
                   responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> HttpResponse:
        """R16.2, R16.5: the file of an incoming document the caller may see; audited."""
        entry = selectors.entry_get(_actor(request), int(pk) if pk.isdigit() else 0,
                                    action="incoming.document_download")
        if not entry.file_sha256:
            raise not_found("tệp", "File")
        return blob_response(request, sha256=entry.file_sha256,
                             filename=f"van-ban-den-{entry.arrival_number}.pdf",
                             object_type="incoming.document", object_id=entry.pk,
                             agency_code=entry.agency.code)

    @extend_schema(request={"multipart/form-data": PaperInputSerializer},
                   summary="Register a paper document scanned on arrival",
                   responses={201: ENTRY_OUT})
    def create(self, request: Request) -> Response:
        """R10.1: a paper document in the same register (clerk); 201 with the line."""
        actor = _actor(request)
        if actor.agency_id is None:
            raise forbidden()
        data = PaperInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit, user = _receivers(actor, values)
        issuer = None
        if values["issuer_code"]:
            issuer = Agency.objects.filter(code=values["issuer_code"]).first()
            if issuer is None:
                raise ValidationFailed("Không có cơ quan ban hành này trong danh bạ.",
                                       "No such issuing agency in the directory.",
                                       code="unknown_agency")
        entry = services.incoming_register_paper(
            actor=actor, data=[f.read() for f in values["scan"]], subject=values["subject"],
            issuer=issuer, issuer_name=values["issuer_name"], code_number=values["code_number"],
            code_notation=values["code_notation"], issued_date=values["issued_date"],
            type_name=values["type_name"], priority=values["priority"],
            classification=values["classification"], due_date=values["due_date"],
            recipient_unit=unit, recipient_user=user, note=values["note"])
        return Response(entry_json(entry), status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("incoming/deliveries", IncomingDeliveryViewSet,
                    basename="incoming-delivery")
    router.register("incoming/register", IncomingEntryViewSet, basename="incoming-entry")
