"""Staff accounts: identity, agency and roles, password age, lockout, second factor (R20)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from vanban.core.roles import Role


class User(AbstractUser):
    """A staff member (or the installation's superuser, who has no agency).

    Vietnamese names are kept whole in ``full_name``; ``first_name``/``last_name`` stay empty.
    """

    full_name = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "directory.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(max_length=100, blank=True)
    # R13.1: personal official mailbox.
    mailbox = models.EmailField(blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("username",)
        constraints = (
            # Usernames are typed by hand; "NVA" and "nva" must not be two people.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            # R13.1/R20.1: a staff mailbox belongs to one person.
            models.UniqueConstraint(
                Lower("mailbox"), name="user_mailbox_unique", condition=~models.Q(mailbox="")
            ),
        )

    def __str__(self) -> str:
        return self.full_name or self.username

    def role_set(self) -> frozenset[Role]:
        """The user's roles, read once per request object."""
        cached: frozenset[Role] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(Role(r) for r in self.roles.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, role: Role) -> bool:
        """Whether the user holds ``role`` (roles are always within the user's own agency)."""
        return self.is_active and role in self.role_set()

    def forget_roles(self) -> None:
        """Drop the cached roles after they changed."""
        self.__dict__.pop("_roles_cache", None)

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Reload, roles included."""
        self.forget_roles()
        super().refresh_from_db(*args, **kwargs)


class RoleGrant(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=[(r.value, r.value) for r in Role])
    granted_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "role"), name="role_once"),)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class TOTPDevice(models.Model):
    """A TOTP second factor (RFC 6238). ``last_step`` blocks replay of a used code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"totp:{self.user_id}"


class AgencySecurityPolicy(models.Model):
    """An agency's own security rules (R17.1): which roles must use a second factor."""

    agency = models.OneToOneField(
        "directory.Agency", on_delete=models.CASCADE, related_name="security_policy"
    )
    require_2fa_roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"policy:{self.agency_id}"
