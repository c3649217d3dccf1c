"""Dashboard leftovers of issue 13: the clerk's "to number" counter leaves out drafts with the
head (trình ký), a sending rejected by two recipients counts once, and the menu's badges reuse
a user's counts for a minute instead of counting on every page, while the home page is always
current."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vanban.core.roles import Role
from vanban.exchange import services as exchange
from vanban.exchange.tests.conftest import ready_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _count(html: str, key: str) -> int:
    found = re.search(rf'data-counter="{key}" data-count="(\d+)"', html)
    assert found is not None, key
    return int(found.group(1))


def test_drafts_with_the_head_are_not_to_number(clerk, agency, sender, specialist) -> None:
    """R9.1 (trình ký): a draft submitted to the head waits for approval, not for a number; the
    clerk's counter and its list both leave it out, and count the plain draft."""
    from vanban.registry import services as registry

    plain = registry.document_create(actor=clerk, agency=agency, type_code="cong_van",
                                     subject="Về việc dự thảo thường")
    submitted = registry.document_create(actor=specialist, agency=agency, type_code="cong_van",
                                         subject="Về việc dự thảo trình ký")
    registry.document_submit(actor=specialist, document=submitted)
    page = _client(clerk)
    assert _count(page.get("/").content.decode(), "to_number") == 1
    listing = page.get("/queues/outgoing/?queue=to_number").content.decode()
    assert f'href="/documents/{plain.pk}/"' in listing
    assert f'href="/documents/{submitted.pk}/"' not in listing


def test_a_sending_rejected_by_two_recipients_counts_once(
        clerk, agency, sender, other_agency, make_user) -> None:
    """Status 02 from two recipients of one sending: one sending to look at, not two."""
    from vanban.incoming.services import incoming_reject

    document = ready_document(clerk, agency, [sender, other_agency],
                              subject="Về việc gửi hai nơi")
    transmission = exchange.transmission_send(actor=clerk, document=document)
    exchange.outbox_run()
    for delivery in transmission.deliveries.select_related("recipient"):
        recipient_clerk = make_user(delivery.recipient, roles=[Role.CLERK],
                                    username=f"vt.{delivery.recipient.short_name.lower()}")
        incoming_reject(actor=recipient_clerk, delivery=delivery, reason="Không đúng thẩm quyền")
    page = _client(clerk)
    assert _count(page.get("/").content.decode(), "rejected") == 1
    from django.urls import reverse

    listing = page.get("/queues/rejected/").content.decode()
    assert listing.count(reverse("exchange:tracking", args=[document.pk])) == 1


def test_badges_are_reused_for_a_minute_and_home_is_always_current(head, clerk, paper) -> None:
    """Issue 13: the menu's badges do not run the dashboard's counts on every page: a second
    page within the minute reads them from the cache (fewer queries); the home page counts
    afresh, so new work shows there at once (and refreshes the badges)."""
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper

    page = _client(head)
    page.get("/")
    with CaptureQueriesContext(connection) as counted:
        page.get("/work/calendar/")
    with CaptureQueriesContext(connection) as reused:
        page.get("/work/calendar/")
    assert len(reused) < len(counted)
    incoming_register_paper(actor=clerk, data=make_pdf("Cong van 2"), subject="Về việc mới",
                            issuer_name="Bộ Tài chính", code_number="8", code_notation="BTC",
                            type_name="Công văn")
    assert re.search(r'Chờ phân công <span class="nav-badge"[^>]*>1<',
                     page.get("/work/calendar/").content.decode())  # still the cached count
    home = page.get("/").content.decode()
    assert _count(home, "unassigned") == 2
    assert re.search(r'Chờ phân công <span class="nav-badge"[^>]*>2<',
                     page.get("/work/calendar/").content.decode())
