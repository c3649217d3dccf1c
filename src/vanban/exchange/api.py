"""REST API of the hub (``/api/v1/exchange/…``): send a ready document, follow each recipient's
state and times, and, on the recipient side, read the inbox and set statuses. Errors are RFC 9457
problems; another agency's objects are 404 (R1.1)."""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from vanban.core import apifilters as af
from vanban.core.apipaths import LOOKUP_URL_KWARG, id_parameter, path_ids
from vanban.core.errors import ValidationFailed
from vanban.core.pathids import UUID_PATTERN
from vanban.core.roles import Actor
from vanban.exchange import selectors, services
from vanban.exchange.models import Delivery, Transmission
from vanban.registry import selectors as registry_selectors
from vanban.registry.api import PlainTextSerializer

urlpatterns: list[URLPattern] = []


def _actor(request: Request) -> Actor:
    return cast(Actor, request.user)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    """A delivery with its edXML state and the times of R7.1 (ISO 8601, UTC offset)."""
    return {
        "id": str(delivery.uid), "recipient_code": delivery.recipient.code,
        "recipient_name": delivery.recipient.name, "channel": delivery.channel,
        "state": delivery.state, "reason": delivery.reason,
        "sent_at": _time(delivery.sent_at), "received_at": _time(delivery.received_at),
        "acknowledged_at": _time(delivery.acknowledged_at),
        "rejected_at": _time(delivery.rejected_at), "status_at": _time(delivery.status_at),
        "withdrawn_at": _time(delivery.withdrawn_at),
        "mail_sent_at": _time(delivery.mail_sent_at), "bounced_at": _time(delivery.bounced_at),
        "evidence_url": f"/evidence/delivery/{delivery.uid}/bundle.json",
    }


def transmission_json(transmission: Transmission, *, deliveries: bool = True) -> dict[str, Any]:
    """A transmission and (optionally) its deliveries."""
    body: dict[str, Any] = {
        "id": str(transmission.message_id), "document_id": transmission.document_id,
        "edxml_document_id": transmission.edxml_document_id,
        "business_type": transmission.business_type, "subject": transmission.subject,
        "number": transmission.number_text, "sender_code": transmission.sender.code,
        "sha256": transmission.file_sha256, "sent_at": _time(transmission.sent_at),
        "revoked_at": _time(transmission.frozen_at),
    }
    if deliveries:
        body["deliveries"] = [delivery_json(d) for d in selectors.deliveries_of(transmission)]
    return body


class SendSerializer(serializers.Serializer[Transmission]):
    """Which ready document to send."""

    document_id = serializers.IntegerField()


class ReasonSerializer(PlainTextSerializer):
    """A reason (revocation, recall)."""

    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatusSerializer(PlainTextSerializer):
    """A status code (02–06, 15, 16) and its reason."""

    code = serializers.ChoiceField(choices=["02", "03", "04", "05", "06", "15", "16"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


_S = serializers


def _shape(name: str, fields: dict[str, Any]) -> type[serializers.Serializer[Any]]:
    """A response body's schema class (one class per name, used alone and in lists)."""
    return type(inline_serializer(name, fields))


_WHEN = ("sent_at", "received_at", "acknowledged_at", "rejected_at", "status_at",
         "withdrawn_at", "mail_sent_at", "bounced_at")
_DELIVERY_FIELDS: dict[str, Any] = {
    **{name: _S.CharField() for name in ("recipient_code", "recipient_name", "channel",
                                         "state", "reason", "evidence_url")},
    "id": _S.UUIDField(), **{name: _S.DateTimeField(allow_null=True) for name in _WHEN}}
SENT_DELIVERY_OUT = _shape("SentDelivery", _DELIVERY_FIELDS)
INBOX_DELIVERY_OUT = _shape("InboxDelivery", {
    **_DELIVERY_FIELDS, **{name: _S.CharField() for name in ("sender_code", "subject",
                                                             "number", "sha256")}})
_TRANSMISSION_FIELDS: dict[str, Any] = {
    **{name: _S.CharField() for name in ("edxml_document_id", "business_type", "subject",
                                         "number", "sender_code", "sha256")},
    "id": _S.UUIDField(), "document_id": _S.IntegerField(allow_null=True),
    "sent_at": _S.DateTimeField(allow_null=True), "revoked_at": _S.DateTimeField(allow_null=True)}
TRANSMISSION_LIST_OUT = _shape("TransmissionSummary", _TRANSMISSION_FIELDS)
TRANSMISSION_OUT = _shape("Transmission", {**_TRANSMISSION_FIELDS,
                                           "deliveries": SENT_DELIVERY_OUT(many=True)})


TRANSMISSION_FILTERS = (af.DATE_FROM, af.DATE_TO,
                        af.agency_filter("Mã định danh của một nơi nhận / a recipient's code"))
TRANSMISSION_LOOKUPS = {"date_from": "sent_at__date__gte", "date_to": "sent_at__date__lte",
                        "agency": "deliveries__recipient__code"}
DELIVERY_FILTERS = (
    af.state_filter([value for value, _label in Delivery._meta.get_field("state").choices or ()],
                    "Trạng thái của lần gửi / the delivery's state"),
    af.DATE_FROM, af.DATE_TO, af.agency_filter("Mã định danh nơi gửi / the sender's code"))
DELIVERY_LOOKUPS = {"state": "state", "date_from": "received_at__date__gte",
                    "date_to": "received_at__date__lte", "agency": "transmission__sender__code"}


@extend_schema_view(
    list=extend_schema(summary="Sent documents, newest first", responses=TRANSMISSION_LIST_OUT,
                       parameters=af.parameters(TRANSMISSION_FILTERS)),
    retrieve=extend_schema(summary="One transmission with each recipient's state",
                           responses=TRANSMISSION_OUT),
    create=extend_schema(summary="Send a ready document (clerk)", request=SendSerializer,
                         responses={201: TRANSMISSION_OUT}, examples=[OpenApiExample(
                             "Gửi văn bản số 1234 / send document 1234", request_only=True,
                             value={"document_id": 1234})]),
    revoke=extend_schema(summary="Revoke a transmission", request=ReasonSerializer,
                         responses=TRANSMISSION_OUT))
@path_ids(id_parameter(
    "uuid", "Mã thông điệp của lần gửi (message_id) / the transmission's message id"))
class TransmissionViewSet(viewsets.GenericViewSet[Transmission]):
    """Documents the caller's agency sent."""

    lookup_value_regex = UUID_PATTERN

    serializer_class = SendSerializer
    lookup_field = "message_id"
    lookup_url_kwarg = LOOKUP_URL_KWARG  # the path says {id} (issue 15 §4)
    list_parameters = af.names(TRANSMISSION_FILTERS)
    queryset = Transmission.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        return selectors.transmissions_of(_actor(self.request))

    def list(self, request: Request) -> Response:
        """Newest first, without the deliveries; narrowed by the page's filters."""
        values = af.read(request.query_params, TRANSMISSION_FILTERS)
        rows = af.narrow(self.get_queryset(), values, TRANSMISSION_LOOKUPS)
        # One row per transmission, however many of its recipients match the agency.
        page = self.paginate_queryset(rows.distinct() if "agency" in values else rows)
        items = [transmission_json(t, deliveries=False) for t in page or []]
        return self.get_paginated_response(items)

    def retrieve(self, request: Request, id: str) -> Response:
        """One transmission with each recipient's state and times."""
        return Response(transmission_json(selectors.transmission_get(_actor(request),
                                                                     id)))

    def create(self, request: Request) -> Response:
        """Send a ready document (clerk): 201 with the deliveries in state ``sent``."""
        data = SendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = registry_selectors.document_get(_actor(request),
                                                   data.validated_data["document_id"])
        transmission = services.transmission_send(actor=_actor(request), document=document)
        return Response(transmission_json(transmission), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def revoke(self, request: Request, id: str) -> Response:
        """Revoke: sender's copy frozen, recipients' copies withdrawn."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transmission = selectors.transmission_get(_actor(request), id)
        services.transmission_revoke(actor=_actor(request), transmission=transmission,
                                     reason=data.validated_data["reason"])
        return Response(transmission_json(transmission))


@extend_schema_view(
    list=extend_schema(summary="What arrived, newest first", responses=INBOX_DELIVERY_OUT,
                       parameters=af.parameters(DELIVERY_FILTERS)),
    retrieve=extend_schema(summary="One delivery of the inbox", responses=SENT_DELIVERY_OUT),
    status=extend_schema(summary="Send a status (02) or answer a recall (15, 16)",
                         request=StatusSerializer, responses=SENT_DELIVERY_OUT),
    recall=extend_schema(summary="Ask for a delivery back (13)", request=ReasonSerializer,
                         responses=SENT_DELIVERY_OUT))
@path_ids(id_parameter(
    "uuid", "Mã của bản gửi tới một nơi nhận / the delivery's uid"))
class DeliveryViewSet(viewsets.GenericViewSet[Delivery]):
    """The caller agency's inbox; statuses; the sender's recall request."""

    lookup_value_regex = UUID_PATTERN

    serializer_class = StatusSerializer
    lookup_field = "uid"
    lookup_url_kwarg = LOOKUP_URL_KWARG  # the path says {id} (issue 15 §4)
    list_parameters = af.names(DELIVERY_FILTERS)
    queryset = Delivery.objects.none()  # schema only: scoped per request

    def get_queryset(self) -> Any:
        return selectors.inbox_of(_actor(self.request))

    def list(self, request: Request) -> Response:
        """What arrived, newest first, with the sender and the document's subject."""
        rows = af.narrow(self.get_queryset(), af.read(request.query_params, DELIVERY_FILTERS),
                         DELIVERY_LOOKUPS)
        page = self.paginate_queryset(rows)
        items = [{**delivery_json(d), "sender_code": d.transmission.sender.code,
                  "subject": d.transmission.subject, "number": d.transmission.number_text,
                  "sha256": d.transmission.file_sha256} for d in page or []]
        return self.get_paginated_response(items)

    def retrieve(self, request: Request, id: str) -> Response:
        """One delivery of the inbox."""
        return Response(delivery_json(selectors.delivery_for_recipient(_actor(request), id)))

    @action(detail=True, methods=["post"])
    def status(self, request: Request, id: str) -> Response:
        """Set 02 (clerk), 04/05/06 (head, delegate, specialist), or answer a recall; 03 is
        refused: it is sent by registering the delivery (``/api/v1/incoming/…/register/``)."""
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        delivery = selectors.delivery_for_recipient(actor, id)
        code, reason = data.validated_data["code"], data.validated_data["reason"]
        if code == "03":  # accepting is registering (R5.1, R10.1)
            raise ValidationFailed(
                "Không đặt trạng thái 03 trực tiếp: hãy vào sổ văn bản đến "
                f"(POST /api/v1/incoming/deliveries/{id}/register/), trạng thái 03 được gửi "
                "khi vào sổ.",
                "Status 03 is not set directly: register the delivery in the incoming register "
                f"(POST /api/v1/incoming/deliveries/{id}/register/), which sends 03.",
                code="register_instead")
        if code in ("04", "05", "06"):  # progress follows the assignment (R8.1)
            raise ValidationFailed(
                "Không đặt trạng thái 04, 05, 06 trực tiếp: trạng thái được gửi khi phân công, "
                "bắt đầu xử lý và hoàn thành (/api/v1/workflow/incoming/{id}/assign/, start/, "
                "complete/).",
                "Statuses 04, 05 and 06 are not set directly: they are sent when the document "
                "is assigned, started and completed (/api/v1/workflow/incoming/{id}/assign/, "
                "start/, complete/).", code="workflow_instead")
        if code in ("15", "16"):
            delivery = services.delivery_recall_answer(actor=actor, delivery=delivery,
                                                       agree=code == "15", reason=reason)
        else:
            delivery = services.delivery_status_set(actor=actor, delivery=delivery, code=code,
                                                    reason=reason)
        return Response(delivery_json(delivery))

    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def recall(self, request: Request, id: str) -> Response:
        """The sender's clerk asks for the delivery back (13)."""
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actor = _actor(request)
        delivery = selectors.delivery_for_sender(actor, id)
        delivery = services.delivery_recall_request(actor=actor, delivery=delivery,
                                                    reason=data.validated_data["reason"])
        return Response(delivery_json(delivery))


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("exchange/transmissions", TransmissionViewSet,
                    basename="exchange-transmission")
    router.register("exchange/deliveries", DeliveryViewSet, basename="exchange-delivery")
