"""Browser test: a clerk sends a ready document to three agencies and watches each recipient's
state change on the tracking page as the recipients accept or reject it (R7.1, R7.2)."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser: Any, url: str, user: Any) -> Any:
    """A new tab signed in as ``user``."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": url}])
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def _state(page: Any, code: str) -> str:
    return str(page.get_attribute(f"tr[data-recipient='{code}'] [data-testid=state]",
                                  "data-state"))


def test_send_to_three_agencies_and_watch_states(live_server, browser, make_agency, make_user):
    """R7.1: sent → arrived (01) for all three, then accepted (03) and rejected (02 with its
    reason) as the recipients act; times shown, evidence link per recipient."""
    from vanban.exchange.tests.conftest import ready_document

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    health = make_agency("000.00.04.H06", name="Sở Y tế", short_name="SYT")
    schools = make_agency("000.00.05.H06", name="Sở Giáo dục và Đào tạo", short_name="SGDĐT")
    clerk = make_user(sender, roles=[Role.CLERK])
    document = ready_document(clerk, sender, [finance, health, schools])

    page = _sign_in(browser, live_server.url, clerk)
    page.goto(f"{live_server.url}/exchange/documents/{document.pk}/")
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=deliveries]")
    page.reload()  # the worker's wake-up ran after the commit: the copies are in the inboxes
    assert {_state(page, a.code) for a in (finance, health, schools)} == {"01"}
    assert page.locator("[data-testid=evidence]").count() == 3
    assert page.get_attribute("[data-testid=evidence]", "href").startswith("/evidence/delivery/")

    accepting = _sign_in(browser, live_server.url, make_user(finance, roles=[Role.CLERK]))
    accepting.goto(f"{live_server.url}/exchange/inbox/")
    accepting.click("[data-testid=inbox] a")
    accepting.click("[data-testid=accept]")
    accepting.wait_for_selector("[data-testid=state][data-state='03']")

    rejecting = _sign_in(browser, live_server.url, make_user(health, roles=[Role.CLERK]))
    rejecting.goto(f"{live_server.url}/exchange/inbox/")
    rejecting.click("[data-testid=inbox] a")
    rejecting.fill("input[name=reason]", "Không thuộc thẩm quyền")
    rejecting.click("[data-testid=reject]")
    rejecting.wait_for_selector("[data-testid=state][data-state='02']")

    page.reload()
    assert _state(page, finance.code) == "03"
    assert _state(page, health.code) == "02"
    assert _state(page, schools.code) == "01"
    row = page.inner_text(f"tr[data-recipient='{health.code}']")
    assert "Không thuộc thẩm quyền" in row
    assert "Từ chối tiếp nhận" in row
