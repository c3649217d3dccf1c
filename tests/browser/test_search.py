"""Issue 13: a clerk types in the top bar's search box without diacritics and reaches a
document with them; the export link downloads the same list as a workbook."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import sign_in
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_types_in_the_topbar_and_opens_the_document(live_server: Any, browser: Any,
                                                           make_agency: Any, make_user: Any
                                                           ) -> None:
    """Issue 13: "ha noi" typed in the top bar finds "Hà Nội" among the incoming documents; the
    result opens the document's page; the export holds the same row."""
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.incoming.services import incoming_register_paper
    from vanban.registry import services as registry

    agency = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    clerk = make_user(agency, roles=[Role.CLERK], username="vt.stc")
    entry = incoming_register_paper(
        actor=clerk, data=make_pdf("Cong van"), subject="Về việc hội nghị tại Hà Nội",
        issuer_name="Văn phòng Chính phủ", code_number="12", code_notation="VPCP-TH",
        type_name="Công văn")
    registry.document_create(actor=clerk, agency=agency, type_code="cong_van",
                             subject="Báo cáo mùa Đông")
    tab = sign_in(browser, live_server.url, clerk)
    tab.goto(f"{live_server.url}/")
    box = tab.locator("[data-testid=topbar-search] input[name=q]")
    box.fill("ha noi")
    box.press("Enter")
    tab.wait_for_selector("[data-testid=results-incoming]")
    assert tab.locator("[data-testid=results-incoming] [data-testid=hit]").count() == 1
    assert tab.locator("[data-testid=results-outgoing] [data-testid=hit]").count() == 0
    with tab.expect_download() as download:
        tab.click("[data-testid=search-export]")
    book = load_workbook(BytesIO(download.value.path().read_bytes()))
    assert book["Văn bản đến"]["G2"].value == entry.subject
    tab.click("text=Về việc hội nghị tại Hà Nội")
    tab.wait_for_url(f"**/work/incoming/{entry.pk}/")
    tab.locator("[data-testid=topbar-search] input[name=q]").fill("dong")
    tab.locator("[data-testid=topbar-search] input[name=q]").press("Enter")
    tab.wait_for_selector("[data-testid=results-outgoing] [data-testid=hit]")
    assert "Báo cáo mùa Đông" in tab.locator("[data-testid=results-outgoing]").inner_text()


def test_topbar_box_fits_a_phone(live_server: Any, browser: Any, make_agency: Any,
                                 make_user: Any) -> None:
    """Issue 13 (mobile): with the search box the top bar still fits 390 px (no sideways
    scrolling), and the box is usable there."""
    agency = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    clerk = make_user(agency, roles=[Role.CLERK], username="vt.stc")
    tab = sign_in(browser, live_server.url, clerk)
    tab.set_viewport_size({"width": 390, "height": 800})
    tab.goto(f"{live_server.url}/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    box = tab.locator("[data-testid=topbar-search] input[name=q]")
    assert box.is_visible()
    width = box.bounding_box()["width"]
    assert width >= 80
