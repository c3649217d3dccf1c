"""Issue 13 observed 9: the dd/mm/yyyy inputs' ``pattern`` is valid for Chromium (which
compiles it with the ``v`` flag), so a malformed day is flagged before the form is sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from vanban.core.dayinput import DayInput

pytestmark = [pytest.mark.browser]


def test_chromium_applies_the_day_pattern(page: Page) -> None:
    """R13.1: "05/01/2027", "5.1.2027" and "2027-01-05" match; "13/2026" and "hôm nay" do not
    (with an invalid pattern Chromium matches everything)."""
    page.set_content(DayInput().render("due_date", ""))
    field = page.locator("input[name=due_date]")
    verdicts = {}
    for typed in ("05/01/2027", "5.1.2027", "05-01-2027", "2027-01-05", "13/2026", "hôm nay"):
        field.fill(typed)
        verdicts[typed] = field.evaluate("el => el.validity.patternMismatch")
    assert verdicts == {"05/01/2027": False, "5.1.2027": False, "05-01-2027": False,
                        "2027-01-05": False, "13/2026": True, "hôm nay": True}
