"""Staff accounts: identity, agency and roles, password age, lockout, second factor (R20)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from vanban.core.roles import Role
from vanban.core.secretbox import open_sealed, seal


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


class RoleRequest(models.Model):
    """A role that signs or registers, asked for by a manager other than the head (R20.1).

    Kept apart from :class:`RoleGrant` on purpose: every permission check in every app reads
    grants only, so a pending request confers nothing until the head approves it and it becomes
    a grant. Refused and approved requests stay as the record of the decision.
    """

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        APPROVED = "approved", "approved"
        REFUSED = "refused", "refused"
        WITHDRAWN = "withdrawn", "withdrawn"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=30, choices=[(r.value, r.value) for r in Role])
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("requested_at", "pk")
        constraints = (
            models.UniqueConstraint(fields=("user", "role"), name="role_request_pending_once",
                                    condition=models.Q(state="pending")),
        )

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}:{self.state}"


class AccountNotice(models.Model):
    """A message to an account's owner about something done to the account by someone else
    (password or second factor reset, role decided), shown on the security page and mailed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    text_vi = models.CharField(max_length=500)
    text_en = models.CharField(max_length=500)

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"notice:{self.user_id}:{self.kind}"


TOTP_PURPOSE = "accounts.totp"


class TOTPDevice(models.Model):
    """A TOTP second factor (RFC 6238). ``last_step`` blocks replay of a used code.

    The shared secret is stored sealed under the installation's master key (R14.3, R20.2):
    a copy of the database alone does not let anyone compute the codes. ``secret`` reads and
    writes the clear value (also as a constructor argument).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp")
    sealed_secret = models.CharField(max_length=255)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"totp:{self.user_id}"

    @property
    def secret(self) -> str:
        """The base32 secret, in clear."""
        return open_sealed(self.sealed_secret, purpose=TOTP_PURPOSE).decode("ascii")

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = seal(value.encode("ascii"), purpose=TOTP_PURPOSE)


class LoginThrottle(models.Model):
    """Failed sign-ins counted per (username, client address) and per client address (R20.2).

    Keyed by the typed username, whether or not such an account exists, so the lockout behaves
    the same for unknown names and tells nothing about which exist; a stranger from another
    address never locks the owner out of their own address.
    """

    class Scope(models.TextChoices):
        ACCOUNT_IP = "account_ip", "account_ip"
        IP = "ip", "ip"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    username = models.CharField(max_length=150, blank=True)  # lower case; empty for IP rows
    ip = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    locks = models.PositiveIntegerField(default=0)  # locks in a row: the back-off exponent
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("scope", "username", "ip"),
                                               name="login_throttle_once"),)

    def __str__(self) -> str:
        return f"throttle:{self.scope}:{self.username}@{self.ip}"


class ApiToken(models.Model):
    """An API token (R20.2): only its SHA-256 is stored; the token itself is shown once.

    Tokens expire (``VANBAN_API_TOKEN_DAYS``), can be revoked by their owner, and are revoked
    on every password change or reset.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)  # the first characters, to tell tokens apart
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    created_ip = models.CharField(max_length=45, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"token:{self.user_id}:{self.prefix}"


class AgencySecurityPolicy(models.Model):
    """An agency's own security rules (R17.1): which roles must use a second factor."""

    agency = models.OneToOneField(
        "directory.Agency", on_delete=models.CASCADE, related_name="security_policy"
    )
    require_2fa_roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"policy:{self.agency_id}"
