"""Browser tests: a clerk logs in in Vietnamese and sees the home page (R20.2 login path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Văn-thư-Bắc-Giang-2026"


def test_clerk_logs_in_and_sees_home_in_vietnamese(live_server, page, make_agency, make_user):
    """R20.2: a clerk signs in through the real login page and gets the Vietnamese home page."""
    agency = make_agency("000.05.00.H99", name="Sở Thông tin và Truyền thông", short_name="STTTT")
    make_user(agency, roles=[Role.CLERK], username="vt.stttt", password=PASSWORD)

    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url  # signed-out users are sent to the login page
    page.fill("input[name=username]", "vt.stttt")
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")

    page.wait_for_selector("[data-testid=home-title]")
    assert page.inner_text("[data-testid=home-title]") == "Trang chủ"
    assert "Văn thư" in page.inner_text("main")
    assert "Sở Thông tin và Truyền thông" in page.inner_text("header")
    assert page.evaluate("document.documentElement.lang") == "vi"
    page.screenshot(path=str(live_server_screenshot_dir() / "home-vi.png"))

    page.click("button[data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("[data-testid=home-title]") == "Home"


def test_wrong_password_shows_vietnamese_error(live_server, page, make_agency, make_user):
    """R20.2: a failed login is refused with a message in Vietnamese and no session."""
    agency = make_agency("000.06.00.H99", short_name="SNV")
    make_user(agency, roles=[Role.CLERK], username="vt.snv", password=PASSWORD)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "vt.snv")
    page.fill("input[name=password]", "sai-mat-khau")
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert "mật khẩu" in page.inner_text("main").lower()


def live_server_screenshot_dir() -> Path:
    """Where browser screenshots go (inside VANBAN_HOME of the test run)."""
    from django.conf import settings

    path = settings.VANBAN_HOME / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
