"""REST API of the incoming register (R4.3, R5.1, R10.1): the inbox with verification, a
delivery's checks, register, reject, paper registration and the register, with RFC 9457
problems and another agency's objects as 404 (R1.1)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from vanban.checks.models import InboxCheck
from vanban.incoming.tests.conftest import arrive
from vanban.signatures.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_inbox_verification_register_and_register_list(valid_delivery, finance_clerk,
                                                       budget_unit, health_clerk):
    """R4.3, R10.1, R10.2: the inbox lists the delivery with its verdict and checks (the call
    is never an inbox check: only the page is); registering returns the register line (201)
    and sends 03; a second registration is a 409 problem; another agency gets 404."""
    api = _api(finance_clerk)
    inbox = api.get("/api/v1/incoming/deliveries/").json()["results"]
    assert [d["id"] for d in inbox] == [str(valid_delivery.uid)]
    assert inbox[0]["verification"]["verdict"] == "valid"
    assert len(inbox[0]["verification"]["checks"]) == 10
    assert InboxCheck.objects.filter(user_id=finance_clerk.pk).count() == 0
    detail = api.get(f"/api/v1/incoming/deliveries/{valid_delivery.uid}/").json()
    assert detail["verification"]["valid"] is True
    assert _api(health_clerk).get(
        f"/api/v1/incoming/deliveries/{valid_delivery.uid}/").status_code == 404
    created = api.post(f"/api/v1/incoming/deliveries/{valid_delivery.uid}/register/",
                       {"recipient_unit_id": budget_unit.pk, "note": "Gấp"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["arrival_number"] == 1
    assert body["delivery_id"] == str(valid_delivery.uid)
    assert body["issuer_code"] == valid_delivery.transmission.sender.code
    valid_delivery.refresh_from_db()
    assert valid_delivery.state == "03"
    again = api.post(f"/api/v1/incoming/deliveries/{valid_delivery.uid}/register/", {},
                     format="json")
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/problem+json")
    assert again.json()["code"] == "already_registered"
    listed = api.get("/api/v1/incoming/register/").json()
    assert len(listed["results"]) == 1
    assert listed["next"] is None
    assert listed["results"][0]["arrival_number"] == 1
    assert api.get("/api/v1/incoming/deliveries/").json()["results"] == []


def test_invalid_delivery_refused_then_rejected(sender, finance, finance_clerk, finance_head):
    """R5.1: an unsigned delivery cannot be registered (400 problem naming the reason); the
    head cannot reject (403); the clerk rejects with a reason (02)."""
    delivery = arrive(sender, finance, make_pdf())
    api = _api(finance_clerk)
    refused = api.post(f"/api/v1/incoming/deliveries/{delivery.uid}/register/", {},
                       format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_verified"
    assert _api(finance_head).post(f"/api/v1/incoming/deliveries/{delivery.uid}/reject/",
                                   {"reason": "Sai"}, format="json").status_code == 403
    rejected = api.post(f"/api/v1/incoming/deliveries/{delivery.uid}/reject/",
                        {"reason": "Chưa ký số"}, format="json")
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "02"
    assert rejected.json()["verification"]["verdict"] == "invalid"


def test_paper_registration_by_api(finance_clerk, sender, finance_head):
    """R10.1, R3.1: multipart paper registration (201); classified is refused; only clerks."""
    api = _api(finance_clerk)
    fields = {"issuer_code": sender.code, "code_number": "3", "code_notation": "SNV-TCCB",
              "subject": "Về việc cử cán bộ"}
    created = api.post("/api/v1/incoming/register/", {
        **fields, "scan": [SimpleUploadedFile("a.pdf", make_pdf(), "application/pdf")]},
        format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["source"] == "paper"
    assert created.json()["issuer_name"] == "Sở Nội vụ"
    secret = api.post("/api/v1/incoming/register/", {
        **fields, "classification": "mat",
        "scan": [SimpleUploadedFile("a.pdf", make_pdf(), "application/pdf")]},
        format="multipart")
    assert secret.status_code == 422  # a business refusal, not malformed input (issue 15)
    assert secret.json()["code"] == "classified"
    assert _api(finance_head).post("/api/v1/incoming/register/", {
        **fields, "scan": [SimpleUploadedFile("a.pdf", make_pdf(), "application/pdf")]},
        format="multipart").status_code == 403
    one = api.get(f"/api/v1/incoming/register/{created.json()['id']}/").json()
    assert one["number"] == "03/SNV-TCCB"


def test_schema_lists_the_incoming_routes(finance_clerk):
    """The OpenAPI schema documents the incoming endpoints for integrators."""
    schema = _api(finance_clerk).get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/incoming/deliveries/{id}/register/" in text
    assert "/api/v1/incoming/register/" in text
