"""The document beside the action (issue 13, ADR 0018): the head's assignment page shows the
document's pages as images next to the assignment form on the office screen, and above it on a
phone; the pages arrive lazily and the page stays within the phone's width (R8.1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, watch_csp
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """Sở Tài chính's head and a three-page paper document waiting for assignment."""
    from vanban.incoming.services import incoming_register_paper
    from vanban.pdfs.tests.conftest import make_pdf

    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="gd.stc")
    entry = off_the_loop(lambda: incoming_register_paper(
        actor=clerk, data=make_pdf("Trang một", "Trang hai", "Trang ba"),
        subject="Về việc lập dự toán ngân sách nhà nước năm 2027", issuer_name="Bộ Tài chính",
        code_number="120", code_notation="BTC-NSNN", type_name="Công văn"))
    return {"head": head, "entry": entry}


def _tab(browser: Any, url: str, user: Any, screen: str) -> Any:
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
    tab.set_default_timeout(60_000)  # the first request warms the live server up
    return tab


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_page_images_appear_next_to_the_assign_form(live_server: Any, browser: Any,
                                                    world: Any, screen: str) -> None:
    """R8.1 with the document at hand: the first page image is loaded (a real PNG drawn by the
    browser) beside the assignment form on a desk, above it on a phone; one image per page."""
    tab = _tab(browser, live_server.url, world["head"], screen)
    tab.goto(f"{live_server.url}/work/incoming/{world['entry'].pk}/")
    pages = tab.locator("[data-testid=viewer-page]")
    assert pages.count() == 3
    first = pages.nth(0)
    first.scroll_into_view_if_needed()
    tab.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=viewer-page]');"
        " return i.complete && i.naturalWidth === 800; }")
    viewer = tab.locator("[data-testid=viewer]").bounding_box()
    form = tab.locator("[data-testid=assign-form]").bounding_box()
    assert viewer is not None
    assert form is not None
    if screen == "desktop":
        assert viewer["x"] + viewer["width"] <= form["x"]  # side by side
        assert viewer["y"] < form["y"] + form["height"]
    else:
        assert viewer["y"] + viewer["height"] <= form["y"]  # the document first, then the form
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= SCREENS["phone"]["width"]
    tab.context.close()
