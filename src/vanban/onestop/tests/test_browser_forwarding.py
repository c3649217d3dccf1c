"""Browser test (headless Chromium) of a dossier sent from one agency's one-stop desk to
another's (R11.1a, R11.2): the commune's officer sends it from the dossier page, the clerk
numbers and sends the draft as any document, the district's officer finds it under "Hồ sơ do cơ
quan khác chuyển đến", takes it in and accepts it with the district's own code; the commune's
page then shows it taken in. Officers only click and type."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import _no_csp_violations, browser  # noqa: F401 (fixtures)
from tests.browser.helpers import sign_in

from vanban.core.roles import Role
from vanban.directory.models import AgencyKind
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.onestop import services
from vanban.onestop.models import Dossier
from vanban.onestop.tests.factories import make_pdf, make_procedure
from vanban.registry import services as registry
from vanban.registry.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    province = make_agency(name="UBND tỉnh Bắc Giang", kind=AgencyKind.PROVINCE)
    commune = make_agency(name="UBND xã Đồng Tâm", parent=province)
    district = make_agency(name="UBND huyện Yên Thế", parent=province,
                           kind=AgencyKind.DISTRICT)
    officer = make_user(commune, roles=[Role.ONESTOP])
    procedure = make_procedure(commune)
    mandatory = procedure.required_documents.get(mandatory=True)
    dossier = services.dossier_receive(
        actor=officer, desk=commune, procedure=procedure,
        applicant=services.Applicant(name="Ngô Văn Hải"),
        papers=[services.Paper(parts=[make_pdf("Don de nghi")], filename="don.pdf",
                               required_document_id=mandatory.pk)])
    return {"dossier": dossier, "officer": officer,
            "clerk": make_user(commune, roles=[Role.CLERK]),
            "district_officer": make_user(district, roles=[Role.ONESTOP]),
            "district_procedure": make_procedure(district, code="2.002345")}


def _clerk_sends(clerk: Any) -> None:
    """The commune's clerk numbers and sends the draft (the registry's own pages and tests
    cover those clicks); the hub delivers it."""
    document = Document.objects.get(subject__startswith="Chuyển hồ sơ")
    document = registry.document_register(actor=clerk, document=document)
    document = registry.document_mark_ready(actor=clerk, document=document)
    transmission_send(actor=clerk, document=document)
    deliver_internal_batch()


def _fits_a_phone(tab: Any) -> None:
    """The page reads on a 360 px phone: nothing wider than the screen (tables scroll inside
    their frame)."""
    tab.set_viewport_size({"width": 360, "height": 740})
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    tab.set_viewport_size({"width": 1366, "height": 768})


def test_desk_forwards_and_the_other_desk_accepts(
        live_server: Any, browser: Any, world: dict[str, Any]) -> None:  # noqa: F811
    """R11.1(a), R11.2: sent by clicking, taken in and accepted by clicking, with the
    district's own code; the sending page follows it to the end."""
    url = live_server.url
    dossier = world["dossier"]
    officer = sign_in(browser, url, world["officer"])
    officer.goto(f"{url}/onestop/{dossier.pk}/")
    form = officer.locator("form[data-action='send_to_agency']")
    form.get_by_label("Cơ quan nhận hồ sơ").select_option(label="UBND huyện Yên Thế")
    form.locator("[name='note']").fill("Thuộc thẩm quyền của huyện")
    form.get_by_test_id("act-send_to_agency").click()
    expect(officer.get_by_test_id("forwarding-stage")).to_have_text(
        "Chờ văn thư vào sổ và gửi")
    _clerk_sends(world["clerk"])

    district = sign_in(browser, url, world["district_officer"])
    district.goto(f"{url}/onestop/")
    district.get_by_test_id("forwarded-waiting").get_by_role("link").click()
    expect(district.get_by_test_id("forwarded")).to_contain_text("Ngô Văn Hải")
    _fits_a_phone(district)
    district.get_by_test_id("open-forwarded").click()
    expect(district.get_by_test_id("forwarded-facts")).to_contain_text(
        "Thuộc thẩm quyền của huyện")
    _fits_a_phone(district)
    district.get_by_label("Thủ tục hành chính của cơ quan").select_option(index=1)
    district.get_by_role("button", name="Chọn thủ tục").click()
    expect(district.get_by_test_id("take-form")).to_be_visible()
    district.get_by_test_id("take-accept").click()
    expect(district.get_by_test_id("dossier-state")).to_have_text("Đã tiếp nhận")
    taken = Dossier.objects.get(desk=world["district_procedure"].agency)
    expect(district.get_by_test_id("dossier-code")).to_have_text(taken.code or "")
    expect(district.locator("a[data-form='receipt']")).to_be_visible()

    officer.reload()
    expect(officer.get_by_test_id("forwarding-stage")).to_have_text(
        "Cơ quan nhận đã tiếp nhận thành hồ sơ")
    _fits_a_phone(officer)
    expect(officer.get_by_test_id("forwardings")).to_contain_text(taken.code or "")
