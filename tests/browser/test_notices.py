"""Browser test of the notifications (issue 13): the head's bell page lists what the periodic
job wrote, a notice opens the page it is about and is then read, "mark all read" empties the
count, and the mail choice is saved — on the office screen and on a 390 px phone, no page wider
than the screen. Screenshots are kept as test artifacts (``VANBAN_SCREENSHOTS``, else the test's
temporary folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, screenshots_folder, watch_csp
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _tab(browser: Any, url: str, user: Any, screen: str) -> Any:
    """A tab signed in as ``user`` with the screen's size."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=SCREENS[screen], locale="vi-VN",
                                  is_mobile=screen == "phone", has_touch=screen == "phone")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": url}])
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(15_000)
    return tab


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """Sở Tài chính: its clerk registered two paper documents; the job told the head."""
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper
    from vanban.notices.services import notices_run

    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="gd.stc")

    def prepare() -> list[Any]:
        papers = [incoming_register_paper(
            actor=clerk, data=make_pdf(f"Cong van giay {n}"), subject=subject,
            issuer_name="Bộ Tài chính", code_number=str(120 + n), code_notation="BTC-NSNN",
            type_name="Công văn") for n, subject in enumerate((
                "Về việc lập dự toán ngân sách nhà nước năm 2027",
                "Về việc rà soát các khoản chi thường xuyên"))]
        notices_run()
        return papers

    return {"head": head, "papers": off_the_loop(prepare)}


def _fits(tab: Any, screen: str, folder: Path, name: str) -> None:
    tab.wait_for_load_state("load")
    tab.screenshot(path=str(folder / f"notices-{screen}-{name}.png"), full_page=True)
    if screen == "phone":
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= SCREENS["phone"]["width"], f"{name}: the page is {width} px wide"


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_bell_page_read_and_mail_choice(live_server: Any, browser: Any, world: Any,
                                        screen: str, tmp_path: Path) -> None:
    """The head sees two notices "chờ phân công", opens one (the assignment form), marks the
    rest read, and chooses a mail for each notice."""
    folder = screenshots_folder(tmp_path, "notices")
    tab = _tab(browser, live_server.url, world["head"], screen)
    tab.goto(f"{live_server.url}/notices/")
    _fits(tab, screen, folder, "list")
    assert tab.get_attribute("[data-testid=unread-count]", "data-count") == "2"
    assert tab.locator("[data-testid=notice][data-kind=assign]").count() == 2
    with tab.expect_navigation():
        tab.locator("[data-testid=notice-open]").first.click()
    assert "/work/incoming/" in tab.url
    assert tab.locator("[data-testid=assign-form]").is_visible()
    tab.go_back()
    tab.reload()
    assert tab.get_attribute("[data-testid=unread-count]", "data-count") == "1"
    with tab.expect_navigation():
        tab.click("[data-testid=read-all] button")
    _fits(tab, screen, folder, "all-read")
    assert tab.get_attribute("[data-testid=unread-count]", "data-count") == "0"
    with tab.expect_navigation():
        tab.click("[data-testid=notice-settings]")
    _fits(tab, screen, folder, "settings")
    tab.check("[data-testid=mail-each]")
    with tab.expect_navigation():
        tab.click("[data-testid=save]")
    assert tab.is_checked("[data-testid=mail-each]")
