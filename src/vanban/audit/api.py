"""REST API of the audit log (R16.2): read-only, scoped like the viewer.

``GET /api/v1/audit/events/`` (newest first; filters ``action``, ``object_type``, ``object_id``,
``actor``, ``date_from``, ``date_to`` as yyyy-mm-dd or dd/mm/yyyy) and
``GET /api/v1/audit/events/{id}/`` (``id``: the event's ``seq``).
"""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet
from django.urls import URLPattern
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.routers import BaseRouter

from vanban.audit import selectors
from vanban.audit.forms import EventFilterForm
from vanban.audit.models import AuditEvent
from vanban.core.apipaths import LOOKUP_URL_KWARG, id_parameter, path_ids
from vanban.core.errors import ValidationFailed
from vanban.core.pathids import ID_PATTERN
from vanban.core.roles import Actor

urlpatterns: list[URLPattern] = []


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    """One event with every hashed field, so a client can recompute the chain itself."""

    class Meta:
        model = AuditEvent
        fields = ("seq", "at", "actor_id", "actor_username", "agency_code", "action",
                  "object_type", "object_id", "before_digest", "after_digest", "data",
                  "prev_hash", "hash")
        read_only_fields = fields


_FILTERS = [
    OpenApiParameter("action", OpenApiTypes.STR, description="Tiền tố hành động / action prefix"),
    OpenApiParameter("object_type", OpenApiTypes.STR),
    OpenApiParameter("object_id", OpenApiTypes.STR),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Tên đăng nhập / username"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Ngày (giờ Việt Nam) / local day"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Ngày (giờ Việt Nam) / local day"),
]


@path_ids(id_parameter(
    "number", "Số thứ tự của sự kiện trong chuỗi nhật ký (seq) / the event's place in the "
    "log's chain (seq)"))
@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet[AuditEvent]):
    """The audit events the caller may read: all (province administrator) or their agency's."""

    list_parameters = frozenset({"action", "object_type", "object_id", "actor", "date_from",
                                 "date_to"})

    serializer_class = AuditEventSerializer
    lookup_field = "seq"
    lookup_url_kwarg = LOOKUP_URL_KWARG  # the path says {id} (issue 15 §4)
    page_ordering = "-seq"  # newest first, by the chain's own order
    lookup_value_regex = ID_PATTERN
    queryset = AuditEvent.objects.none()  # for the schema; the real one is scoped per request

    def get_queryset(self) -> QuerySet[AuditEvent]:
        """Scoped by the selector; a reader with no right gets 403 (problem details)."""
        agency = getattr(self.request.user, "agency", None)
        code = getattr(agency, "code", None)
        filters = None
        if self.action == "list":
            form = EventFilterForm(self.request.query_params)
            if not form.is_valid():
                raise ValidationFailed("Bộ lọc không hợp lệ.", "Invalid filter.",
                                       errors=form.errors.get_json_data())
            filters = form.to_filter()
        return selectors.events_for(cast(Actor, self.request.user),
                                    actor_agency_code=str(code) if code else None,
                                    filters=filters)


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("audit/events", AuditEventViewSet, basename="audit-event")
