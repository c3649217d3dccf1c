"""Browser test of the receiving agency's path: the clerk verifies and registers a signed
document and passes it to the head, the head assigns it, a specialist writes an opinion and
completes it, and the sender watches 03, 04, 05 and 06 arrive (R4.2, R5.1, R8.1, R10.1, R14.2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, sign_in
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sender_sees(page: Any, code: str, recipient: str) -> None:
    page.reload()
    page.wait_for_selector(f"tr[data-recipient='{recipient}'] [data-testid=state]"
                           f"[data-state='{code}']")


def test_clerk_registers_head_assigns_specialist_completes(live_server, browser, make_agency,
                                                          make_user):
    """R4.2, R5.1, R10.1: the clerk sees the passed checks and registers with an arrival number;
    R8.1: the head assigns with a deadline in working days; R14.2: the specialist's opinion is
    attributed and kept; R7.1: the sender sees 03, 04, 05 and 06 in turn."""
    from vanban.incoming.tests.conftest import send_signed
    from vanban.signatures.demo import demo_pki_load

    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    demo_pki_load(agencies=[sender])
    sender_clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv")
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="gd.stc")
    specialist = make_user(finance, roles=[Role.SPECIALIST], username="cv.stc")
    transmission = off_the_loop(send_signed, sender_clerk, sender, [finance],
                                 subject="Về việc báo cáo quyết toán năm 2026")

    tracking = sign_in(browser, live_server.url, sender_clerk)
    tracking.goto(f"{live_server.url}/exchange/documents/{transmission.document_id}/")
    _sender_sees(tracking, "01", finance.code)

    # The clerk: inbox → the delivery with its checks → register, passing it to the head.
    desk = sign_in(browser, live_server.url, clerk)
    desk.goto(f"{live_server.url}/incoming/")
    desk.click("[data-testid=waiting] a")
    assert desk.locator("[data-testid=checks]").count() == 1
    assert "Hợp lệ" in desk.inner_text("h2")
    desk.select_option("select[name=recipient_user]", str(head.pk))
    desk.click("[data-testid=register]")
    desk.wait_for_url("**/incoming/entry/**")
    assert "Về việc báo cáo quyết toán năm 2026" in desk.content()
    _sender_sees(tracking, "03", finance.code)

    from vanban.incoming.models import IncomingDocument

    entry = IncomingDocument.objects.get(agency=finance, arrival_number=1,
                                         recipient_user_id=head.pk)

    # The head assigns the specialist as lead, 5 working days, with a direction.
    boss = sign_in(browser, live_server.url, head)
    boss.goto(f"{live_server.url}/work/incoming/{entry.pk}/")
    boss.select_option("#lead", f"p:{specialist.pk}")
    boss.fill("#lead_days", "5")
    boss.fill("#direction", "Giao phòng chủ trì, báo cáo trước hạn.")
    boss.click("[data-testid=assign]")
    boss.wait_for_selector("[data-testid=lines]")
    assert "Giao phòng chủ trì, báo cáo trước hạn." in boss.inner_text("[data-testid=opinions]")
    _sender_sees(tracking, "04", finance.code)

    # The specialist finds it in "my tasks", writes an opinion (05) and completes (06).
    worker = sign_in(browser, live_server.url, specialist)
    worker.goto(f"{live_server.url}/work/")
    worker.click("[data-testid=tasks] a")
    worker.fill("#text", "Đã rà soát số liệu, đề nghị trả lời theo dự thảo.")
    worker.click("[data-testid=write-opinion]")
    worker.wait_for_selector("[data-testid=opinions] >> text=Đã rà soát số liệu")
    _sender_sees(tracking, "05", finance.code)
    worker.click("[data-testid=complete]")
    worker.wait_for_selector("[data-testid=incoming-state]")
    _sender_sees(tracking, "06", finance.code)

    entry.refresh_from_db()
    assert entry.state == "completed"
    assert specialist.full_name in worker.inner_text("[data-testid=opinions]")
