"""The work dashboard (issue 13): each role's counters, each one click from its list, the menu's
badges and the bell, with few queries, scoped to the user's agency and role (R8.1, R10.1)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.test import Client

from vanban.core import clock
from vanban.exchange import services as exchange
from vanban.exchange.tests.conftest import ready_document
from vanban.web.dashboard import compute
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import MONDAY
from vanban.workflow.tests.conftest import line as line_input

pytestmark = pytest.mark.django_db
LATER = datetime.fromisoformat("2026-11-16T09:00:00+07:00")  # two weeks after the Monday


@pytest.fixture(autouse=True)
def _monday():
    """On Monday 02/11/2026, 09:00 in Hà Nội, as the workflow's tests."""
    with clock.frozen(MONDAY):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _counters(html: str) -> dict[str, tuple[int, str]]:
    """{counter key: (count, link)} read from the home page."""
    found = re.findall(r'<a class="counter[^"]*" href="([^"]+)" data-testid="counter" '
                       r'data-counter="([a-z_]+)" data-count="(\d+)"', html)
    return {key: (int(count), url.replace("&amp;", "&")) for url, key, count in found}


def _arrived(sender_clerk: Any, sender: Any, agency: Any) -> None:
    """A real delivery from Sở Nội vụ, arrived (01) and waiting for the clerk."""
    document = ready_document(sender_clerk, sender, [agency], subject="Về việc kiểm tra")
    exchange.transmission_send(actor=sender_clerk, document=document)
    exchange.outbox_run()


def test_clerk_counts_arrivals_badge_and_bell(clerk, sender_clerk, sender, agency):
    """R10.1: the clerk's "chờ vào sổ" counts the arrived delivery and links to the inbox; the
    menu shows it as a badge; the bell rings until the clerk has looked at the home page."""
    _arrived(sender_clerk, sender, agency)
    page = _client(clerk)
    html = page.get("/").content.decode()
    counters = _counters(html)
    assert counters["waiting"] == (1, "/incoming/")
    assert counters["to_sign"][1] == "/queues/outgoing/?queue=to_sign"
    assert {"rejected", "to_number", "to_send"} <= set(counters)
    assert "unassigned" not in counters
    assert "my_tasks" not in counters
    assert re.search(r'href="/incoming/">Văn bản đến <span class="nav-badge"[^>]*>1<', html)
    assert 'data-testid="bell" data-count="1"' in html
    assert "1 văn bản mới đến" in html
    # Looked at: nothing new any more, the work still waits.
    html = page.get("/").content.decode()
    assert 'data-testid="bell" data-count="0"' in html
    assert _counters(html)["waiting"][0] == 1
    assert "Sẽ có trong phiên bản sau" not in html


def test_head_counts_unassigned_in_progress_and_deadlines(head, paper, budget, agency):
    """R8.1: the head's "chờ phân công" counts the registered document and links to the queue;
    after assigning it is "đang xử lý", and two weeks on it is "quá hạn"."""
    page = _client(head)
    html = page.get("/").content.decode()
    counters = _counters(html)
    assert counters["unassigned"] == (1, "/work/unassigned/")
    assert "1 văn bản mới vào sổ chờ phân công" in html
    assert 'data-testid="bell" data-count="1"' in html
    assert counters["in_progress"] == (0, "/work/documents/?queue=in_progress")
    assignment_create(actor=head, document=paper, lines=[line_input(LineRole.LEAD, unit=budget,
                                                                    days=2)])
    counters = _counters(page.get("/").content.decode())
    assert counters["unassigned"][0] == 0
    assert counters["in_progress"][0] == 1
    assert counters["agency_due_soon"] == (1, "/work/overdue/?due=soon")
    with clock.frozen(LATER):
        html = page.get("/").content.decode()
        assert _counters(html)["agency_overdue"] == (1, "/work/overdue/?due=overdue")
        listed = page.get("/work/overdue/?due=overdue").content.decode()
        assert paper.subject in listed
        assert paper.subject not in page.get("/work/overdue/?due=soon").content.decode()
    assert "Sẽ có trong phiên bản sau" not in html


def test_specialist_counts_own_tasks(head, paper, budget, specialist, stranger):
    """R8.1: the specialist's "việc của tôi" counts the line of their unit, links to the list
    and from there to the processing page; another agency's head sees none of it."""
    assignment_create(actor=head, document=paper, lines=[line_input(LineRole.LEAD, unit=budget,
                                                                    days=2)])
    page = _client(specialist)
    html = page.get("/").content.decode()
    counters = _counters(html)
    assert counters["my_tasks"] == (1, "/work/")
    assert 'data-testid="bell" data-count="1"' in html
    assert "unassigned" not in counters
    assert "waiting" not in counters
    assert f'href="/work/incoming/{paper.pk}/"' in page.get("/work/").content.decode()
    assert 'href="/work/documents/">Văn bản đến' in html
    with clock.frozen(LATER):
        assert _counters(page.get("/").content.decode())["my_overdue"] == (
            1, "/work/?due=overdue")
        assert paper.subject in page.get("/work/?due=overdue").content.decode()
        assert paper.subject not in page.get("/work/?due=soon").content.decode()
    other = _counters(_client(stranger).get("/").content.decode())
    assert other["unassigned"][0] == 0
    assert other["in_progress"][0] == 0


@pytest.mark.parametrize("who", ["clerk", "head", "specialist"])
def test_one_query_per_counter_group(who, request, django_assert_max_num_queries, paper):
    """At most one query per counter, each bounded by the cap (the clerk's six: to register,
    newly arrived, rejected, to number, to sign, to send; the head's six: to assign, in
    progress, newly registered, due soon, overdue, awaiting approval) or one aggregate over a
    few rows (the specialist's own lines), plus the user's roles."""
    user = request.getfixturevalue(who)
    user.role_set()  # the roles are read once per request by the menu already
    limit = {"clerk": 7, "head": 7, "specialist": 2}[who]
    with django_assert_max_num_queries(limit):
        board = compute(user, clock.now())
    assert board.groups


def test_outgoing_queue_lists_documents_to_send(clerk, agency, sender, province):
    """The clerk's "chờ gửi" counts a document ready to send and its list links to it."""
    document = ready_document(clerk, agency, [sender], subject="Về việc gửi báo cáo tháng")
    page = _client(clerk)
    counters = _counters(page.get("/").content.decode())
    assert counters["to_send"][0] == 1
    html = page.get("/queues/outgoing/?queue=to_send").content.decode()
    assert f'href="/documents/{document.pk}/"' in html
    assert "Về việc gửi báo cáo tháng" not in page.get(
        "/queues/outgoing/?queue=to_send&q=khong-co").content.decode()
    assert page.get("/queues/rejected/").status_code == 200


def test_counts_stop_at_the_cap(head, clerk, paper, monkeypatch):
    """A counter counts up to the cap and shows "+" (bounded cost on every page's badges)."""
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper
    from vanban.workflow import selectors

    incoming_register_paper(actor=clerk, data=make_pdf("Cong van 2"), subject="Về việc khác",
                            issuer_name="Bộ Tài chính", code_number="7", code_notation="BTC",
                            type_name="Công văn")
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    html = _client(head).get("/").content.decode()
    assert _counters(html)["unassigned"][0] == 1
    assert '<span class="counter-n">1+</span><span class="counter-label">Chờ phân công' in html
    assert re.search(r'Chờ phân công <span class="nav-badge"[^>]*>1\+<', html)


def test_favicon_is_answered_and_not_audited(clerk):
    """Issue 13 observed 9: a browser's own request for /favicon.ico is answered (the emblem),
    so it no longer writes a "not found" audit event per new browser; pages name the icon."""
    from vanban.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    for client in (Client(), _client(clerk)):
        response = client.get("/favicon.ico")
        assert response.status_code == 301
        assert response["Location"].endswith("web/favicon.svg")
    assert AuditEvent.objects.count() == before
    assert 'rel="icon"' in _client(clerk).get("/").content.decode()


def test_pages_render_in_english(head, paper):
    """The dashboard and the queues render in English too (the catalogue supplies the words)."""
    from django.conf import settings

    page = _client(head)
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in ("/", "/work/unassigned/", "/work/", "/work/overdue/", "/queues/outgoing/",
                "/queues/rejected/"):
        response = page.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode(), url
