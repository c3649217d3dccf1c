"""Browser tests of the daily loop (issue 13): each role starts at the home page and reaches its
daily action by clicking only — the clerk the arrived document's register form, the head the
assignment form of a document waiting for assignment, the specialist the processing page of
their task — on the office screen and on a 390 px phone, where no page is wider than the screen
and the menu sits behind a button (R8.1, R10.1). Screenshots are kept as test artifacts
(``VANBAN_SCREENSHOTS``, else the test's temporary folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, screenshots_folder, watch_csp
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}


def _artifacts(tmp_path: Path) -> Path:
    return screenshots_folder(tmp_path, "dashboard")


def _tab(browser: Any, url: str, user: Any, screen: str) -> Any:
    """A tab signed in as ``user`` with the screen's size (a phone: touch, mobile viewport)."""
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


class Walk:
    """Clicks through pages, checking the width on a phone and keeping a screenshot of each."""

    def __init__(self, tab: Any, screen: str, folder: Path, role: str) -> None:
        self.tab, self.screen, self.folder, self.role = tab, screen, folder, role
        self.step = 0

    def check(self, name: str) -> None:
        self.tab.wait_for_load_state("load")
        self.step += 1
        self.tab.screenshot(path=str(self.folder / f"{self.role}-{self.screen}-{self.step:02d}"
                                     f"-{name}.png"), full_page=True)
        if self.screen == "phone":
            width = self.tab.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: the page is {width} px wide"

    def narrowest(self, name: str) -> None:
        """Reading, assigning and writing opinions still fit a 360 px phone."""
        if self.screen != "phone":
            return
        self.tab.set_viewport_size({"width": 360, "height": 780})
        self.tab.screenshot(path=str(self.folder / f"{self.role}-360-{name}.png"), full_page=True)
        width = self.tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: the page is {width} px wide at 360 px"

    def click(self, selector: str, name: str) -> None:
        with self.tab.expect_navigation():
            self.tab.click(selector)
        self.check(name)


def _menu_behind_a_button(tab: Any, screen: str) -> None:
    """On a phone the menu is closed until its button opens it; on a desk it is always there."""
    menu = tab.locator("#sidenav")
    if screen == "desktop":
        assert menu.is_visible()
        assert not tab.locator("[data-testid=menu-toggle]").is_visible()
        return
    assert not menu.is_visible()
    tab.click("[data-testid=menu-toggle]")
    assert menu.is_visible()
    tab.click("[data-testid=menu-toggle]")
    assert not menu.is_visible()


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """Sở Tài chính with its clerk, head and a specialist of Phòng Quản lý ngân sách; Sở Nội vụ
    sends it a document, which waits for the clerk; a paper document is registered and waits
    for the head; another is assigned to the specialist's unit."""
    from vanban.core import clock
    from vanban.directory.models import Unit
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper
    from vanban.incoming.tests.conftest import send_signed
    from vanban.signatures.demo import demo_pki_load
    from vanban.workflow.models import LineRole
    from vanban.workflow.services import LineInput, assignment_create

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    budget = Unit.objects.create(agency=finance, code="QLNS", name="Phòng Quản lý ngân sách",
                                 short_name="QLNS", created_at=clock.now())
    sender_clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv")
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="gd.stc")
    specialist = make_user(finance, roles=[Role.SPECIALIST], unit=budget, username="cv.stc")

    demo_pki_load(agencies=[sender])

    def prepare() -> dict[str, Any]:
        document = send_signed(sender_clerk, sender, [finance],
                               subject="Về việc báo cáo tình hình thu chi ngân sách quý IV")
        papers = [incoming_register_paper(
            actor=clerk, data=make_pdf(f"Cong van giay {n}"), subject=subject,
            issuer_name="Bộ Tài chính", code_number=str(120 + n), code_notation="BTC-NSNN",
            type_name="Công văn") for n, subject in enumerate((
                "Về việc lập dự toán ngân sách nhà nước năm 2027",
                "Về việc rà soát các khoản chi thường xuyên"))]
        assignment_create(actor=head, document=papers[1], lines=[
            LineInput(role=LineRole.LEAD, unit=budget, user=None, working_days=5,
                      deadline=None)])
        return {"waiting": document, "unassigned": papers[0], "task": papers[1]}

    found = off_the_loop(prepare)
    return {"clerk": clerk, "head": head, "specialist": specialist, **found}


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_daily_loop_of_each_role_by_clicking(live_server: Any, browser: Any, world: Any,
                                            screen: str, tmp_path: Path) -> None:
    """R10.1: the clerk reaches the register form of what arrived; R8.1: the head reaches the
    assignment form of what waits for assignment, the specialist the processing page of their
    task — from the home page, by clicking only, each page within a 390 px phone's width."""
    folder = _artifacts(tmp_path)

    clerk = Walk(_tab(browser, live_server.url, world["clerk"], screen), screen, folder, "clerk")
    clerk.tab.goto(f"{live_server.url}/")
    clerk.check("home")
    _menu_behind_a_button(clerk.tab, screen)
    assert clerk.tab.get_attribute("[data-counter=waiting]", "data-count") == "1"
    clerk.click("[data-counter=waiting]", "inbox")
    clerk.click("[data-testid=waiting] a", "delivery")
    assert clerk.tab.locator("[data-testid=register]").is_visible()
    assert "Về việc báo cáo tình hình thu chi" in clerk.tab.content()

    head = Walk(_tab(browser, live_server.url, world["head"], screen), screen, folder, "head")
    head.tab.goto(f"{live_server.url}/")
    head.check("home")
    assert head.tab.get_attribute("[data-counter=unassigned]", "data-count") == "1"
    head.click("[data-counter=unassigned]", "unassigned")
    with head.tab.expect_navigation():
        head.tab.click(f"tr[data-incoming='{world['unassigned'].pk}'] [data-testid=assign-link]")
    head.check("assign")
    assert head.tab.locator("[data-testid=assign-form]").is_visible()
    assert head.tab.locator("[data-testid=incoming-file]").is_visible()
    head.narrowest("assign")

    worker = Walk(_tab(browser, live_server.url, world["specialist"], screen), screen, folder,
                  "specialist")
    worker.tab.goto(f"{live_server.url}/")
    worker.check("home")
    assert worker.tab.get_attribute("[data-counter=my_tasks]", "data-count") == "1"
    worker.click("[data-counter=my_tasks]", "my-tasks")
    worker.click("[data-testid=task-subject]", "document")
    assert worker.tab.locator("[data-testid=opinion-form]").is_visible()
    assert worker.tab.locator("[data-testid=incoming-file]").is_visible()
    assert "Về việc rà soát các khoản chi thường xuyên" in worker.tab.content()
    worker.narrowest("document")


@pytest.mark.parametrize("role", ["clerk", "head", "specialist"])
def test_every_menu_page_fits_a_phone(live_server: Any, browser: Any, world: Any, role: str,
                                      tmp_path: Path) -> None:
    """Issue 13 observed 8: every page of the role's menu, opened from the menu button, is no
    wider than a 390 px phone."""
    walk = Walk(_tab(browser, live_server.url, world[role], "phone"), "phone",
                _artifacts(tmp_path), f"menu-{role}")
    walk.tab.goto(f"{live_server.url}/")
    labels = walk.tab.locator("#sidenav a").all_inner_texts()
    assert len(labels) >= 5
    for n in range(len(labels)):
        walk.tab.click("[data-testid=menu-toggle]")
        link = walk.tab.locator("#sidenav a").nth(n)
        name = (link.get_attribute("href") or "").strip("/").replace("/", "-") or "home"
        walk.click(f"#sidenav li:nth-child({n + 1}) a", name)
