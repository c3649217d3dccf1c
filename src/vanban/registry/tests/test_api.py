"""The documents API: create, retrieve, register, upload (multipart), plan, mark ready, cancel;
problems on errors (R1.1, R3.2, R6.1, R15.2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from vanban.directory.models import Agency
from vanban.registry.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_document_lifecycle(clerk: Any, finance: Agency, commune: Agency) -> None:
    """Create with recipients, register, upload with an appendix, plan, mark ready."""
    client = _api(clerk)
    created = client.post("/api/v1/documents/", {
        "type_code": "ke_hoach", "subject": "Kế hoạch chuyển đổi số năm 2027",
        "recipients": [{"agency_code": finance.code}, {"agency_code": commune.code},
                       {"name": "Ông Hoàng Văn E", "address": "Lục Ngạn"}]}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    registered = client.post(f"/api/v1/documents/{pk}/register/").json()
    assert registered["number"] == "01/KH-SNV"
    assert registered["state"] == "registered"
    upload = client.post(f"/api/v1/documents/{pk}/upload/", {
        "main": SimpleUploadedFile("kh.pdf", make_pdf(2)),
        "appendices": [SimpleUploadedFile("pl1.pdf", make_pdf(1))]}, format="multipart")
    assert upload.status_code == 201, upload.json()
    assert (upload.json()["kind"], upload.json()["page_count"]) == ("merged", 3)
    plan = client.get(f"/api/v1/documents/{pk}/plan/").json()
    reasons = {row["recipient"]: row["reasons"] for row in plan["recipients"]}
    assert reasons == {"Sở Tài chính": [], "UBND xã Đồng Tâm": ["not_connected"],
                       "Ông Hoàng Văn E": ["individual"]}
    assert plan["recipients_block"].startswith("Nơi nhận:\n- UBND xã Đồng Tâm;")
    ready = client.post(f"/api/v1/documents/{pk}/mark-ready/")
    assert ready.json()["state"] == "ready_to_send"
    got = client.get(f"/api/v1/documents/{pk}/").json()
    assert [f["kind"] for f in got["files"]] == ["original", "appendix", "merged"]
    assert client.get(got["files"][2]["url"]).status_code == 200
    listed = client.get("/api/v1/documents/").json()
    assert [d["id"] for d in listed["results"]] == [pk]
    assert listed["next"] is None


def test_errors_are_problems(clerk: Any, other_clerk: Any, specialist: Any) -> None:
    """R1.1: another agency's document is a 404 problem; a specialist registering is a 403;
    a broken upload is a 400 with the reason."""
    pk = _api(specialist).post("/api/v1/documents/", {
        "type_code": "to_trinh", "subject": "Tờ trình"}, format="json").json()["id"]
    missing = _api(other_clerk).get(f"/api/v1/documents/{pk}/")
    assert (missing.status_code, missing["Content-Type"]) == (404, PROBLEM)
    denied = _api(specialist).post(f"/api/v1/documents/{pk}/register/")
    assert (denied.status_code, denied["Content-Type"]) == (403, PROBLEM)
    broken = _api(clerk).post(f"/api/v1/documents/{pk}/upload/", {
        "main": SimpleUploadedFile("x.pdf", b"<html>no</html>")}, format="multipart")
    assert broken.status_code == 400
    assert broken.json()["reason"] == "not_pdf"
    assert broken.json()["detail_vi"]
    cancelled = _api(clerk).post(f"/api/v1/documents/{pk}/cancel/", {"reason": "Trùng"},
                                 format="json")
    assert cancelled.json()["state"] == "cancelled"
