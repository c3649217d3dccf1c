"""API tokens (R20.2, R14.3; issue 9 case 7): stored as SHA-256 only, expiring, revocable,
listed per user with their last use; ``/api/v1/auth/token/`` keeps working."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from vanban.accounts import services
from vanban.accounts.models import ApiToken, User
from vanban.accounts.tests.conftest import PASSWORD, STRONG
from vanban.audit.models import AuditEvent
from vanban.core import clock

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


def _issue(username: str = "clerk_x") -> dict[str, str]:
    response = APIClient().post(TOKEN, {"username": username, "password": PASSWORD},
                                format="json")
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_is_stored_hashed(clerk_x: User) -> None:
    """R14.3 (issue 9 case 7): the database holds only the token's SHA-256, so a copy of it
    gives no working token."""
    token = _issue()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, prefix FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), token[:12])]
    dump = repr(list(ApiToken.objects.values()))
    assert token not in dump
    assert _client(token).get("/api/v1/me/").status_code == 200
    assert _client(rows[0][0]).get("/api/v1/me/").status_code in {401, 403}


def test_token_expires(clerk_x: User, settings: object) -> None:
    """R20.2 (issue 9 case 7): a token stops working after VANBAN_API_TOKEN_DAYS (30)."""
    body = _issue()
    record = ApiToken.objects.get()
    assert record.expires_at - record.created_at == timedelta(days=30)
    assert body["expires_at"]
    with clock.frozen(record.created_at + timedelta(days=29)):
        assert _client(body["token"]).get("/api/v1/me/").status_code == 200
    with clock.frozen(record.created_at + timedelta(days=30, seconds=1)):
        assert _client(body["token"]).get("/api/v1/me/").status_code in {401, 403}


def test_list_revoke_and_last_use(clerk_x: User, head_x: User) -> None:
    """R20.2: the owner lists tokens with their last use, revokes one through the API; another
    user's token is out of reach (404) and a revoked token is refused."""
    first, second = _issue()["token"], _issue()["token"]
    client = _client(first)
    listed = client.get("/api/v1/me/tokens/").json()["results"]
    assert len(listed) == 2
    assert all("token" not in row and "digest" not in row for row in listed)
    assert {row["prefix"] for row in listed} == {first[:12], second[:12]}
    used = next(r for r in listed if r["prefix"] == first[:12])
    assert used["last_used_at"]
    other = ApiToken.objects.get(prefix=second[:12])
    head_token = _issue("head_x")["token"]
    head_record = ApiToken.objects.get(prefix=head_token[:12])
    assert client.delete(f"/api/v1/me/tokens/{head_record.pk}/").status_code == 404
    assert client.delete(f"/api/v1/me/tokens/{other.pk}/").status_code == 200
    assert _client(second).get("/api/v1/me/").status_code in {401, 403}
    assert _client(head_token).get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_password_change_revokes_tokens(clerk_x: User) -> None:
    """R20.2: a password change ends every token."""
    token = _issue()["token"]
    services.password_change(user=clerk_x, old_password=PASSWORD, new_password=STRONG)
    assert _client(token).get("/api/v1/me/").status_code in {401, 403}
    assert ApiToken.objects.get().revoked_at is not None


def test_tokens_page(client: Client, clerk_x: User) -> None:
    """R20.2: the account area lists tokens, issues one shown once, and revokes it."""
    client.force_login(clerk_x)
    response = client.post("/accounts/tokens/", {"action": "issue", "label": "phần mềm kế toán"},
                           follow=True)
    page = response.content.decode()
    record = ApiToken.objects.get()
    assert record.label == "phần mềm kế toán"
    assert record.prefix in page
    assert 'data-testid="fresh-token"' in page
    again = client.get("/accounts/tokens/").content.decode()
    assert 'data-testid="fresh-token"' not in again
    assert record.prefix in again
    client.post("/accounts/tokens/", {"action": "revoke", "token": record.pk})
    record.refresh_from_db()
    assert record.revoked_at is not None


def test_migration_drops_plain_tokens(clerk_x: User) -> None:
    """R14.3: the migration empties the former plain-text token table of an older
    installation (those tokens sit in clear in every earlier backup, so none stays valid)."""
    import importlib

    migration = importlib.import_module("vanban.accounts.migrations.0003_security_hardening")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                       "user_id bigint NOT NULL, created timestamp NOT NULL)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                       ["a" * 40, clerk_x.pk, "2025-01-01 00:00:00"])

    class Editor:
        pass

    Editor.connection = connection  # type: ignore[attr-defined]
    migration.drop_plain_tokens(None, Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
