"""Browser test: draft approval before signing (trình ký, issue 13) on a desktop: the specialist
submits a draft, the head finds it from the dashboard and returns it with a note (bút phê), the
specialist revises and submits again, the head approves, the clerk numbers, uploads and signs
through the real pages and the demo PKI."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import screenshots_folder, sign_in
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Văn-thư-Sở-Nội-vụ-2026"
NOTE = "Đề nghị bổ sung căn cứ Nghị định 30/2020/NĐ-CP."


@pytest.fixture
def _steps_emptied(transactional_db: None) -> Iterator[None]:
    """Empty the append-only approval steps before the test database is flushed (the flush's
    DELETE would be refused by their triggers), then restore the triggers."""
    yield
    from django.db import connection

    from vanban.registry import triggers
    from vanban.registry.models import ApprovalStep

    triggers.drop(connection)
    try:
        ApprovalStep.objects.all().delete()
    finally:
        triggers.install(connection)


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "Approved draft, scanned")
    sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def _head_opens_from_dashboard(tab: Any, url: str, subject: str) -> None:
    """Home → the "Chờ duyệt" counter → the draft (clicks only)."""
    tab.goto(url + "/")
    counter = tab.locator("[data-counter=awaiting_approval]")
    assert counter.get_attribute("data-count") == "1"
    counter.click()
    tab.get_by_role("link", name=subject, exact=False).click()
    tab.wait_for_selector("[data-testid=approval-decide-form]")


def _clerk_numbers_and_signs(desk: Any, url: str, pk: int) -> None:
    """The clerk's usual flow once the head approved: number, upload the scan, sign."""
    desk.goto(f"{url}/documents/{pk}/")
    desk.click("[data-testid=document-register]")
    desk.wait_for_selector("[data-testid=document-number]")
    desk.click("[data-testid=document-upload]")
    desk.set_input_files("input[name=main]", files=[
        {"name": "cong-van.pdf", "mimeType": "application/pdf", "buffer": _pdf()}])
    desk.click("[data-testid=upload-submit]")
    desk.click("[data-testid=document-sign]")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("[data-testid=sign-confirm]")
    desk.wait_for_selector("[data-testid=file-signed]")


@pytest.mark.usefixtures("_steps_emptied")
def test_submit_return_resubmit_approve_sign(live_server: Any, browser: Any, make_agency: Any,
                                            make_user: Any) -> None:
    """Issue 13: specialist submits → head returns with a note → specialist resubmits → head
    approves → clerk numbers and signs; the note stays on the document's page (R14.2)."""
    from vanban.registry import services
    from vanban.signatures.demo import demo_pki_load

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    demo_pki_load(agencies=[sender])
    specialist = make_user(sender, roles=[Role.SPECIALIST], username="cv.snv")
    head = make_user(sender, roles=[Role.HEAD], username="gd.snv")
    clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv", password=PASSWORD)
    subject = "Về việc kiện toàn Tổ công tác chuyển đổi số"
    draft = services.document_create(actor=specialist, agency=sender, type_code="cong_van",
                                      subject=subject,
                                      recipients=[services.RecipientInput(agency=finance)])
    url = live_server.url

    writer = sign_in(browser, url, specialist)
    writer.goto(f"{url}/documents/")
    writer.get_by_role("link", name=subject, exact=False).click()
    writer.fill("#submit-note", "Kính trình Giám đốc xem xét.")
    writer.click("[data-testid=approval-submit]")
    writer.wait_for_selector("[data-approval=pending]")
    assert writer.locator("[data-testid=document-register]").count() == 0

    boss = sign_in(browser, url, head)
    _head_opens_from_dashboard(boss, url, subject)
    boss.fill("[data-testid=approval-note-input]", NOTE)
    boss.click("[data-testid=approval-return]")
    boss.wait_for_selector("[data-approval=returned]")

    writer.reload()
    assert NOTE in writer.inner_text("[data-testid=approval-steps]")
    writer.click("text=Sửa dự thảo")
    writer.fill("textarea[name=subject]", subject + " (đã sửa)")
    writer.click("[data-testid=document-save]")
    writer.click("[data-testid=approval-submit]")
    writer.wait_for_selector("[data-approval=pending]")

    _head_opens_from_dashboard(boss, url, subject)
    boss.fill("[data-testid=approval-note-input]", "Đồng ý, văn thư phát hành.")
    boss.click("[data-testid=approval-approve]")
    boss.wait_for_selector("[data-approval=approved]")

    desk = sign_in(browser, url, clerk)
    _clerk_numbers_and_signs(desk, url, draft.pk)
    assert desk.inner_text("[data-testid=document-state]") == "Đã ký số"
    steps = desk.inner_text("[data-testid=approval-steps]")
    assert NOTE in steps
    assert "Đồng ý, văn thư phát hành." in steps
    for tab in (writer, boss, desk):
        tab.context.close()


@pytest.mark.usefixtures("_steps_emptied")
def test_head_approves_on_a_phone(live_server: Any, browser: Any, make_agency: Any,
                                  make_user: Any, tmp_path: Path) -> None:
    """Issue 13: on a 360 px phone the head goes from the home page to a submitted draft and
    approves it, by clicking only, each page within the screen's width (screenshots kept)."""
    from django.conf import settings
    from django.test import Client

    from tests.browser.helpers import watch_csp
    from vanban.registry import services

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    specialist = make_user(sender, roles=[Role.SPECIALIST], username="cv.snv")
    head = make_user(sender, roles=[Role.HEAD], username="gd.snv")
    subject = "Về việc tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ năm 2026"
    draft = services.document_create(actor=specialist, agency=sender, type_code="cong_van",
                                      subject=subject)
    services.document_submit(actor=specialist, document=draft, note="Kính trình Giám đốc.")
    folder = screenshots_folder(tmp_path, "approval")
    client = Client()
    client.force_login(head)
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(15_000)

    def fits(name: str) -> None:
        tab.wait_for_load_state("load")
        tab.screenshot(path=str(folder / f"head-360-{name}.png"), full_page=True)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: the page is {width} px wide"

    tab.goto(live_server.url + "/")
    fits("home")
    tab.click("[data-counter=awaiting_approval]")
    fits("queue")
    tab.get_by_role("link", name=subject, exact=False).click()
    tab.wait_for_selector("[data-testid=approval-decide-form]")
    fits("draft")
    tab.fill("[data-testid=approval-note-input]", "Đồng ý.")
    tab.click("[data-testid=approval-approve]")
    tab.wait_for_selector("[data-approval=approved]")
    fits("approved")
    context.close()
