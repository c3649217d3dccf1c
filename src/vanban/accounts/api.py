"""REST API of accounts: token sign-in (with lockout and 2FA), the caller's account, and staff
(R20.1, R20.2), all through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from vanban.accounts import selectors, services
from vanban.accounts.models import ApiToken, RoleGrant, RoleRequest, TOTPDevice, User
from vanban.accounts.serializers import (
    ApiTokenSerializer,
    MeSerializer,
    RoleDecisionSerializer,
    RoleRequestSerializer,
    StaffCreateSerializer,
    StaffSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from vanban.core.apipaths import id_parameter, path_ids
from vanban.core.errors import ValidationFailed, not_found
from vanban.core.pathids import ID_PATTERN
from vanban.directory.models import Unit


def _ip(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise TypeError("IsAuthenticated must guard this view")
    return user


class AuthTokenView(APIView):
    """Exchange username, password (and a TOTP code when 2FA is on) for an API token."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = ()
    permission_classes = (permissions.AllowAny,)

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer},
                   auth=[], tags=["accounts"])
    def post(self, request: Request) -> Response:
        """Sign in; failures count towards the lockout like the web sign-in (R20.2)."""
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = services.login_attempt(username=data["username"], password=data["password"],
                                      ip=_ip(request))
        if services.has_confirmed_device(user):
            if not data.get("otp"):
                raise ValidationFailed("Tài khoản dùng xác thực hai lớp: cần gửi mã otp.",
                                       "The account uses two-factor: send the otp code.",
                                       code="otp_required")
            services.login_second_factor(user=user, code=data["otp"], ip=_ip(request))
        issued = services.api_token_issue(user=user, ip=_ip(request))
        return Response(TokenResponseSerializer(
            {"token": issued.clear, "expires_at": issued.record.expires_at}).data)


class MeView(APIView):
    """The caller's own account."""

    @extend_schema(responses={200: MeSerializer}, tags=["accounts"])
    def get(self, request: Request) -> Response:
        """Identity, agency, roles, password age and 2FA standing."""
        return Response(MeSerializer(_actor(request)).data)


_AGENCY_PARAM = OpenApiParameter(
    "agency", str, description="Agency code (province administrator only); default: own agency")


_STAFF_COLUMNS = ("id", "username", "full_name", "agency__code", "agency__name",
                  "agency__short_name", "unit_id", "unit__code", "unit__name", "position",
                  "mailbox", "is_active")


def _staff_body(row: dict[str, Any], roles: dict[int, list[str]],
                pending: dict[int, list[str]], second: set[int]) -> dict[str, Any]:
    """What :class:`StaffSerializer` says of one person, built from a ``.values()`` row and
    the page's roles, pending roles and second factors: a list page of 200 people then makes
    a few hundred plain objects instead of 200 model instances and their serializers, whose
    garbage made the collector's full passes land in the page's tail (issue 15 bench)."""
    pk = row["id"]
    return {
        "id": pk,
        "username": row["username"],
        "full_name": row["full_name"],
        "agency": None if row["agency__code"] is None else {
            "code": row["agency__code"], "name": row["agency__name"],
            "short_name": row["agency__short_name"]},
        "unit": None if row["unit_id"] is None else {
            "id": row["unit_id"], "code": row["unit__code"], "name": row["unit__name"]},
        "position": row["position"],
        "mailbox": row["mailbox"],
        "is_active": row["is_active"],
        "roles": sorted(roles.get(pk, ())),
        "pending_roles": sorted(pending.get(pk, ())),
        "two_factor": pk in second,
    }


@extend_schema(tags=["accounts"])
@path_ids(id_parameter(
    "number", "Mã số của cán bộ / the staff member's number"))
class StaffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[User]):
    """Staff accounts of an agency (R20.1). Every staff member may read colleagues' records (to
    pick people to work with); creating needs a staff manager, checked by the service. Another
    agency's staff member is a 404 (R1.1)."""

    list_parameters = frozenset({"agency"})  # besides limit and cursor
    page_ordering = "username"  # unique, and how colleagues are looked for

    serializer_class = StaffSerializer
    permission_classes = (permissions.IsAuthenticated,)
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[User]:
        """The caller's agency, or the one a province administrator names."""
        actor = _actor(self.request)
        agency = selectors.agency_for(actor, self.request.query_params.get("agency"))
        return selectors.staff_for(actor, agency)

    def get_object(self) -> User:
        """Scoped look-up: unknown and foreign ids look the same."""
        return selectors.staff_get(_actor(self.request), self.kwargs["pk"])

    @extend_schema(parameters=[_AGENCY_PARAM],
                   extensions={"x-may-be-missing": True})  # ?agency= naming no agency
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Staff of one agency, a page at a time: the page's rows as plain values, its roles,
        pending roles and second factors in three queries for the whole page (not three per
        person), each body built by :func:`_staff_body` (the schema stays
        :class:`StaffSerializer`'s)."""
        lean = (self.get_queryset().select_related(None).prefetch_related(None)
                .values(*_STAFF_COLUMNS))
        page: list[dict[str, Any]] = list(self.paginate_queryset(lean) or [])
        ids = [row["id"] for row in page]
        roles: dict[int, list[str]] = {}
        for user_id, role in RoleGrant.objects.filter(user_id__in=ids).values_list("user_id",
                                                                                   "role"):
            roles.setdefault(user_id, []).append(role)
        pending: dict[int, list[str]] = {}
        for user_id, role in RoleRequest.objects.filter(
                user_id__in=ids, state=RoleRequest.State.PENDING).values_list("user_id", "role"):
            pending.setdefault(user_id, []).append(role)
        second = set(TOTPDevice.objects.filter(user_id__in=ids, confirmed_at__isnull=False)
                     .values_list("user_id", flat=True))
        body = [_staff_body(row, roles, pending, second) for row in page]
        return self.get_paginated_response(body)

    @extend_schema(request=StaffCreateSerializer, responses={201: StaffSerializer})
    def create(self, request: Request) -> Response:
        """Create an account; the initial password must be changed at first sign-in."""
        actor = _actor(request)
        form = StaffCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        agency = selectors.agency_for(actor, data.get("agency"))
        unit = None
        if data.get("unit") is not None:
            unit = Unit.objects.filter(pk=data["unit"], agency=agency).first()
            if unit is None:
                raise not_found("đơn vị", "Unit")
        user = services.staff_create(
            actor=actor, agency=agency, username=data["username"], full_name=data["full_name"],
            roles=data["roles"], password=data["password"], unit=unit,
            position=data["position"], mailbox=data["mailbox"])
        return Response(StaffSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["accounts"])
@path_ids(id_parameter(
    "number", "Mã số của khóa API / the token's number"))
class MyTokensViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet[ApiToken]):
    """The caller's own API tokens (R20.2): list with expiry and last use; DELETE revokes."""

    serializer_class = ApiTokenSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ApiToken]:
        """Only the caller's tokens."""
        return selectors.api_tokens_of(_actor(self.request))

    @extend_schema(summary="Revoke one of my tokens", responses={200: ApiTokenSerializer})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Revoke the token (it stays listed, marked revoked)."""
        token = services.api_token_revoke(actor=_actor(request), token_id=kwargs["pk"])
        return Response(ApiTokenSerializer(token).data)


@extend_schema(tags=["accounts"])
@path_ids(id_parameter(
    "number", "Mã số của đề nghị cấp vai trò / the role request's number"))
class RoleRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[RoleRequest]):
    """Signing or registering roles waiting for the head's approval (R20.1): the head lists
    its agency's and approves or refuses; nothing is conferred before approval."""

    serializer_class = RoleRequestSerializer
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[RoleRequest]:
        """Requests the caller decides on."""
        return selectors.role_requests_pending(_actor(self.request))

    def _decide(self, request: Request, pk: str, *, approve: bool) -> Response:
        form = RoleDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = services.role_request_decide(actor=_actor(request), request_id=pk,
                                               approve=approve, note=form.validated_data["note"])
        return Response(RoleRequestSerializer(decided).data)

    @extend_schema(request=RoleDecisionSerializer, responses={200: RoleRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve: the role becomes effective (audited, the owner is told)."""
        return self._decide(request, pk, approve=True)

    @extend_schema(request=RoleDecisionSerializer, responses={200: RoleRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        """Refuse: the account stays without the role (audited, the owner is told)."""
        return self._decide(request, pk, approve=False)


urlpatterns: list[URLPattern] = [
    path("auth/token/", AuthTokenView.as_view(), name="api-auth-token"),
    path("me/", MeView.as_view(), name="api-me"),
]


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the v1 router."""
    router.register("staff", StaffViewSet, basename="staff")
    router.register("me/tokens", MyTokensViewSet, basename="me-tokens")
    router.register("role-requests", RoleRequestViewSet, basename="role-requests")
