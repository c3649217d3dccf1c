"""The calendar exceptions behind deadlines: who keeps them, and their effect (R8.1)."""

from __future__ import annotations

from datetime import date

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Forbidden, NotFound, ValidationFailed
from vanban.core.roles import Role
from vanban.directory.calendar import calendar_day_remove, calendar_day_set, public_holidays
from vanban.directory.selectors import work_calendar

SATURDAY = date(2026, 11, 7)


def test_agency_head_keeps_the_agency_calendar(head, agency, specialist, stranger):
    """R8.1: the head sets a make-up day for the agency (audited); a specialist cannot;
    another agency's head does not find it."""
    calendar_day_set(actor=head, agency=agency, day=SATURDAY, working=True, note="Làm bù")
    assert work_calendar(agency.pk).is_working_day(SATURDAY)
    assert AuditEvent.objects.filter(action="directory.calendar_day_set").count() == 1
    with pytest.raises(Forbidden):
        calendar_day_set(actor=specialist, agency=agency, day=SATURDAY, working=True)
    with pytest.raises(NotFound):
        calendar_day_set(actor=stranger, agency=agency, day=SATURDAY, working=True)
    calendar_day_remove(actor=head, agency=agency, day=SATURDAY)
    assert not work_calendar(agency.pk).is_working_day(SATURDAY)


def test_province_days_need_the_province_admin(make_user, make_agency, head, agency):
    """R8.1: a province-wide extra day off is the province administrator's; the agency's own
    entry wins over the province's on the same date."""
    admin = make_user(make_agency(), roles=[Role.PROVINCE_ADMIN])
    with pytest.raises(Forbidden):
        calendar_day_set(actor=head, agency=None, day=date(2026, 11, 3), working=False)
    calendar_day_set(actor=admin, agency=None, day=date(2026, 11, 3), working=False)
    assert not work_calendar(agency.pk).is_working_day(date(2026, 11, 3))
    assert not work_calendar(None).is_working_day(date(2026, 11, 3))


def test_pointless_entries_are_refused(head, agency):
    """R8.1: a make-up day on a working day, or a day off on a holiday, is a mistake."""
    with pytest.raises(ValidationFailed):
        calendar_day_set(actor=head, agency=agency, day=date(2026, 11, 4), working=True)
    with pytest.raises(ValidationFailed):
        calendar_day_set(actor=head, agency=agency, day=date(2026, 2, 17), working=False)


def test_entries_are_judged_against_the_settled_calendar(head, agency, settings):
    """R8.1: the calendar page judges an entry against the one shared calendar (ADR 0019): the
    package's make-up Saturday 22/08/2026 needs no entry, nor a day a setting already gives off."""
    with pytest.raises(ValidationFailed) as made_up:
        calendar_day_set(actor=head, agency=agency, day=date(2026, 8, 22), working=True)
    assert made_up.value.code == "already_working"
    settings.VANBAN_CALENDAR_EXTRA_HOLIDAYS = "10/12"
    with pytest.raises(ValidationFailed) as extra:
        calendar_day_set(actor=head, agency=agency, day=date(2026, 12, 10), working=False)
    assert extra.value.code == "already_off"
    assert not work_calendar(agency.pk).is_working_day(date(2026, 12, 10))


def test_public_holidays_of_2026():
    """R8.1: the year's holidays include Tết."""
    names = {h.day: h.name for h in public_holidays(2026)}
    assert names[date(2026, 2, 17)] == "Tết Nguyên Đán"
    assert date(2026, 9, 2) in names
