"""The workflow's queues and lists (issue 13): "chờ phân công", "việc của tôi" with filters,
search and paging that never cuts a list silently (R8.1)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import line


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_head_sees_a_new_registration_in_the_unassigned_queue(head, paper):
    """R8.1: a newly registered document is in "chờ phân công" with a link to its assignment
    form; once assigned it leaves the queue."""
    page = _client(head)
    html = page.get("/work/unassigned/").content.decode()
    assert f'href="/work/incoming/{paper.pk}/#assign"' in html
    assert "Về việc lập dự toán ngân sách 2027" in html
    html = page.get(f"/work/incoming/{paper.pk}/").content.decode()
    assert 'id="assign"' in html


def test_my_tasks_for_a_head_without_tasks(head):
    """The page answers a user with no lines."""
    response = _client(head).get("/work/")
    assert response.status_code == 200, response.content.decode()[:3000]


def _second(clerk: Any) -> Any:
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper

    return incoming_register_paper(
        actor=clerk, data=make_pdf("Cong van giay 2"), subject="Về việc rà soát chi thường xuyên",
        issuer_name="Kho bạc Nhà nước", code_number="45", code_notation="KBNN-KSC",
        type_name="Công văn")


def test_queue_pages_on_with_a_visible_next_page_and_searches(head, clerk, paper, monkeypatch):
    """Issue 13 observed 6: a list is never cut silently — one row a page here, the first page
    says there is a next one, which holds the other document; the search keeps one."""
    from vanban.workflow import selectors

    second = _second(clerk)
    monkeypatch.setattr(selectors, "PAGE", 1)
    page = _client(head)
    first = page.get("/work/unassigned/").content.decode()
    assert second.subject in first
    assert paper.subject not in first
    link = re.search(r'href="\?([^"]+)" data-testid="next-page"', first)
    assert link is not None
    rest = page.get("/work/unassigned/?" + link.group(1).replace("&amp;", "&")).content.decode()
    assert paper.subject in rest
    assert 'data-testid="next-page"' not in rest
    assert "Hết danh sách." in rest
    found = page.get("/work/documents/?q=KBNN").content.decode()
    assert second.subject in found
    assert paper.subject not in found


def test_my_tasks_pages_and_filters(head, clerk, paper, budget, specialist,  # noqa: PLR0917
                                    monkeypatch):
    """R8.1: "việc của tôi" one task a page with a next page; the search and the due filter
    narrow it; the specialist's "Văn bản đến" lists only what they hold."""
    from vanban.workflow import selectors

    second = _second(clerk)
    for document in (paper, second):
        assignment_create(actor=head, document=document,
                          lines=[line(LineRole.LEAD, unit=budget, days=5)])
    other = _second(clerk)
    monkeypatch.setattr(selectors, "PAGE", 1)
    page = _client(specialist)
    first = page.get("/work/").content.decode()
    assert "Trang 1/2 · 2 việc" in first
    assert 'data-testid="next-page"' in first
    assert "Trang 2/2" in page.get("/work/?page=2").content.decode()
    assert second.subject in page.get("/work/?q=KBNN").content.decode()
    assert "Không có việc phù hợp." in page.get("/work/?due=overdue").content.decode()
    monkeypatch.setattr(selectors, "PAGE", 50)
    listed = page.get("/work/documents/").content.decode()
    assert paper.subject in listed
    assert f'data-incoming="{other.pk}"' not in listed


def test_unassigned_queue_is_the_directors(specialist, clerk):
    """The queue of documents waiting for assignment is for the head and delegates."""
    assert _client(specialist).get("/work/unassigned/").status_code == 403
    assert _client(clerk).get("/work/unassigned/").status_code == 403


def test_workflow_dates_are_typed_dd_mm_yyyy(head, paper, budget):
    """Issue 13 observed 9: the workflow's date fields are text inputs asking for dd/mm/yyyy
    (not the browser locale's date picker), and a deadline typed so is the one assigned."""
    from datetime import date

    from vanban.workflow.models import AssignmentLine

    page = _client(head)
    for url in (f"/work/incoming/{paper.pk}/", "/work/files/", "/work/calendar/"):
        html = page.get(url).content.decode()
        assert 'type="date"' not in html
        assert 'placeholder="dd/mm/yyyy"' in html
    assert 'value="02/11/2026"' in page.get("/work/files/").content.decode()
    page.post(f"/work/incoming/{paper.pk}/assign/", {"lead": f"u:{budget.pk}",
                                                     "lead_deadline": "13/11/2026"})
    assert AssignmentLine.objects.get(incoming=paper).deadline == date(2026, 11, 13)


def test_assignment_form_chooses_nobody_and_separates_units_from_people(head, paper, budget,
                                                                        specialist):
    """Issue 13 observed 4 and 5: the lead is not preselected (an untouched form assigns
    nobody); co-operating and for-information targets are offered as units and as people apart,
    and the page's lists are what the assignment takes."""
    from vanban.workflow.models import AssignmentLine

    page = _client(head)
    html = page.get(f"/work/incoming/{paper.pk}/").content.decode()
    lead = re.search(r'<select id="lead"[^>]*>(.*?)</select>', html, re.S)
    assert lead is not None
    assert lead.group(1).startswith('<option value="" selected>')
    assert lead.group(1).count("selected") == 1
    for name in ("cooperate_units", "cooperate_people", "inform_units", "inform_people"):
        assert f'name="{name}"' in html
    units = re.search(r'name="cooperate_units"[^>]*>(.*?)</select>', html, re.S)
    assert units is not None
    assert "p:" not in units.group(1)
    page.post(f"/work/incoming/{paper.pk}/assign/", {
        "lead": f"u:{budget.pk}", "lead_days": "5", "inform_people": [f"p:{specialist.pk}"]})
    roles = sorted(AssignmentLine.objects.filter(incoming=paper).values_list("role", flat=True))
    assert roles == ["inform", "lead"]


def test_header_shows_the_current_leads_deadline_after_reassignment(head, paper, budget,
                                                                     specialist):
    """Issue 13 observed 9: after a re-assignment the page's header shows the new lead's
    deadline, not the withdrawn one (R8.1)."""
    from vanban.workflow.services import assignment_reassign

    assignment_create(actor=head, document=paper,
                      lines=[line(LineRole.LEAD, unit=budget, days=5)])
    page = _client(head)
    assert '<td data-testid="due">09/11/2026</td>' in page.get(
        f"/work/incoming/{paper.pk}/").content.decode()
    assignment_reassign(actor=head, document=paper, reason="Giao lại cho chuyên viên",
                        lines=[line(LineRole.LEAD, user=specialist, days=10)])
    html = page.get(f"/work/incoming/{paper.pk}/").content.decode()
    assert '<td data-testid="due">16/11/2026</td>' in html
