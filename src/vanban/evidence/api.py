"""REST API of the evidence log (R7.2, R14.3), the same rules as the pages.

* ``GET  /api/v1/evidence/head/``: latest signed tree head, record count, hub certificate.
* ``POST /api/v1/evidence/head/``: sign a head now (province administrator, IT officers).
* ``GET  /api/v1/evidence/deliveries/``: deliveries of the caller's agency found in the log.
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
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from vanban.core.apipaths import id_parameter
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.pathids import is_id
from vanban.core.roles import Actor
from vanban.evidence import selectors, services


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


class DeliveryListView(APIView):
    """Deliveries the caller's agency sent or received, as the log records them."""

    @extend_schema(responses={200: inline_serializer("EvidenceDelivery", {
        "delivery_id": serializers.CharField(), "transmission_id": serializers.CharField(),
        "sender": serializers.CharField(), "recipient": serializers.CharField(),
        "records": serializers.IntegerField(),
        "events": serializers.ListField(child=serializers.DictField())}, many=True)},
        summary="Deliveries of the caller's agency found in the log", tags=["evidence"])
    def get(self, request: Request) -> Response:
        """Own agency only (R1.1)."""
        code = _agency_code(request)
        if code is None:
            raise forbidden()
        return Response([d.as_dict() for d in selectors.deliveries(agency_code=code)])


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
