"""Click-only journeys of the daily work (issue 13, done means): from the home page, with no
typed address after signing in, the clerk registers what arrived and opens the incoming
register, the head opens "Chờ phân công" and assigns, the specialist opens the task and writes
an opinion, the head approves a submitted draft (trình ký) — at 1280×800 and on a 390 px phone,
where no page scrolls sideways. Each step leaves a screenshot in ``VANBAN_SCREENSHOTS`` (else
the test's temporary folder); ``scripts/screenshots`` uses them for the user guides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import helpers
from tests.browser.helpers import off_the_loop, watch_csp
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ARRIVED = "Về việc báo cáo tình hình thu chi ngân sách quý IV"
UNASSIGNED = "Về việc lập dự toán ngân sách nhà nước năm 2027"
TASK = "Về việc rà soát các khoản chi thường xuyên"
DRAFT = "Về việc tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ năm 2026"
# The elements that reach past the screen's right edge, named for the failure message.
WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' '
                 + Math.round(e.getBoundingClientRect().right))"""
OPINION = "Đã rà soát số liệu, đề nghị trả lời theo dự thảo."


@pytest.fixture
def _steps_emptied(transactional_db: None) -> Iterator[None]:
    """Empty the append-only approval steps before the test database is flushed (their
    triggers refuse the flush's DELETE), then restore the triggers."""
    yield
    from django.db import connection

    from vanban.registry import triggers
    from vanban.registry.models import ApprovalStep

    triggers.drop(connection)
    try:
        ApprovalStep.objects.all().delete()
    finally:
        triggers.install(connection)


@pytest.fixture
def world(make_agency: Any, make_user: Any, _steps_emptied: None) -> dict[str, Any]:
    """Sở Tài chính with its clerk, head and a specialist of Phòng Quản lý ngân sách: Sở Nội vụ
    sends it a signed document (waiting for the clerk); a paper document waits for the head;
    another is assigned to the specialist; the specialist's draft waits for approval."""
    from vanban.core import clock
    from vanban.directory.models import Unit
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper
    from vanban.incoming.tests.conftest import send_signed
    from vanban.registry import services
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
    for user, name in ((clerk, "Nguyễn Thị Lan"), (head, "Trần Văn Minh"),
                       (specialist, "Lê Thu Hà")):
        user.full_name = name  # the guides' pictures show people, not "Cán bộ 3"
        user.save(update_fields=["full_name"])
    demo_pki_load(agencies=[sender])

    def prepare() -> dict[str, Any]:
        send_signed(sender_clerk, sender, [finance], subject=ARRIVED)
        papers = [incoming_register_paper(
            actor=clerk, data=make_pdf(f"Cong van giay {n}"), subject=subject,
            issuer_name="Bộ Tài chính", code_number=str(120 + n), code_notation="BTC-NSNN",
            type_name="Công văn") for n, subject in enumerate((UNASSIGNED, TASK))]
        assignment_create(actor=head, document=papers[1], lines=[
            LineInput(role=LineRole.LEAD, unit=None, user=specialist, working_days=5,
                      deadline=None)])
        draft = services.document_create(actor=specialist, agency=finance,
                                          type_code="cong_van", subject=DRAFT)
        services.document_submit(actor=specialist, document=draft, note="Kính trình Giám đốc.")
        return {"unassigned": papers[0]}

    return {"clerk": clerk, "head": head, "specialist": specialist, **off_the_loop(prepare)}


def screenshots_folder(tmp_path: Path) -> Path:
    """``VANBAN_SCREENSHOTS`` when set (the guides' pictures), else the test's own folder."""
    return helpers.screenshots_folder(tmp_path / "screenshots")


class Journey:
    """A signed-in tab that moves by clicks only, keeping a screenshot of every step and
    checking on a phone that the page is no wider than the screen."""

    def __init__(self, browser: Any, url: str, user: Any, *, screen: str, role: str,
                 folder: Path) -> None:
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.context = browser.new_context(
            viewport=SCREENS[screen], locale="vi-VN", is_mobile=screen == "phone",
            has_touch=screen == "phone")
        self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                   "url": url}])
        self.tab = watch_csp(self.context.new_page())
        self.tab.set_default_timeout(30_000)
        self.screen, self.role, self.folder, self.step = screen, role, folder, 0
        self.tab.goto(url + "/")  # the only address ever given: the home page
        self.shot("home")

    def shot(self, name: str) -> None:
        """A screenshot of what the screen shows; on a phone, no sideways scrolling."""
        self.tab.wait_for_load_state("networkidle")  # the viewer's page images too
        self.step += 1
        self.tab.screenshot(type="png", full_page=False, path=str(
            self.folder / f"{self.role}-{self.screen}-{self.step:02d}-{name}.png"))
        wide, inner = self.tab.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= inner, (f"{self.role} {name}: the page is {wide} px wide on the "
                               f"{self.screen} ({inner} px): {self.tab.evaluate(WIDEST)}")

    def click(self, selector: str, name: str) -> None:
        """Click something that opens another page, then keep its screenshot."""
        with self.tab.expect_navigation():
            self.tab.locator(selector).first.click()
        self.shot(name)

    def menu(self, label: str, name: str) -> None:
        """Open a menu entry by its label (on a phone, behind the menu button first)."""
        if self.screen == "phone":
            self.tab.click("[data-testid=menu-toggle]")
        self.click(f"#sidenav a:text-is('{label}')", name)

    def close(self) -> None:
        self.context.close()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_clerk_registers_an_arrival_and_opens_the_register(
        live_server: Any, browser: Any, world: Any, screen: str, tmp_path: Path) -> None:
    """R10.1: from the home page the clerk reaches what arrived, registers it with an arrival
    number and finds it in the incoming register, by clicking only."""
    clerk = Journey(browser, live_server.url, world["clerk"], screen=screen,
                    role="van-thu", folder=screenshots_folder(tmp_path))
    assert clerk.tab.get_attribute("[data-counter=waiting]", "data-count") == "1"
    clerk.click("[data-counter=waiting]", "den-cho-vao-so")
    clerk.click("[data-testid=waiting] a", "kiem-tra-va-vao-so")
    clerk.tab.select_option("select[name=recipient_user]", str(world["head"].pk))
    clerk.click("[data-testid=register]", "da-vao-so")
    assert ARRIVED in clerk.tab.content()
    clerk.menu("Sổ đăng ký văn bản đến", "so-dang-ky-den")
    assert ARRIVED in clerk.tab.content()
    clerk.close()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_head_assigns_what_waits_for_assignment(
        live_server: Any, browser: Any, world: Any, screen: str, tmp_path: Path) -> None:
    """R8.1: from the home page the head opens "Chờ phân công", chooses the lead and a deadline
    in working days and assigns, by clicking only."""
    head = Journey(browser, live_server.url, world["head"], screen=screen,
                   role="lanh-dao", folder=screenshots_folder(tmp_path))
    assert head.tab.get_attribute("[data-counter=unassigned]", "data-count") == "1"
    head.click("[data-counter=unassigned]", "cho-phan-cong")
    head.click(f"tr[data-incoming='{world['unassigned'].pk}'] [data-testid=assign-link]",
               "phan-cong")
    head.tab.select_option("#lead", f"p:{world['specialist'].pk}")
    head.tab.fill("#lead_days", "5")
    head.tab.fill("#direction", "Giao phòng chủ trì, báo cáo trước hạn.")
    head.click("[data-testid=assign]", "da-phan-cong")
    assert head.tab.locator("[data-testid=lines]").is_visible()
    assert "Giao phòng chủ trì" in head.tab.inner_text("[data-testid=opinions]")
    head.close()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_specialist_writes_an_opinion_on_the_task(
        live_server: Any, browser: Any, world: Any, screen: str, tmp_path: Path) -> None:
    """R8.1, R14.2: from the home page the specialist opens the task from "Việc của tôi" and
    writes an opinion, kept with their name, by clicking only."""
    worker = Journey(browser, live_server.url, world["specialist"], screen=screen,
                     role="chuyen-vien", folder=screenshots_folder(tmp_path))
    worker.click("[data-counter=my_tasks]", "viec-cua-toi")
    worker.click("[data-testid=task-subject]", "xu-ly")
    worker.tab.fill("#text", OPINION)
    worker.click("[data-testid=write-opinion]", "da-ghi-y-kien")
    opinions = worker.tab.inner_text("[data-testid=opinions]")
    assert OPINION in opinions
    assert world["specialist"].full_name in opinions
    worker.close()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_head_approves_a_submitted_draft(
        live_server: Any, browser: Any, world: Any, screen: str, tmp_path: Path) -> None:
    """Issue 13 (trình ký): from the home page the head opens the draft waiting for approval
    and approves it with a note, by clicking only."""
    head = Journey(browser, live_server.url, world["head"], screen=screen,
                   role="lanh-dao-duyet", folder=screenshots_folder(tmp_path))
    assert head.tab.get_attribute("[data-counter=awaiting_approval]", "data-count") == "1"
    head.click("[data-counter=awaiting_approval]", "du-thao-cho-duyet")
    head.click(f"a:has-text('{DRAFT}')", "du-thao")
    head.tab.fill("[data-testid=approval-note-input]", "Đồng ý, văn thư phát hành.")
    head.click("[data-testid=approval-approve]", "da-duyet")
    assert head.tab.locator("[data-approval=approved]").count() == 1
    head.close()
