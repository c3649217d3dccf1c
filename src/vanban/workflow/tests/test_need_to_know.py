"""Need-to-know inside an agency (R16.2, R16.5) and audited downloads (R16.2).

Observed case 6 of issue 9: any staff member could download every incoming file, because the
file links did not ask the rule that only holders of a work line see a document. Now every page,
API action and file link of the incoming side asks one policy (``vanban.incoming.policy``):
the register keepers (clerk, head, delegates) see everything that arrived; anyone else sees a
document only while or after holding a line on it; refusals are 403 and audited; every download
is an audit event naming who, which document and blob, and the page or API action.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core.roles import Role
from vanban.exchange.tests.conftest import make_pdf
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create, assignment_reassign
from vanban.workflow.tests.conftest import line

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _document_urls(pk: int) -> list[str]:
    """Every page and API address that shows an incoming document or serves its file."""
    return [f"/incoming/entry/{pk}/", f"/incoming/entry/{pk}/file/",
            f"/work/incoming/{pk}/", f"/work/incoming/{pk}/slip.pdf",
            f"/api/v1/incoming/register/{pk}/", f"/api/v1/incoming/register/{pk}/file/",
            f"/api/v1/workflow/incoming/{pk}/"]


def _downloads(pk: int) -> list[dict[str, Any]]:
    return [json.loads(e.data) | {"actor": e.actor_username}
            for e in AuditEvent.objects.filter(action="document.downloaded",
                                               object_type="incoming.document",
                                               object_id=str(pk)).order_by("seq")]


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.IT_OFFICER, Role.SECURITY_OFFICER,
                                  Role.ONESTOP], ids=lambda r: r.value)
def test_staff_without_a_line_cannot_open_an_incoming_document(role, paper, agency,
                                                               make_user) -> None:
    """R16.2, R16.5 (issue 9, case 6): a staff member of the same agency who holds no line is
    refused the document's pages, its file and its API (403, not 404: it is their agency), and
    each refusal is audited naming the document; nothing is served, so nothing is downloaded."""
    outsider = make_user(agency, roles=[role], username=f"{role.value}.stc")
    client = _client(outsider)
    before = AuditEvent.objects.filter(action__endswith=".denied").count()
    for url in _document_urls(paper.pk):
        response = client.get(url)
        assert response.status_code == 403, url
        assert make_pdf("Cong van giay")[:8] not in response.content
    denied = AuditEvent.objects.filter(action__endswith=".denied").order_by("seq")
    assert denied.count() - before == len(_document_urls(paper.pk))
    assert AuditEvent.objects.filter(action="incoming.document_download.denied",
                                     object_id=str(paper.pk),
                                     actor_username=outsider.username).count() == 2
    assert client.get("/api/v1/incoming/register/").status_code == 403  # the register too
    assert _downloads(paper.pk) == []


def test_holders_and_former_holders_read_the_file_and_each_download_is_audited(  # noqa: PLR0917 - fixtures
        paper, head, specialist, specialist2, budget, planning) -> None:
    """R16.2: the unit that holds a line reads the file (page and API); after a re-assignment
    the former holder still reads it and the new holder too. Each download is an audit event
    naming who, the blob, and the page or API action that served it."""
    assignment_create(actor=head, document=paper,
                      lines=[line(LineRole.LEAD, unit=budget, days=5)])
    assert _client(specialist2).get(f"/incoming/entry/{paper.pk}/file/").status_code == 403
    page = _client(specialist).get(f"/incoming/entry/{paper.pk}/file/")
    assert page.status_code == 200
    assert page.content.startswith(b"%PDF")
    api = _client(specialist).get(f"/api/v1/incoming/register/{paper.pk}/file/")
    assert api.status_code == 200
    assert api.content == page.content

    assignment_reassign(actor=head, document=paper, reason="Giao nhầm đơn vị.",
                        lines=[line(LineRole.LEAD, unit=planning, days=3)])
    assert _client(specialist).get(f"/incoming/entry/{paper.pk}/file/").status_code == 200
    assert _client(specialist2).get(f"/work/incoming/{paper.pk}/slip.pdf").status_code == 200

    events = _downloads(paper.pk)
    assert [(e["actor"], e["via"], e["route"]) for e in events] == [
        ("cv1.stc", "page", "incoming:entry_file"),
        ("cv1.stc", "api", "incoming-entry-file"),
        ("cv1.stc", "page", "incoming:entry_file"),
        ("cv2.stc", "page", "workflow:slip")]
    assert {e["sha256"] for e in events[:3]} == {paper.file_sha256}


def test_work_page_links_the_file_for_holders(paper, head, specialist, budget) -> None:
    """R16.2: the holder's work page links the file through the audited, policy-checked
    address (there is no other way to the bytes)."""
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    body = _client(specialist).get(f"/work/incoming/{paper.pk}/").content.decode()
    assert f'href="/incoming/entry/{paper.pk}/file/"' in body


@pytest.mark.parametrize("who", ["clerk", "head", "unit_leader"])
def test_register_keepers_see_the_register_and_every_document(who, request, paper) -> None:
    """R16.5: the clerk, the head and a delegate keep the register and see every document."""
    keeper = request.getfixturevalue(who)
    client = _client(keeper)
    for url in ("/incoming/", "/incoming/register/", "/incoming/register/pdf/",
                "/api/v1/incoming/register/", "/api/v1/incoming/deliveries/",
                "/exchange/inbox/", *_document_urls(paper.pk)):
        assert client.get(url).status_code == 200, url


def test_others_are_refused_the_register_and_the_inbox(paper, specialist, head,
                                                       budget) -> None:
    """R16.5: even a holder of a line does not read the register or what arrived: 403, audited;
    the printed register is not served."""
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    client = _client(specialist)
    for url in ("/incoming/", "/incoming/register/", "/incoming/register/pdf/",
                "/api/v1/incoming/deliveries/", "/exchange/inbox/",
                "/api/v1/exchange/deliveries/"):
        response = client.get(url)
        assert response.status_code == 403, url
    listing = client.get("/api/v1/incoming/register/")
    assert listing.status_code == 403
    refused = set(AuditEvent.objects.filter(actor_username=specialist.username,
                                            action__endswith=".denied")
                  .values_list("action", flat=True))
    assert refused == {"incoming.inbox.denied", "incoming.register_view.denied",
                       "exchange.inbox_view.denied"}
    assert not AuditEvent.objects.filter(action="document.downloaded",
                                         actor_username=specialist.username).exists()


def test_another_agency_gets_not_found(paper, stranger) -> None:
    """R1.1: another agency's head learns nothing, not even that the document exists."""
    client = _client(stranger)
    for url in _document_urls(paper.pk):
        assert client.get(url).status_code == 404, url


def test_work_file_hides_incoming_documents_the_viewer_may_not_see(
        paper, head, specialist, specialist2, budget) -> None:
    """R16.5: a work file is the agency's, but an incoming document in it shows its number and
    subject only to those who may see the document."""
    from vanban.workflow.services import WorkFileInput, work_file_add, work_file_create

    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    work_file = work_file_create(actor=head, data=WorkFileInput(
        notation="02", title="Hồ sơ dự toán", retention_years=10))
    work_file_add(actor=head, work_file=work_file, incoming=paper)
    url = f"/work/files/{work_file.pk}/"
    holder_page = _client(specialist).get(url).content.decode()
    assert paper.subject in holder_page
    other_page = _client(specialist2).get(url).content.decode()
    assert 'data-testid="hidden-item"' in other_page
    assert paper.subject not in other_page
    assert f"/work/incoming/{paper.pk}/" not in other_page
