"""The twice-daily check windows follow vanban's one working-day calendar (R10.2, ADR 0019):
the shipped yearly schedule's days off need no check, its make-up Saturdays do, and so does a
day the settings add."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import override_settings

from vanban.checks import services
from vanban.checks.models import Reminder
from vanban.checks.tests.conftest import at
from vanban.core import clock

pytestmark = pytest.mark.django_db


def _remind(when: Any, capture: Any) -> Any:
    """Run the reminder job at a local moment (mails go after the commit)."""
    with clock.frozen(when), capture(execute=True):
        return services.reminders_run()


@pytest.mark.parametrize("day_off", [
    date(2026, 2, 17),   # Tết 2026 (16–20/02)
    date(2026, 4, 27),   # in lieu of Giỗ Tổ on Sunday 26/04
    date(2026, 8, 31),   # off in exchange for Saturday 22/08
    date(2026, 9, 1),    # the day joining 2/9
    date(2025, 5, 2),    # off in exchange for Saturday 26/04/2025
    date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, from 2026
])
def test_no_check_is_due_on_a_shipped_day_off(deliver: Any, finance: Any, finance_clerk: Any,
                                              django_capture_on_commit_callbacks: Any,
                                              day_off: date) -> None:
    """R10.2: a day off of the yearly schedule has no check window: nobody is reminded."""
    deliver(finance, at(day_off, 8))
    [morning, afternoon] = _remind(at(day_off, 17), django_capture_on_commit_callbacks)
    assert (morning.agencies_due, morning.agencies_off) == (0, 1)
    assert (afternoon.agencies_due, afternoon.agencies_off) == (0, 1)
    assert not Reminder.objects.exists()


def test_a_shipped_make_up_saturday_needs_checks(deliver: Any, finance: Any, finance_clerk: Any,
                                                 django_capture_on_commit_callbacks: Any) -> None:
    """R10.2: Saturday 22/08/2026 is worked (the shipped schedule, no operator entry): a clerk
    who did not check is reminded for the morning."""
    saturday = date(2026, 8, 22)
    deliver(finance, at(saturday, 8))
    [morning] = _remind(at(saturday, 11, 31), django_capture_on_commit_callbacks)
    assert (morning.agencies_due, morning.agencies_missed) == (1, 1)
    assert list(Reminder.objects.values_list("user", "day", "window")) == [
        (finance_clerk.pk, saturday, 0)]


def test_an_extra_holiday_setting_closes_the_windows(deliver: Any, finance: Any,
                                                     finance_clerk: Any,
                                                     django_capture_on_commit_callbacks: Any
                                                     ) -> None:
    """R10.2: a recurring extra holiday from the calendar settings is off for checks too."""
    day = date(2026, 12, 10)
    deliver(finance, at(day, 8))
    with override_settings(VANBAN_CALENDAR_EXTRA_HOLIDAYS="10/12"):
        [morning] = _remind(at(day, 11, 31), django_capture_on_commit_callbacks)
    assert (morning.agencies_due, morning.agencies_off) == (0, 1)
    assert not Reminder.objects.exists()
