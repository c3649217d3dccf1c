"""Browser test: a recipient group of the province adds all its members to the drafting
form's recipients in one click, without the sender itself (issue 13, observed 5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_recipient_picker import _sign_in
from vanban.core.roles import Role
from vanban.directory.models import AgencyKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_click_adds_a_group(live_server: Any, page: Any, make_agency: Any,
                                make_user: Any) -> None:
    """Clicking "+ Các Sở" selects Sở Tài chính and Sở Y tế; Sở Nội vụ (the sender), though
    in the group, is neither offered nor counted; the saved draft has both recipients."""
    from vanban.directory.groups import recipient_group_save

    province = make_agency("000.00.00.H06", name="UBND tỉnh Bắc Giang", short_name="UBND",
                           kind=AgencyKind.PROVINCE)
    members = [make_agency(code, name=name, short_name=short, parent=province,
                           kind=AgencyKind.DEPARTMENT)
               for code, name, short in (("000.00.02.H06", "Sở Nội vụ", "SNV"),
                                         ("000.00.03.H06", "Sở Tài chính", "STC"),
                                         ("000.00.04.H06", "Sở Y tế", "SYT"))]
    recipient_group_save(actor=None, group=None, name="Các Sở", members=members)
    clerk = make_user(members[0], roles=[Role.CLERK], username="vt.snv")
    page.set_default_timeout(60_000)  # the first request warms the live server up
    _sign_in(page, live_server.url, clerk)
    page.goto(live_server.url + "/documents/new/")
    button = page.locator("[data-testid=picker-group]").first
    assert button.inner_text() == "+ Các Sở (2)"
    button.click()
    chosen = page.eval_on_selector_all("select[name=agencies] option",
                                       "os => os.filter(o => o.selected).map(o => o.textContent)")
    assert sorted(chosen) == ["Sở Tài chính", "Sở Y tế"]
    page.select_option("select[name=type_code]", "cong_van")
    page.fill("textarea[name=subject]", "Về việc gửi các Sở")
    page.click("[data-testid=document-save]")
    page.wait_for_selector("[data-testid=dispatch-plan]")
    plan = page.inner_text("[data-testid=dispatch-plan]")
    assert "Sở Tài chính" in plan
    assert "Sở Y tế" in plan
    assert "Sở Nội vụ" not in plan
