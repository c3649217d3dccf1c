"""Issue 15, first half: the API answers every input with a problem, never a server error.

Malformed path ids are refused by the URL map (404 problem) before any view runs; ``limit`` and
``offset`` are bounded and junk is a 400 problem; an address no operation has and an unexpected
error are problems too; a missing or bad credential is a 401 with ``WWW-Authenticate``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from vanban.accounts.services.tokens import api_token_create
from vanban.core.roles import Role

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HUGE = "9" * 25

MALFORMED = [
    f"workflow/incoming/{x}/" for x in ("abc", HUGE, "1e3", "-1", "١٢")
] + [
    "workflow/incoming/abc/opinions/", "workflow/files/abc/", f"workflow/files/{HUGE}/",
    "workflow/files/1/items/abc/remove/", "workflow/tasks/abc/done/",
    "exchange/deliveries/abc/", "exchange/deliveries/1/", f"exchange/transmissions/{HUGE}/",
    "exchange/transmissions/not-a-uuid/", "incoming/deliveries/abc/",
    "incoming/deliveries/abc/file/", "incoming/register/abc/", f"incoming/register/{HUGE}/",
    "documents/abc/", f"documents/{HUGE}/", "documents/1/files/abc/", f"documents/1/files/{HUGE}/",
    "units/abc/", f"units/{HUGE}/", f"staff/{HUGE}/", f"audit/events/{HUGE}/",
    f"me/tokens/{HUGE}/", f"agencies/{'X' * 80}/",
    "nothing/here/", "documents", "v2/documents/",
]

LISTS = ["agencies/", "units/", "staff/", "audit/events/", "documents/",
         "exchange/transmissions/", "exchange/deliveries/", "incoming/deliveries/",
         "workflow/incoming/", "workflow/files/", "me/tokens/"]


@pytest.fixture
def caller(make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> APIClient:
    """A clerk and head of one agency, signed in by a real token."""
    user = make_user(make_agency(), roles=[Role.CLERK, Role.HEAD])
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, ip='').clear}")
    return client


def _is_problem(response: Any, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["detail_vi"]
    assert body["detail_en"]


@pytest.mark.parametrize("path", MALFORMED)
def test_a_malformed_path_id_is_a_404_problem(caller: APIClient, path: str) -> None:
    """Issue 15 §1: letters, huge numbers or non-UUIDs in a path are a 404 problem, for GET and
    POST alike, never a 500 (and unmatched /api/v1 addresses answer problem+json, not HTML)."""
    _is_problem(caller.get("/api/v1/" + path), 404)
    _is_problem(caller.post("/api/v1/" + path, {}, format="json"), 404)


@pytest.mark.parametrize("query", [f"limit={HUGE}", "limit=abc", "limit=0", "limit=-5",
                                   "limit=1.5", "cursor=x", "cursor=%%%", "cursor=cD0B",
                                   "cursor=bz01JnA9Mw==", "cursor=cj0yJnA9Mw=="])
@pytest.mark.parametrize("path", LISTS)
def test_junk_paging_is_a_400_problem(caller: APIClient, path: str, query: str) -> None:
    """R14.3, issue 15 §1 and §4: a junk ``limit`` or a cursor this server did not write
    (not base64, a key of letters or of 22 digits, an offset, a bad direction) never
    reaches the database; each is a 400 ``bad_paging`` problem."""
    response = caller.get(f"/api/v1/{path}?{query}")
    _is_problem(response, 400)
    assert response.json()["code"] == "bad_paging"


@pytest.mark.parametrize("cursor", ["cD1hYmM=", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="])
@pytest.mark.parametrize("path", ["documents/", "exchange/transmissions/", "audit/events/",
                                  "workflow/incoming/", "units/"])
def test_a_cursor_key_the_list_cannot_hold_is_a_400(caller: APIClient, path: str,
                                                    cursor: str) -> None:
    """Issue 15 §1: a cursor whose key is letters, or a number past bigint, on a list keyed
    by a number is refused before any query (it would be a database error)."""
    response = caller.get(f"/api/v1/{path}?cursor={cursor}")
    _is_problem(response, 400)
    assert response.json()["code"] == "bad_paging"


@override_settings(VANBAN_API_MAX_PAGE_SIZE=3)
def test_a_large_limit_is_lowered_to_the_documented_maximum(
        caller: APIClient, make_agency: Callable[..., Any]) -> None:
    """R14.3: ``limit`` above the maximum page size returns at most the maximum, and ``next``
    carries the lowered limit."""
    for _ in range(5):
        make_agency()
    body = caller.get("/api/v1/agencies/?limit=100000").json()
    assert len(body["results"]) == 3
    assert "limit=3" in body["next"]


def test_unexpected_error_is_a_500_problem(caller: APIClient,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 §1: a bug inside /api/ answers a 500 problem (no HTML, no traceback)."""
    from vanban.directory import selectors

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "agency_get", broken)
    response = caller.get("/api/v1/agencies/ANY/")
    _is_problem(response, 500)
    assert b"secret internals" not in response.content


@pytest.mark.parametrize("header", [None, "Token nope", "Bearer nope", "Token", "Token a b",
                                    "Bearer vbt_" + "x" * 40])
def test_missing_or_bad_credentials_are_401_with_a_challenge(header: str | None) -> None:
    """R20.2, issue 15 §3: no or a bad token is a 401 problem with ``WWW-Authenticate``
    naming the Token and Bearer schemes (not a 403)."""
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/documents/")
    _is_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Token")
    assert "Bearer" in response["WWW-Authenticate"]


def test_bearer_and_token_schemes_accept_the_hashed_token(
        make_agency: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    """R20.2: the issued token works under either scheme; once revoked or expired it is a 401,
    and an authenticated caller without the right gets 403, not 401."""
    from vanban.accounts.models import ApiToken
    from vanban.core import clock

    user = make_user(make_agency(), roles=[Role.SPECIALIST])
    issued = api_token_create(user=user, ip="")
    assert issued.clear not in ApiToken.objects.values_list("digest", flat=True)
    for scheme in ("Token", "Bearer", "bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {issued.clear}")
        assert client.get("/api/v1/me/").status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.clear}")
    _is_problem(client.post("/api/v1/agencies/", {"code": "X.Y", "name": "X", "short_name": "X"},
                            format="json"), 403)
    ApiToken.objects.filter(pk=issued.record.pk).update(expires_at=clock.now())
    _is_problem(client.get("/api/v1/me/"), 401)


@pytest.mark.parametrize("query", [f"old={HUGE}", "old=abc", f"old=1&new={HUGE}", "old=-1", ""])
def test_evidence_tree_sizes_are_checked_before_any_query(caller: APIClient, query: str) -> None:
    """R14.3, issue 15 §1: a tree size that is not a bigint-safe whole number is a 400
    problem."""
    _is_problem(caller.get(f"/api/v1/evidence/consistency/?{query}"), 400)


def test_each_token_has_its_own_rate_limit(make_agency: Callable[..., Any],
                                           make_user: Callable[..., Any]) -> None:
    """Issue 15: per-token rate limits; over the limit a 429 problem with Retry-After, another
    token of the same user still answered."""
    from django.core.cache import cache

    cache.clear()
    user = make_user(make_agency(), roles=[Role.SPECIALIST])
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, ip='').clear}")
    second.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, ip='').clear}")
    with override_settings(VANBAN_API_TOKEN_RATE="3/min"):
        assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200] * 3
        limited = first.get("/api/v1/me/")
        _is_problem(limited, 429)
        assert int(limited["Retry-After"]) > 0
        assert second.get("/api/v1/me/").status_code == 200
    cache.clear()


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_list_parameter_is_refused(caller: APIClient, path: str) -> None:
    """Issue 15 §4: a parameter a list does not take is a 400 ``bad_filter`` problem, never
    silently dropped (a misspelt filter would widen the answer)."""
    response = caller.get(f"/api/v1/{path}?no_such_filter=1")
    _is_problem(response, 400)
    assert response.json()["code"] == "bad_filter"
