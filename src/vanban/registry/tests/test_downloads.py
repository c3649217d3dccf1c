"""R16.2: every download of an outgoing document (its files, the printed register) is an audit
event naming who, which document and blob, and the page or API action; the agency rule of
outgoing documents (R1.1) applies to the file links too."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.registry import services
from vanban.registry.models import Document
from vanban.registry.tests.conftest import make_pdf

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_file_downloads_are_audited_and_scoped(clerk: Any, specialist: Any, other_clerk: Any,
                                               draft: Document) -> None:
    """A colleague downloads the file by page and API (two events); another agency's clerk is
    not served (404) and leaves no download event."""
    services.document_register(actor=clerk, document=draft)
    stored = services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    page = _client(specialist).get(f"/documents/{draft.pk}/files/{stored.pk}/?download")
    api = _client(specialist).get(f"/api/v1/documents/{draft.pk}/files/{stored.pk}/")
    assert page.status_code == api.status_code == 200
    assert page["Content-Disposition"].startswith("attachment")
    assert _client(other_clerk).get(
        f"/documents/{draft.pk}/files/{stored.pk}/").status_code == 404
    assert _client(other_clerk).get(
        f"/api/v1/documents/{draft.pk}/files/{stored.pk}/").status_code == 404
    events = AuditEvent.objects.filter(action="document.downloaded").order_by("seq")
    rows = [(e.actor_username, e.object_type, e.object_id, json.loads(e.data)) for e in events]
    assert [(u, t, i, d["via"], d["route"], d["sha256"]) for u, t, i, d in rows] == [
        ("cv.snv", "registry.document", str(draft.pk), "page", "registry:file_download",
         stored.sha256),
        ("cv.snv", "registry.document", str(draft.pk), "api", "document-file", stored.sha256)]


def test_paper_dispatch_list_download_is_audited(clerk: Any, draft: Document) -> None:
    """R16.2: the printed list of paper copies is a document download like the others."""
    response = _client(clerk).get(f"/documents/{draft.pk}/dispatch-list.pdf")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="document.downloaded")
    assert (event.object_type, event.object_id) == ("registry.document", str(draft.pk))
