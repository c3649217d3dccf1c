"""Browser test: a clerk sends a ready document to three agencies and watches each recipient's
state change on the tracking page as the recipients accept or reject it (R7.1, R7.2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, sign_in
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _state(page: Any, code: str) -> str:
    return str(page.get_attribute(f"tr[data-recipient='{code}'] [data-testid=state]",
                                  "data-state"))


def test_send_to_three_agencies_and_watch_states(live_server, browser, make_agency, make_user):
    """R7.1: sent → arrived (01) for all three, then registered (03) and rejected (02 with its
    reason) as the recipients act; times shown, evidence link per recipient."""
    from vanban.exchange.tests.conftest import ready_document
    from vanban.signatures.demo import demo_pki_load

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    health = make_agency("000.00.04.H06", name="Sở Y tế", short_name="SYT")
    schools = make_agency("000.00.05.H06", name="Sở Giáo dục và Đào tạo", short_name="SGDĐT")
    clerk = make_user(sender, roles=[Role.CLERK])
    demo_pki_load(agencies=[sender])
    document = off_the_loop(ready_document, clerk, sender, [finance, health, schools],
                            signed=True)

    page = sign_in(browser, live_server.url, clerk)
    page.goto(f"{live_server.url}/exchange/documents/{document.pk}/")
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=deliveries]")
    page.reload()  # the worker's wake-up ran after the commit: the copies are in the inboxes
    assert {_state(page, a.code) for a in (finance, health, schools)} == {"01"}
    assert page.locator("[data-testid=evidence]").count() == 3
    assert page.get_attribute("[data-testid=evidence]", "href").startswith("/evidence/delivery/")

    accepting = sign_in(browser, live_server.url, make_user(finance, roles=[Role.CLERK]))
    accepting.goto(f"{live_server.url}/exchange/inbox/")
    accepting.click("[data-testid=inbox] a")
    accepting.click("[data-testid=accept]")  # to the verification and the incoming register
    accepting.select_option("select[name=recipient_user]", index=1)  # Decree 30 col. 7
    accepting.click("[data-testid=register]")
    accepting.wait_for_url("**/incoming/entry/**")

    rejecting = sign_in(browser, live_server.url, make_user(health, roles=[Role.CLERK]))
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
