"""Accessibility (issue 13, done means): axe-core runs on the main pages of each role — home,
the incoming list, the assignment page with the document viewer, the drafting form, the
notices — and no page has a serious or critical violation (labels, contrast, landmarks)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import off_the_loop, watch_csp
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ("serious", "critical")


@pytest.fixture
def world(make_agency: Any, make_user: Any) -> dict[str, Any]:
    """Sở Tài chính's clerk, head and specialist, with a document waiting for assignment and
    one assigned to the specialist."""
    from vanban.directory.models import AgencyKind
    from vanban.incoming.services import incoming_register_paper
    from vanban.pdfs.tests.conftest import make_pdf
    from vanban.workflow.models import LineRole
    from vanban.workflow.services import LineInput, assignment_create

    province = make_agency("000.00.00.H06", name="UBND tỉnh Bắc Giang", short_name="UBND",
                           kind=AgencyKind.PROVINCE)
    finance = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC",
                          parent=province, kind=AgencyKind.DEPARTMENT)
    make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV", parent=province,
                kind=AgencyKind.DEPARTMENT)
    clerk = make_user(finance, roles=[Role.CLERK], username="vt.stc")
    head = make_user(finance, roles=[Role.HEAD], username="gd.stc")
    specialist = make_user(finance, roles=[Role.SPECIALIST], username="cv.stc")

    def prepare() -> dict[str, Any]:
        entries = [incoming_register_paper(
            actor=clerk, data=make_pdf("Trang một", "Trang hai"), subject=subject,
            issuer_name="Bộ Tài chính", code_number=str(n), code_notation="BTC",
            type_name="Công văn") for n, subject in enumerate((
                "Về việc lập dự toán ngân sách năm 2027",
                "Về việc rà soát các khoản chi thường xuyên"))]
        assignment_create(actor=head, document=entries[1], lines=[
            LineInput(role=LineRole.LEAD, user=specialist, working_days=5, unit=None,
                      deadline=None)])
        return {"unassigned": entries[0], "task": entries[1]}

    return {"clerk": clerk, "head": head, "specialist": specialist, **off_the_loop(prepare)}


def _tab(browser: Any, url: str, user: Any) -> Any:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": url}])
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(60_000)  # the first request warms the live server up
    return tab


def _violations(tab: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(tab).response["violations"]
    return [f"{tab.url} {v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in found if v.get("impact") in BLOCKING]


def test_main_pages_of_each_role_have_no_serious_violation(live_server: Any, browser: Any,
                                                           world: Any) -> None:
    """Issue 13: no serious or critical axe-core violation on the daily pages of the clerk,
    the head and the specialist."""
    pages = {
        "clerk": ["/", "/incoming/", "/incoming/register/", "/documents/new/", "/notices/"],
        "head": ["/", f"/work/incoming/{world['unassigned'].pk}/", "/work/unassigned/",
                 "/notices/"],
        "specialist": ["/", "/work/", f"/work/incoming/{world['task'].pk}/"],
    }
    problems: list[str] = []
    for role, paths in pages.items():
        tab = _tab(browser, live_server.url, world[role])
        for path in paths:
            tab.goto(live_server.url + path)
            problems += _violations(tab)
        tab.context.close()
    assert problems == [], "\n".join(problems)
