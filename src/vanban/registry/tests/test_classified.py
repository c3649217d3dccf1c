"""R3.1/R16.7: a classified document is refused at every electronic entry point, with the
reason, and the attempt is audited in its own committed transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from vanban.audit.models import AuditEvent
from vanban.core.errors import ValidationFailed
from vanban.registry import services
from vanban.registry.models import Document, DocumentFile, DocumentState
from vanban.registry.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db(transaction=True)

ENTRY_POINTS: dict[str, Callable[[Any, Document], object]] = {
    "register": lambda a, d: services.document_register(actor=a, document=d),
    "upload": lambda a, d: services.document_upload(actor=a, document=d, main=[make_pdf(1)]),
    "sign": lambda a, d: services.document_sign(actor=a, document=d),
    "mark_ready": lambda a, d: services.document_mark_ready(actor=a, document=d),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("level", ["mat", "toi_mat", "tuyet_mat"])
def test_services_refuse_classified(clerk: Any, sender: Any, entry: str, level: str) -> None:
    """R3.1: register, upload, sign and mark ready all refuse Mật/Tối mật/Tuyệt mật; the
    refusal is audited and survives the error (it is committed on its own)."""
    document = services.document_create(actor=clerk, agency=sender, type_code="cong_van",
                                        subject="Về việc bảo vệ bí mật nhà nước",
                                        classification=level)
    with pytest.raises(ValidationFailed) as caught:
        ENTRY_POINTS[entry](clerk, document)
    assert caught.value.code == "classified"
    assert "hệ thống điện tử" in caught.value.vi
    assert "electronically" in caught.value.en
    event = AuditEvent.objects.get(action=f"registry.document_{entry}.denied")
    assert event.object_id == str(document.pk)
    assert '"reason":"classified"' in event.data
    document.refresh_from_db()
    assert document.state == DocumentState.DRAFT
    assert document.code_number is None
    assert not DocumentFile.objects.exists()


def test_api_refuses_classified(clerk: Any, sender: Any) -> None:
    """R3.1: through the API too, as an RFC 9457 problem with both messages."""
    client = APIClient()
    client.force_authenticate(clerk)
    created = client.post("/api/v1/documents/", {
        "type_code": "cong_van", "subject": "Mật", "classification": "toi_mat"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for path in ("register", "mark-ready"):
        response = client.post(f"/api/v1/documents/{pk}/{path}/")
        assert response.status_code == 422  # a business refusal (issue 15)
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "classified"
    upload = client.post(f"/api/v1/documents/{pk}/upload/",
                         {"main": _file(make_pdf(1))}, format="multipart")
    assert upload.json()["code"] == "classified"
    assert AuditEvent.objects.filter(action__endswith=".denied").count() == 3


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", data, content_type="application/pdf")
