"""API shapes of accounts, typed for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanban.accounts import policy, selectors, services
from vanban.accounts.models import ApiToken, RoleRequest, User
from vanban.core.roles import Role
from vanban.directory.models import Agency, Unit

ROLE_CHOICES = [r.value for r in Role]


class TokenRequestSerializer(serializers.Serializer[Any]):
    """Sign-in for API clients; ``otp`` is needed when the account has a second factor."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(required=False, allow_blank=True, max_length=8,
                                help_text="TOTP code (6 digits) when 2FA is on")


class TokenResponseSerializer(serializers.Serializer[Any]):
    """Send it as ``Authorization: Token <token>``; shown once, valid until ``expires_at``."""

    token = serializers.CharField()
    expires_at = serializers.DateTimeField(required=False)


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """One of the caller's API tokens (never the token itself: only its first characters)."""

    class Meta:
        model = ApiToken
        fields = ("id", "prefix", "label", "created_at", "created_ip", "expires_at",
                  "last_used_at", "revoked_at")
        read_only_fields = fields


class RoleRequestSerializer(serializers.ModelSerializer[RoleRequest]):
    """A signing or registering role waiting for the head's approval (R20.1)."""

    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True,
                                         allow_null=True, default=None)

    class Meta:
        model = RoleRequest
        fields = ("id", "user", "username", "full_name", "role", "state", "requested_by",
                  "requested_at", "decided_at", "note")
        read_only_fields = fields


class RoleDecisionSerializer(serializers.Serializer[Any]):
    """An optional note with an approval or refusal."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AgencyRefSerializer(serializers.ModelSerializer[Agency]):
    """An agency as seen from a staff record."""

    class Meta:
        model = Agency
        fields = ("code", "name", "short_name")


class UnitRefSerializer(serializers.ModelSerializer[Unit]):
    """A unit as seen from a staff record."""

    class Meta:
        model = Unit
        fields = ("id", "code", "name")


class StaffSerializer(serializers.ModelSerializer[User]):
    """A staff account (no password material)."""

    agency = AgencyRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()
    pending_roles = serializers.SerializerMethodField()
    two_factor = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields: tuple[str, ...] = ("id", "username", "full_name", "agency", "unit", "position",
                                   "mailbox", "is_active", "roles", "pending_roles",
                                   "two_factor")
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ROLE_CHOICES)))
    def get_roles(self, obj: User) -> list[str]:
        """Role names, sorted."""
        return sorted(r.value for r in obj.role_set())

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(ROLE_CHOICES)))
    def get_pending_roles(self, obj: User) -> list[str]:
        """Roles waiting for the head's approval: they confer nothing yet (R20.1)."""
        return sorted(r.role for r in selectors.role_requests_of(obj)
                      if r.state == RoleRequest.State.PENDING)

    def get_two_factor(self, obj: User) -> bool:
        """Whether the account signs in with a second factor."""
        return services.has_confirmed_device(obj)


class MeSerializer(StaffSerializer):
    """The signed-in account, with its password and 2FA standing (R20.2)."""

    password_changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    password_expires_at = serializers.SerializerMethodField()
    must_change_password = serializers.BooleanField(read_only=True)
    two_factor_required = serializers.SerializerMethodField()

    class Meta(StaffSerializer.Meta):
        fields = (*StaffSerializer.Meta.fields, "password_changed_at", "password_expires_at",
                  "must_change_password", "two_factor_required")
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_password_expires_at(self, obj: User) -> str | None:
        """When the password must have been changed."""
        at = selectors.password_expires_at(obj)
        return at.isoformat() if at else None

    def get_two_factor_required(self, obj: User) -> bool:
        """Whether the agency makes one of the user's roles use 2FA (R17.1)."""
        return policy.two_factor_required(obj)


class StaffCreateSerializer(serializers.Serializer[Any]):
    """A new staff account; the initial password must be changed at first sign-in."""

    agency = serializers.CharField(required=False, max_length=35,
                                   help_text="Agency code; default: the caller's agency")
    username = serializers.CharField(max_length=150)
    full_name = serializers.CharField(max_length=150)
    roles = serializers.ListField(child=serializers.ChoiceField(ROLE_CHOICES), allow_empty=True)
    password = serializers.CharField(trim_whitespace=False, write_only=True,
                                     style={"input_type": "password"})
    unit = serializers.IntegerField(required=False, allow_null=True, help_text="Unit id")
    position = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                     default="")
    mailbox = serializers.EmailField(required=False, allow_blank=True, default="")
