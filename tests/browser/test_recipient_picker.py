"""Browser test: the drafting form's recipient picker (issue 13, observed 5): agencies in
groups, a search box that narrows the list with or without diacritics, the sender itself never
offered, and dates typed dd/mm/yyyy whatever the browser's language (observed 9)."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.core.roles import Role
from vanban.directory.models import AgencyKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Any, url: str, user: Any) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie,
                               "url": url}])


def _visible(page: Any) -> list[str]:
    return [str(x) for x in page.eval_on_selector_all(
        "select[name=agencies] option", "os => os.filter(o => !o.hidden).map(o => o.textContent)")]


def test_picker_groups_filters_and_keeps_the_choice(live_server, page, make_agency, make_user):
    """R3.1: typing "dong tam" (no diacritics) leaves UBND xã Đồng Tâm; the groups are the
    directory's kinds; a chosen agency stays shown while filtering; the form saves it."""
    province = make_agency("000.00.00.H06", name="UBND tỉnh Bắc Giang", short_name="UBND",
                           kind=AgencyKind.PROVINCE)
    sender = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV", parent=province,
                         kind=AgencyKind.DEPARTMENT)
    make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC", parent=province,
                kind=AgencyKind.DEPARTMENT)
    make_agency("000.00.40.H06", name="UBND xã Đồng Tâm", short_name="UBND", parent=province,
                kind=AgencyKind.COMMUNE)
    clerk = make_user(sender, roles=[Role.CLERK], username="vt.snv")
    _sign_in(page, live_server.url, clerk)
    page.goto(live_server.url + "/documents/new/")
    labels = page.eval_on_selector_all("select[name=agencies] optgroup",
                                       "gs => gs.map(g => g.label)")
    assert labels == ["UBND tỉnh, Văn phòng UBND tỉnh", "Các Sở, ban, ngành",
                      "UBND các xã, phường, thị trấn"]
    assert "Sở Nội vụ" not in _visible(page)
    page.select_option("select[name=agencies]", ["000.00.03.H06"])
    search = page.locator("input.picker-search").first
    search.fill("dong tam")
    assert _visible(page) == ["Sở Tài chính", "UBND xã Đồng Tâm"]  # the chosen one stays
    search.fill("")
    assert len(_visible(page)) == 3
    page.select_option("select[name=type_code]", "cong_van")
    page.fill("textarea[name=subject]", "Về việc thử chọn nơi nhận")
    page.fill("input[name=due_date]", "05/01/2027")
    page.click("[data-testid=document-save]")
    page.wait_for_selector("[data-testid=dispatch-plan]")
    assert "Sở Tài chính" in page.inner_text("[data-testid=dispatch-plan]")
    assert "05/01/2027" in page.content()
