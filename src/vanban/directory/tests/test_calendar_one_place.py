"""The calendar settings reach the settled calendar (what the calendar page judges a new entry
against) and every agency's working calendar alike, read in one place (ADR 0019)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from vanban.core import clock
from vanban.directory.models import Agency, CalendarDay
from vanban.directory.selectors import settled_calendar, work_calendar

pytestmark = pytest.mark.django_db

SETTINGS = {
    "VANBAN_CALENDAR_EXTRA_HOLIDAYS": "10/12",
    "VANBAN_CALENDAR_SCHEDULED_YEARS": "2027",
    "VANBAN_CALENDAR_NATIONAL_DAY_ADJACENT": "03/09/2026",
}


def test_every_setting_reaches_both_calendars(agency_x: Agency) -> None:
    """R8.1: with no operator's entry, the settled calendar and an agency's working calendar
    are the same calendar, with each of the three settings applied to both (extra holiday
    10/12, scheduled year 2027, 03/09/2026 as the day joining 2/9)."""
    with override_settings(**SETTINGS):
        settled, agency = settled_calendar(), work_calendar(agency_x.pk)
        assert settled == agency == work_calendar(None)
        for calendar in (settled, agency):
            assert not calendar.is_working_day(date(2026, 12, 10))
            assert not calendar.provisional(2027)
            assert calendar.is_working_day(date(2026, 9, 1))
            assert not calendar.is_working_day(date(2026, 9, 3))
    for calendar in (settled_calendar(), work_calendar(agency_x.pk)):
        assert calendar.is_working_day(date(2026, 12, 10))
        assert calendar.provisional(2027)
        assert not calendar.is_working_day(date(2026, 9, 1))


def test_an_entry_is_laid_over_the_same_settled_calendar(agency_x: Agency) -> None:
    """R8.1: an agency's entry changes only its own date: the agency's calendar is the settled
    one with that day (here the shipped make-up Saturday 22/08/2026 declared off)."""
    CalendarDay.objects.create(agency=agency_x, day=date(2026, 8, 22), working=False,
                               created_at=clock.now())
    with override_settings(**SETTINGS):
        settled, agency = settled_calendar(), work_calendar(agency_x.pk)
        assert settled.is_working_day(date(2026, 8, 22))
        assert not agency.is_working_day(date(2026, 8, 22))
        assert agency.extra_days_off - settled.extra_days_off == {date(2026, 8, 22)}
        assert settled.extra_working_days - agency.extra_working_days == {date(2026, 8, 22)}
        assert agency.recurring_days_off == settled.recurring_days_off
        assert agency.scheduled_years == settled.scheduled_years
