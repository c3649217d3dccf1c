"""The workflow REST API (R8.1, R12.1, R14.2)."""

from __future__ import annotations

from rest_framework.test import APIClient

from vanban.exchange.models import Delivery


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_assign_opinions_start_complete(head, hub_document, budget, specialist, stranger):
    """R8.1, R14.2: assign, write and correct an opinion, start and complete over the API;
    statuses reach the sender; another agency gets 404."""
    base = f"/api/v1/workflow/incoming/{hub_document.pk}"
    response = _api(head).post(f"{base}/assign/", {
        "lines": [{"role": "lead", "unit_id": budget.pk, "working_days": 5}],
        "direction": "Giao phòng QLNS."}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["deadline"] == "2026-11-09"
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "04"
    assert _api(specialist).post(f"{base}/assign/", {"lines": []},
                                 format="json").status_code in (400, 403)
    first = _api(specialist).post(f"{base}/opinions/", {"text": "Ý kiến 1"}, format="json")
    assert first.status_code == 201
    fix = _api(specialist).post(f"{base}/opinions/", {"text": "Ý kiến 1 (sửa)",
                                                      "corrects": first.json()["id"]},
                                format="json")
    assert fix.json()["corrects"] == first.json()["id"]
    thread = _api(head).get(f"{base}/opinions/").json()
    assert [o["corrected_by"] for o in thread][1] == fix.json()["id"]
    assert _api(specialist).post(f"{base}/complete/", {}, format="json").json()["state"] == \
        "completed"
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "06"
    assert _api(stranger).get(f"{base}/").status_code == 404


def test_my_tasks_and_work_files(head, paper, budget, specialist):
    """R8.1, R12.1: my tasks list the unit's line; a work file is created, filled, closed."""
    _api(head).post(f"/api/v1/workflow/incoming/{paper.pk}/assign/", {
        "lines": [{"role": "lead", "unit_id": budget.pk, "deadline": "2026-11-20"}]},
        format="json")
    tasks = _api(specialist).get("/api/v1/workflow/tasks/").json()
    assert [t["incoming"]["id"] for t in tasks["results"]] == [paper.pk]
    created = _api(specialist).post("/api/v1/workflow/files/", {
        "notation": "07.NS", "title": "Hồ sơ ngân sách", "retention_years": None},
        format="json")
    assert created.status_code == 201, created.content
    assert created.json()["retention"] == "Vĩnh viễn"
    file_id = created.json()["id"]
    added = _api(specialist).post(f"/api/v1/workflow/files/{file_id}/items/",
                                  {"incoming_id": paper.pk}, format="json")
    assert added.json()["doc_total"] == 1
    closed = _api(specialist).post(f"/api/v1/workflow/files/{file_id}/close/", {},
                                   format="json")
    assert closed.json()["end_date"] == "2026-11-02"
    item_id = closed.json()["items"][0]["id"]
    refused = _api(specialist).post(f"/api/v1/workflow/files/{file_id}/items/{item_id}/remove/")
    assert refused.status_code == 409
