"""Browser test of the citizen portal (issue 12 point 5) in headless Chromium, on a 360 px
phone: a citizen finds a procedure, files it online with two PDFs (checked and scanned like
any upload), and tracks the dossier with its code and secret; a wrong secret reveals nothing.
Pages pass axe's accessibility rules and need nothing the security policy refuses."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.test import override_settings
from tests.browser.conftest import ARGS, CHROMIUM, _no_csp_violations, browser  # noqa: F401
from tests.browser.helpers import watch_csp

from vanban.core.roles import Role
from vanban.onestop import services
from vanban.onestop.models import Dossier, OnlineLevel, Procedure, RequiredDocument
from vanban.security.tests.fixtures import clean_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Rules that judge the page's own structure (labels, names, contrast, language, landmarks).
SERIOUS = ("critical", "serious")


def _accessible(tab: Any) -> None:
    found = Axe().run(tab)
    bad = [v for v in found.response["violations"] if v["impact"] in SERIOUS]
    assert bad == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in bad]


@pytest.fixture
def procedure(make_agency: Any) -> Procedure:
    desk = make_agency(code="000.00.31.H10", name="UBND xã Tân Mỹ")
    found = Procedure.objects.create(
        agency=desk, code="1.001193", name="Đăng ký khai sinh", sector="Hộ tịch",
        limit_value=Decimal(1), fee="Miễn lệ phí", online_level=OnlineLevel.FULL)
    RequiredDocument.objects.create(procedure=found, order=1, name="Tờ khai đăng ký khai sinh")
    RequiredDocument.objects.create(procedure=found, order=2, name="Giấy chứng sinh")
    return found


@pytest.fixture
def finish(make_user: Any, procedure: Procedure) -> Callable[[str], object]:
    """Finish a dossier at the desk (refused), so its applicant may rate the service."""
    officer = make_user(procedure.agency, roles=[Role.ONESTOP])
    return lambda code: services.dossier_refuse(
        actor=officer, dossier=Dossier.objects.get(code=code), reason="Sai thủ tục")


def _rate_once_finished(tab: Any, url: str, code: str, secret: str,
                        finish: Callable[[str], object]) -> None:
    assert tab.locator("[data-testid=rate]").count() == 0  # rated once finished
    finish(code)
    tab.goto(f"{url}/dich-vu-cong/tra-cuu/")
    tab.fill("#code", code)
    tab.fill("#secret", secret)
    tab.press("#secret", "Enter")
    tab.check("input[name=score][value='5']")
    tab.fill("#comment", "Nhanh gọn")
    tab.click("[data-testid=rate]")
    assert tab.is_visible("[data-testid=thanks]")


@pytest.mark.usefixtures("scanner_on")
def test_citizen_files_online_and_tracks(live_server: Any, browser: Any,  # noqa: F811
                                         procedure: Procedure, tmp_path: Any,
                                         finish: Callable[[str], object]) -> None:
    """R11.1: an online filing through the intake gets a code and secret; R12.1: tracking
    with both shows the status and a masked name; a wrong secret shows one message and no
    data; once the dossier is finished the applicant rates the service."""
    cache.clear()
    files = []
    for name in ("to-khai.pdf", "chung-sinh.pdf"):
        path = tmp_path / name
        path.write_bytes(clean_pdf(name))
        files.append(str(path))
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(90_000)  # a shared, busy machine
    with override_settings(VANBAN_PORTAL_LOCAL_SUBMISSION=True):
        tab.goto(f"{live_server.url}/dich-vu-cong/")
        _accessible(tab)
        tab.fill("#q", "khai sinh")
        tab.press("#q", "Enter")
        tab.click("text=Đăng ký khai sinh")
        assert "Giấy chứng sinh" in tab.content()
        tab.click("[data-testid=file-online]")
        _accessible(tab)
        tab.fill("#name", "Nguyễn Văn An")
        tab.fill("#id_number", "001099000123")
        tab.fill("#email", "an@example.vn")
        docs = list(procedure.required_documents.order_by("order"))
        tab.set_input_files(f"#doc_{docs[0].pk}", files[0])
        tab.set_input_files(f"#doc_{docs[1].pk}", files[1])
        tab.click("[data-testid=submit]")
        code = tab.text_content("[data-testid=code]") or ""
        secret = tab.text_content("[data-testid=secret]") or ""
        assert Dossier.objects.get(code=code).channel == "online"
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360

        tab.goto(f"{live_server.url}/dich-vu-cong/tra-cuu/")
        _accessible(tab)
        tab.fill("#code", code)
        tab.fill("#secret", "WRONG999")
        tab.click("[data-testid=track]")
        assert "Mã hồ sơ hoặc mã bí mật không đúng" in (tab.text_content("[data-testid=error]")
                                                       or "")
        assert "Nguyễn" not in tab.content()

        tab.fill("#secret", secret)
        tab.press("#secret", "Enter")  # the keyboard alone files the form
        assert tab.text_content("[data-testid=state]") == "Mới nộp, chờ kiểm tra"
        assert tab.text_content("[data-testid=applicant]") == "N. V. A."
        _accessible(tab)
        _rate_once_finished(tab, live_server.url, code, secret, finish)
    context.close()
