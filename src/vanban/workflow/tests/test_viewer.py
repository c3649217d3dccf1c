"""The document beside the action (ADR 0018): the work page (assign, process) shows the incoming
document's pages as images, served only to whoever may download the file (R16.2) and audited
like a download, naming the PDF and the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import line

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_assign_page_shows_the_document_beside_the_form(paper, head) -> None:
    """R8.1 with the document at hand: the head's assignment page carries one lazily loaded
    image per page of the registered file, next to the assignment form."""
    body = _client(head).get(f"/work/incoming/{paper.pk}/").content.decode()
    assert 'data-testid="assign-form"' in body
    assert 'class="beside"' in body
    images = re.findall(r'<img src="([^"]+)" loading="lazy"', body)
    assert images == [f"/incoming/entry/{paper.pk}/pages/1.png?w=800"]
    response = _client(head).get(images[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"\x89PNG")


def test_a_page_image_is_served_only_to_who_may_download_the_file(  # noqa: PLR0917 - fixtures
        paper, head, clerk, specialist, specialist2, budget) -> None:
    """R16.2: the page image follows the file's need-to-know rule: the register keepers and the
    holder of a line see it, a colleague without a line is refused (403, audited); each image
    served is a ``document.downloaded`` event naming the PDF's hash and the page."""
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    url = f"/incoming/entry/{paper.pk}/pages/1.png"
    for reader in (head, clerk, specialist):
        assert _client(reader).get(url).status_code == 200, reader.username
    assert _client(specialist2).get(url).status_code == 403
    assert AuditEvent.objects.filter(action="incoming.document_download.denied",
                                     actor_username=specialist2.username).exists()
    assert 'data-testid="viewer"' not in _client(specialist2).get(
        f"/work/incoming/{paper.pk}/").content.decode()
    events = [json.loads(e.data) | {"actor": e.actor_username} for e in AuditEvent.objects.filter(
        action="document.downloaded", object_id=str(paper.pk)).order_by("seq")]
    assert [(e["actor"], e["route"], e["page"], e["pdf"]) for e in events] == [
        (u.username, "incoming:entry_page", 1, paper.file_sha256)
        for u in (head, clerk, specialist)]


def test_a_missing_page_or_a_bad_width_is_not_found(paper, head) -> None:
    """A page past the end or a width other than the fixed ones is 404, nothing served."""
    client = _client(head)
    assert client.get(f"/incoming/entry/{paper.pk}/pages/2.png").status_code == 404
    assert client.get(f"/incoming/entry/{paper.pk}/pages/1.png?w=5000").status_code == 404
    assert client.get(f"/incoming/entry/{paper.pk}/pages/1.png?w=800").status_code == 200
