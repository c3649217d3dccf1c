"""REST API of the directory (R1.1, R20.1).

``/api/v1/agencies/``: the province's address book, readable by every authenticated user; only
the province administrator creates or changes an agency (others get a 403 problem).
``/api/v1/units/``: an agency's units, for its own staff (all units for the province
administrator); another agency's unit is a 404. Errors are RFC 9457 problems.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db.models import QuerySet
from django.urls import URLPattern
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from vanban.core.apipaths import LOOKUP_URL_KWARG, id_parameter, path_ids
from vanban.core.errors import Conflict, NotFound, ValidationFailed, forbidden
from vanban.core.pathids import CODE_PATTERN, ID_PATTERN
from vanban.core.roles import Actor, Role
from vanban.directory import rules, selectors, services
from vanban.directory.codes import normalise_unit_code
from vanban.directory.models import Agency, AgencyKind, Unit

urlpatterns: list[URLPattern] = []


def _actor(request: Request) -> Actor:
    """The authenticated user (IsAuthenticated is the default permission) as an actor."""
    return cast(Actor, request.user)


class AgencySerializer(serializers.Serializer[Agency]):
    """An agency as integrators see it; the same keys as the import file."""

    code = serializers.CharField(max_length=35)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=30)
    parent_code = serializers.CharField(max_length=35, allow_blank=True, required=False)
    mailbox = serializers.CharField(max_length=254, allow_blank=True, required=False)
    kind = serializers.ChoiceField(choices=AgencyKind.choices, required=False)
    connected = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)

    def to_representation(self, instance: Agency) -> dict[str, Any]:
        """The public record (:func:`selectors.agency_as_dict`)."""
        return selectors.agency_as_dict(instance)


class UnitSerializer(serializers.Serializer[Unit]):
    """A unit of an agency."""

    id = serializers.IntegerField(read_only=True)
    agency_code = serializers.CharField(max_length=35)
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=30, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)

    def to_representation(self, instance: Unit) -> dict[str, Any]:
        """Flat record with the agency's code."""
        return {"id": instance.pk, "agency_code": instance.agency.code, "code": instance.code,
                "name": instance.name, "short_name": instance.short_name,
                "active": instance.active}


def _named_agency(code: str, field: str) -> Agency:
    """The agency a request body names; an unknown code is a validation error (400)."""
    try:
        return selectors.agency_get(code)
    except NotFound:
        raise ValidationFailed(f"Không có cơ quan mã “{code}” ({field}).",
                               f"No agency with code “{code}” ({field}).",
                               code="unknown_agency") from None


def _unit_code_free(code: str) -> None:
    """A unit code must not be an agency's identifier code: integrators and the edXML
    addressing would mistake the unit for that agency (issue 15, point 6)."""
    normal = normalise_unit_code(code)
    if Agency.objects.filter(code=normal).exists():
        raise Conflict(f"Mã “{normal}” là mã định danh của một cơ quan, không dùng làm mã đơn vị.",
                       f"“{normal}” is an agency's identifier code; it cannot be a unit code.",
                       code="unit_code_is_agency_code")


def _may_change_units(actor: Actor) -> None:
    """Renaming or deactivating a unit through the API is the province administrator's, unless
    the directory policy ``VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS`` lets agencies' managers do it
    (the assignments and registers of every agency name those units)."""
    if actor.has_role(Role.PROVINCE_ADMIN):
        return
    if not getattr(settings, "VANBAN_DIRECTORY_AGENCIES_EDIT_UNITS", False):
        raise forbidden()


def _parent(data: dict[str, Any]) -> Agency | services.Keep | None:
    """The parent named by ``parent_code`` ("" = root), or KEEP when not given."""
    if "parent_code" not in data:
        return services.KEEP
    code = data["parent_code"].strip()
    return _named_agency(code, "parent_code") if code else None


@path_ids(id_parameter(
    "code", "Mã định danh của cơ quan / the agency's identifier code"))
class AgencyViewSet(viewsets.GenericViewSet[Agency]):
    """Agencies of the province, looked up by identifier code."""

    serializer_class = AgencySerializer
    lookup_field = "code"
    lookup_url_kwarg = LOOKUP_URL_KWARG  # the path says {id} (issue 15 §4)
    lookup_value_regex = CODE_PATTERN
    page_ordering = "code"  # the address book in code order; codes are unique

    def get_queryset(self) -> QuerySet[Agency]:
        """Every agency, in code order."""
        return Agency.objects.select_related("parent").order_by("code")

    def list(self, request: Request) -> Response:
        """The province's address book (paginated)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, id: str) -> Response:
        """One agency by its code (the path's ``id``)."""
        return Response(self.get_serializer(selectors.agency_get(id)).data)

    def create(self, request: Request) -> Response:
        """R20.1: the province administrator adds an agency."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent = _parent(data)
        agency = services.agency_create(
            actor=_actor(request), code=data["code"], name=data["name"],
            short_name=data["short_name"], parent=None if parent is services.KEEP else parent,
            kind=data.get("kind", AgencyKind.OTHER), connected=data.get("connected", True),
            mailbox=data.get("mailbox", ""), active=data.get("active", True))
        return Response(self.get_serializer(agency).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, id: str) -> Response:
        """R20.1: the province administrator changes an agency (the code stays)."""
        agency = selectors.agency_get(id)
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = services.agency_update(
            actor=_actor(request), agency=agency, name=data.get("name"),
            short_name=data.get("short_name"), parent=_parent(data), kind=data.get("kind"),
            connected=data.get("connected"), mailbox=data.get("mailbox"),
            active=data.get("active"))
        return Response(self.get_serializer(agency).data)


@path_ids(id_parameter(
    "number", "Mã số của đơn vị / the unit's number"))
class UnitViewSet(viewsets.GenericViewSet[Unit]):
    """Units the caller may see (R1.1); ``?agency=CODE`` narrows the list."""

    list_parameters = frozenset({"agency"})  # besides limit and cursor
    page_ordering = "pk"  # in the order they were made

    lookup_value_regex = ID_PATTERN

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        """Own agency's units (all for the province administrator)."""
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Unit.objects.none()
        units = selectors.units_visible_to(_actor(self.request))
        if agency := self.request.query_params.get("agency"):
            units = units.filter(agency__code=agency.strip().upper())
        return units

    def list(self, request: Request) -> Response:
        """Visible units (paginated)."""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        """One unit; another agency's is a 404."""
        return Response(self.get_serializer(self._unit(request, pk)).data)

    def create(self, request: Request) -> Response:
        """Add a unit: province administrator or the agency's head, delegate or IT officer."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor, agency = _actor(request), _named_agency(data["agency_code"], "agency_code")
        if rules.can_manage_units(actor, agency.pk):  # else the service refuses (and audits)
            _unit_code_free(data["code"])
        unit = services.unit_create(
            actor=actor, agency=agency, code=data["code"], name=data["name"],
            short_name=data.get("short_name", ""))
        return Response(self.get_serializer(unit).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        """Rename or (de)activate a unit (the code and agency stay): the province
        administrator, or the agency's managers where the directory policy allows it."""
        unit = self._unit(request, pk)
        _may_change_units(_actor(request))
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = services.unit_update(actor=_actor(request), unit=unit, name=data.get("name"),
                                    short_name=data.get("short_name"), active=data.get("active"))
        return Response(self.get_serializer(unit).data)

    @staticmethod
    def _unit(request: Request, pk: str) -> Unit:
        unit_id = int(pk) if pk.isdigit() else 0
        return selectors.unit_get(_actor(request), unit_id)


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("agencies", AgencyViewSet, basename="agency")
    router.register("units", UnitViewSet, basename="unit")
