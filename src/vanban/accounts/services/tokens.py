"""API tokens (R20.2): random, stored as SHA-256 only, expiring, revocable, listed per user.

The clear token is returned once, when it is issued; a copy of the database does not give
anyone a working token. ``VANBAN_API_TOKEN_DAYS`` sets the lifetime. The last use is recorded
at most once a minute per token, so an integrator's busy client does not write on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from vanban.accounts.models import ApiToken, User
from vanban.accounts.services._common import USER_OBJECT, agency_code_of
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import not_found

TOKEN_PREFIX = "vbt_"  # noqa: S105  (a marker that tells tokens apart, not a secret)
_SHOWN = 12  # characters of the clear token kept to tell tokens apart
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: its record and the clear value, shown this once."""

    record: ApiToken
    clear: str


def token_digest(clear: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(clear.encode()).hexdigest()


def api_token_create(*, user: User, ip: str, label: str = "") -> IssuedToken:
    """Issue a new token for ``user`` in the caller's transaction (the caller audits)."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiToken.objects.create(
        user=user, digest=token_digest(clear), prefix=clear[:_SHOWN], label=label[:100],
        created_at=now, created_ip=ip[:45],
        expires_at=now + timedelta(days=settings.VANBAN_API_TOKEN_DAYS))
    return IssuedToken(record=record, clear=clear)


def api_token_authenticate(clear: str) -> ApiToken | None:
    """The live token whose clear value is ``clear`` (not expired, not revoked), or None."""
    digest = token_digest(clear.strip())
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    now = clock.now()
    if token.revoked_at is not None or token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, actor: User, token_id: object) -> ApiToken:
    """Revoke one of the actor's own tokens; another user's token is NotFound (R1.1)."""
    try:
        pk = int(str(token_id))
    except ValueError:
        pk = 0
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=pk, user=actor).first()
        if token is None:
            raise not_found("khóa API", "API token")
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit_append(actor=actor, action="api_token.revoked", object_type=USER_OBJECT,
                         object_id=actor.pk, agency_code=agency_code_of(actor),
                         data={"token": token.prefix})
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user`` (password change or reset) in the caller's
    transaction; returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now())
