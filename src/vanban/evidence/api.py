"""REST API of the evidence log (R7.2, R14.3), the same rules as the pages.

* ``GET  /api/v1/evidence/head/``: latest signed tree head, record count, hub certificate.
* ``POST /api/v1/evidence/head/``: sign a head now (province administrator, IT officers).
* ``GET  /api/v1/evidence/deliveries/``: deliveries of the caller's agency found in the log, in
  keyset pages like every list (``limit``, ``cursor``; filters ``agency``, ``date_from``,
  ``date_to``).
* ``GET  /api/v1/evidence/deliveries/{id}/bundle/``: the bundle (sender's or recipient's agency).
* ``GET  /api/v1/evidence/consistency/?old=M&new=N``: consistency proof between signed heads.
* ``POST /api/v1/evidence/consistency/check/`` ``{"old_head": {...}}``: prove a kept head is a
  prefix of the latest one.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from vanban.core import apifilters as af
from vanban.core.apipaths import id_parameter
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.pathids import is_id
from vanban.core.roles import Actor
from vanban.evidence import selectors, services
from vanban.evidence.models import EvidenceRecord


def _actor(request: Request) -> Actor:
    return cast(Actor, request.user)


def _agency_code(request: Request) -> str | None:
    code = getattr(getattr(request.user, "agency", None), "code", None)
    return str(code) if code else None


def _status() -> dict[str, Any]:
    status = selectors.log_status()
    head = status.latest_head
    return {"records": status.records, "hub_fingerprint": status.hub_fingerprint,
            "hub_certificate": status.certificate_pem,
            "tree_head": services.head_as_dict(head) if head else None}


class HeadView(APIView):
    """The latest signed tree head; POST signs one now."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, tags=["evidence"])
    def get(self, request: Request) -> Response:
        """Any signed-in user: heads reveal sizes and roots only."""
        return Response(_status())

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT}, tags=["evidence"])
    def post(self, request: Request) -> Response:
        """Province administrator and IT officers."""
        services.tree_head_sign_by(actor=_actor(request))
        return Response(_status(), status=201)


class EventSerializer(serializers.Serializer[dict[str, Any]]):
    """One record of a delivery, in log order."""

    index = serializers.IntegerField(help_text="Số thứ tự lá trong nhật ký / the record's leaf "
                                               "index in the log")
    event = serializers.CharField()
    at = serializers.DateTimeField()


class EvidenceDeliverySerializer(serializers.Serializer[dict[str, Any]]):
    """One delivery as the log records it (the response of the list)."""

    delivery_id = serializers.CharField()
    transmission_id = serializers.CharField()
    sender = serializers.CharField()
    recipient = serializers.CharField()
    records = serializers.IntegerField()
    events = EventSerializer(many=True)


DELIVERY_FILTERS = (
    af.agency_filter("Mã định danh của bên kia (gửi hoặc nhận) / the other party's "
                     "identifier code (sender or recipient)"),
    af.DATE_FROM, af.DATE_TO)


class DeliveryListView(GenericAPIView[EvidenceRecord]):
    """Deliveries the caller's agency sent or received, as the log records them."""

    list_parameters = af.names(DELIVERY_FILTERS)
    page_ordering = "-index"  # the delivery's first record: the latest begun first
    queryset = EvidenceRecord.objects.none()  # schema only: scoped per request

    @extend_schema(responses={200: EvidenceDeliverySerializer(many=True)},
                   parameters=af.parameters(DELIVERY_FILTERS),
                   summary="Deliveries of the caller's agency found in the log, the latest "
                           "begun first", tags=["evidence"])
    def get(self, request: Request) -> Response:
        """Own agency only (R1.1); keyset pages keyed by each delivery's first record, whose
        events are read with the page. ``agency`` is the other party; the dates are the
        local day of the first record."""
        code = _agency_code(request)
        if code is None:
            raise forbidden()
        values = af.read(request.query_params, DELIVERY_FILTERS)
        starts = selectors.party_starts(agency_code=code)
        if other := values.get("agency"):
            starts = starts.with_other_party(other)
        starts = af.narrow(starts, values, {"date_from": "at__date__gte",
                                            "date_to": "at__date__lte"})
        page = self.paginate_queryset(starts) or []
        found = selectors.with_events(page, agency_code=code)
        return self.get_paginated_response([d.as_dict() for d in found])


class BundleView(APIView):
    """One delivery's evidence bundle."""

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT}, tags=["evidence"],
                   parameters=[id_parameter("text", "Mã lần gửi trong nhật ký bằng chứng "
                                            "(delivery_id) / the delivery's id in the "
                                            "evidence log (delivery_id)")])
    def get(self, request: Request, id: str) -> HttpResponse:
        """The bytes exactly as the verifier reads them; 404 for another agency's (R1.1)."""
        data = services.bundle_export(actor=_actor(request),
                                      actor_agency_code=_agency_code(request),
                                      delivery_id=id)
        return HttpResponse(data, content_type="application/json")


class ConsistencyView(APIView):
    """A consistency proof between two signed heads."""

    @extend_schema(parameters=[OpenApiParameter("old", OpenApiTypes.INT, required=True),
                               OpenApiParameter("new", OpenApiTypes.INT)],
                   responses={200: OpenApiTypes.OBJECT}, tags=["evidence"],
                   extensions={"x-may-be-missing": True})  # no signed head of that size
    def get(self, request: Request) -> Response:
        """``new`` omitted: the latest head (signed now if needed)."""
        old_text = request.query_params.get("old", "")
        new_text = request.query_params.get("new", "")
        if not is_id(old_text) or (new_text and not is_id(new_text)):  # bigint-safe (issue 15)
            raise ValidationFailed("Cần kích thước cây cũ (old) và mới (new) là số.",
                                   "old (and optionally new) must be tree sizes.")
        old, new = int(old_text), (int(new_text) if new_text else None)
        return Response(services.consistency_document(old_size=old, new_size=new))


class ConsistencyCheckView(APIView):
    """Check a kept head against the latest one."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   tags=["evidence"])
    def post(self, request: Request) -> Response:
        """Body ``{"old_head": {...}}``; the report says ok or why not."""
        old_head = request.data.get("old_head") if isinstance(request.data, dict) else None
        if not isinstance(old_head, dict):
            raise ValidationFailed("Cần old_head là đầu cây (JSON).",
                                   "old_head must be a tree head object.")
        report = services.consistency_check(old_head=json.loads(json.dumps(old_head)))
        return Response(report.as_dict())


urlpatterns: list[URLPattern] = [
    path("evidence/head/", HeadView.as_view(), name="evidence-head"),
    path("evidence/deliveries/", DeliveryListView.as_view(), name="evidence-deliveries"),
    path("evidence/deliveries/<str:id>/bundle/", BundleView.as_view(),
         name="evidence-bundle"),
    path("evidence/consistency/", ConsistencyView.as_view(), name="evidence-consistency"),
    path("evidence/consistency/check/", ConsistencyCheckView.as_view(),
         name="evidence-consistency-check"),
]


def register(router: BaseRouter) -> None:
    """No viewsets: the routes are plain views in :data:`urlpatterns`."""
