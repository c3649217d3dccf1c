"""R7.2, R1.1, R14.3: the status page, the bundle download and the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vanban.core.roles import Role
from vanban.evidence import verifier
from vanban.evidence.models import TreeHead
from vanban.evidence.tests.conftest import R1, R2, SENDER

Exchange = Callable[[int], None]


@pytest.fixture
def people(make_agency: Callable[..., Any], make_user: Callable[..., Any],
           exchange: Exchange) -> dict[str, Any]:
    """The sender, both recipients and a bystander agency, with an exchange already logged."""
    sender, r1, r2 = make_agency(SENDER), make_agency(R1), make_agency(R2)
    other = make_agency("000.00.09.H06")
    exchange(1)
    return {
        "admin": make_user(other, roles=[Role.PROVINCE_ADMIN]),
        "it": make_user(r1, roles=[Role.IT_OFFICER]),
        "sender_clerk": make_user(sender, roles=[Role.CLERK]),
        "r1_clerk": make_user(r1, roles=[Role.CLERK]),
        "r2_head": make_user(r2, roles=[Role.HEAD]),
        "bystander": make_user(other, roles=[Role.HEAD, Role.CLERK]),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_status_page_for_admin_and_it_only(people: dict[str, Any]) -> None:
    """R14.3: the province admin sees the count, the head and the fingerprint; an IT officer
    too, but only their agency's deliveries; a clerk is refused."""
    response = _client(people["admin"]).get(reverse("evidence:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="record-count">6<' in body
    assert body.count('data-testid="delivery"') == 2
    assert 'data-testid="consistency-form"' in body
    it_body = _client(people["it"]).get(reverse("evidence:index")).content.decode()
    assert it_body.count('data-testid="delivery"') == 1
    assert _client(people["sender_clerk"]).get(reverse("evidence:index")).status_code == 403


def test_sign_head_and_check_consistency_on_the_page(people: dict[str, Any],
                                                      exchange: Exchange) -> None:
    """R14.3: sign a head, append more, then prove the kept head (pasted JSON or its size)
    consistent with the latest; a forged head is shown as not consistent."""
    admin = _client(people["admin"])
    response = admin.post(reverse("evidence:head_sign"), follow=True)
    assert "Đã ký đầu cây 6 lá" in response.content.decode()
    sender = _client(people["sender_clerk"])
    kept = json.loads(sender.get(reverse("evidence:bundle", args=["d0-1"])).content)["tree_head"]
    exchange(1)
    ok = admin.post(reverse("evidence:index"), {"old_head": json.dumps(kept)})
    assert 'class="badge ok"' in ok.content.decode()
    assert "nhật ký chỉ được ghi thêm" in ok.content.decode()
    by_size = admin.post(reverse("evidence:index"), {"old_head": "6"})
    assert 'class="badge ok"' in by_size.content.decode()
    forged = admin.post(reverse("evidence:index"),
                        {"old_head": json.dumps({**kept, "root_hash": "33" * 32})})
    assert "Không nhất quán" in forged.content.decode()
    assert TreeHead.objects.count() == 2


@pytest.mark.parametrize(("who", "status"), [
    ("sender_clerk", 200), ("r1_clerk", 200), ("r2_head", 404), ("bystander", 404),
    ("admin", 404),
])
def test_bundle_download_only_for_parties(people: dict[str, Any], who: str,
                                          status: int) -> None:
    """R1.1, R7.2: the sender's and the recipient's agency download the bundle; anyone else gets
    the same 404 as for a delivery that does not exist."""
    response = _client(people[who]).get(reverse("evidence:bundle", args=["d0-1"]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="evidence-d0-1.json"'
        assert verifier.verify_document(response.content).ok
    missing = _client(people[who]).get(reverse("evidence:bundle", args=["nope"]))
    assert missing.status_code == 404


def test_certificate_download(people: dict[str, Any]) -> None:
    """R7.2: the hub certificate is downloadable to pin its fingerprint."""
    response = _client(people["r1_clerk"]).get(reverse("evidence:certificate"))
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_api(people: dict[str, Any], exchange: Exchange) -> None:
    """R1.1, R7.2, R14.3: head, own deliveries, bundle (404 for others, as a problem), signing
    restricted, consistency proof and check."""
    clerk = _client(people["r1_clerk"])
    assert clerk.get("/api/v1/evidence/head/").json()["tree_head"] is None
    assert clerk.post("/api/v1/evidence/head/").status_code == 403
    admin = _client(people["admin"])
    signed = admin.post("/api/v1/evidence/head/").json()
    assert signed["tree_head"]["size"] == 6
    assert signed["records"] == 6
    listed = clerk.get("/api/v1/evidence/deliveries/").json()["results"]
    assert [d["delivery_id"] for d in listed] == ["d0-1"]
    bundle = clerk.get("/api/v1/evidence/deliveries/d0-1/bundle/")
    assert bundle.status_code == 200
    assert verifier.verify_document(bundle.content).ok
    other = _client(people["bystander"]).get("/api/v1/evidence/deliveries/d0-1/bundle/")
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"
    assert "detail_en" in other.json()
    exchange(1)
    doc = clerk.get("/api/v1/evidence/consistency/?old=6").json()
    assert doc["new_head"]["size"] == 12
    assert verifier.verify_document(json.dumps(doc).encode()).ok
    assert clerk.get("/api/v1/evidence/consistency/?old=x").status_code == 400
    check = clerk.post("/api/v1/evidence/consistency/check/",
                       {"old_head": signed["tree_head"]}, content_type="application/json")
    assert check.json()["ok"] is True
