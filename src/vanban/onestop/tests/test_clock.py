"""The one-stop clock against the worked examples of spec §7 and §12 (pure, no database)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from vanban.core.clock import VN_TZ
from vanban.core.errors import ValidationFailed
from vanban.core.workdays import WorkCalendar
from vanban.onestop.core.calendar_schedule import SHIPPED, ClockCalendar, YearSchedule
from vanban.onestop.core.clock import (
    DEFAULT_RULES,
    ClockRules,
    Limit,
    Mode,
    Pause,
    Unit,
    appointment,
    clock_start,
    counts,
    due_at,
    online_answer_due,
    supplement_closes_at,
    working_time_between,
)

CALENDAR = ClockCalendar.of(WorkCalendar())


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def days(value: str | int) -> Limit:
    return Limit(Decimal(value), Unit.WORKING_DAYS)


def test_example_1_friday_after_cutoff() -> None:
    """R11.3, §7 #1 and §12: accepted Fri 11/12/2026 15:30, 3 working days → the clock starts
    Mon 14/12 08:00, due Wed 16/12/2026 17:00; the acceptance time itself is kept."""
    result = appointment(at(2026, 12, 11, 15, 30), days(3), CALENDAR)
    assert result.received_at == at(2026, 12, 11, 15, 30)
    assert result.clock_start == at(2026, 12, 14, 8)
    assert result.due == at(2026, 12, 16, 17)
    assert result.days_counted == (date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16))
    assert not result.provisional


def test_example_2_across_tet() -> None:
    """R11.3, §7 #2: Thu 12/02/2026 10:00, 5 working days, Tết off 16–20/02 → Thu 26/02 10:00."""
    result = appointment(at(2026, 2, 12, 10), days(5), CALENDAR)
    assert result.due == at(2026, 2, 26, 10)
    assert set(result.days_skipped) >= {date(2026, 2, d) for d in range(16, 21)}


def test_example_3_across_30_4_and_1_5() -> None:
    """R11.3, §7 #3: Fri 24/04/2026 10:00, 5 days; 27/04 (Giỗ Tổ on Sunday), 30/04, 01/05 off →
    Wed 06/05/2026 10:00."""
    result = appointment(at(2026, 4, 24, 10), days(5), CALENDAR)
    assert result.due == at(2026, 5, 6, 10)
    assert {date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1)} <= set(result.days_skipped)


@pytest.mark.parametrize(("adjacent", "due"), [
    (date(2026, 9, 1), at(2026, 9, 3, 17)),
    (date(2026, 9, 3), at(2026, 9, 1, 17)),
])
def test_example_4_same_day_around_2_9(adjacent: date, due: datetime) -> None:
    """R11.3, §7 #4: Mon 31/08/2026 15:20, same day → Tue 01/09 17:00, or Thu 03/09 17:00 when
    01/09 is the day joining 2/9 (unconfirmed: both schedules give the spec's answer)."""
    schedule = SHIPPED[2026].with_national_day_adjacent(adjacent)
    calendar = ClockCalendar.of(WorkCalendar(), schedules={2026: schedule})
    assert appointment(at(2026, 8, 31, 15, 20), days(0), calendar).due == due


def test_example_4_when_31_8_is_a_working_day() -> None:
    """The spec's reading of #4 (31/08 a working day, after the cutoff): an operator's calendar
    entry wins over the shipped schedule; the clock starts the next working day."""
    operator = WorkCalendar.of(working=[date(2026, 8, 31), date(2026, 9, 1)],
                               off=[date(2026, 9, 3)])
    calendar = ClockCalendar.of(operator)
    assert calendar.is_working_day(date(2026, 8, 31))
    before = appointment(at(2026, 8, 31, 14, 0), days(0), calendar)
    assert before.clock_start == at(2026, 8, 31, 14)
    assert before.due == at(2026, 8, 31, 17)
    after = appointment(at(2026, 8, 31, 15, 20), days(0), calendar)
    assert after.clock_start == at(2026, 9, 1, 8)
    assert after.due == at(2026, 9, 1, 17)


def test_example_5_appraisal_supplement_restarts_the_clock() -> None:
    """R11.3, §7 #5 and §12: Mon 01/06/2026 09:00, 10 days (due 15/06); a supplement asked
    03/06 and received Thu 11/06 14:00 restarts the whole limit → Thu 25/06/2026 14:00; never
    received → closed after 18/06."""
    plain = appointment(at(2026, 6, 1, 9), days(10), CALENDAR)
    assert plain.due == at(2026, 6, 15, 9)
    paused = appointment(at(2026, 6, 1, 9), days(10), CALENDAR,
                         pauses=[Pause(at(2026, 6, 3, 10), at(2026, 6, 11, 14))])
    assert paused.clock_start == at(2026, 6, 11, 14)
    assert paused.due == at(2026, 6, 25, 14)
    assert paused.days_counted[0] == date(2026, 6, 11)
    assert supplement_closes_at(at(2026, 6, 3, 10), CALENDAR) == at(2026, 6, 19)


def test_online_dossier_on_new_year_eve() -> None:
    """R11.1, §12 (Art. 17.2): an online dossier filed Thu 31/12/2026 20:00 must be answered by
    Mon 04/01/2027 17:00 (8 working hours; 01/01 and the weekend do not count)."""
    assert online_answer_due(at(2026, 12, 31, 20), CALENDAR) == at(2027, 1, 4, 17)


def test_an_unscheduled_year_is_provisional() -> None:
    """§7: a due date reaching 2027 (no yearly schedule shipped) rests on statutory days only."""
    assert appointment(at(2026, 12, 28, 9), days(5), CALENDAR).provisional
    assert not appointment(at(2026, 12, 1, 9), days(5), CALENDAR).provisional
    scheduled = ClockCalendar.of(WorkCalendar(), scheduled_years=[2027])
    assert not appointment(at(2026, 12, 28, 9), days(5), scheduled).provisional


def test_tet_2025_with_its_makeup_saturday_and_tet_2027_provisional() -> None:
    """R12.1: Tết 2025 (27–31/01) and the make-up Saturday 26/04/2025 from the shipped schedule;
    Tết 2027 (04–10/02) from the statutory days only, so the answer is provisional."""
    tet_2025 = appointment(at(2025, 1, 24, 9), days(2), CALENDAR)
    assert tet_2025.due == at(2025, 2, 4, 9)
    assert not tet_2025.provisional
    assert due_at(at(2025, 4, 25, 9), days(1), CALENDAR) == at(2025, 4, 26, 9)
    tet_2027 = appointment(at(2027, 2, 3, 9), days(2), CALENDAR)
    assert tet_2027.due == at(2027, 2, 12, 9)
    assert tet_2027.provisional


def test_cutoff_and_out_of_hours() -> None:
    """R11.3 (Art. 18.2): 15:00 sharp is before the cutoff; 15:01 is after; before the opening,
    at lunch, after closing and on a Sunday the clock waits for the next opening."""
    assert clock_start(at(2026, 12, 10, 15), CALENDAR) == at(2026, 12, 10, 15)
    assert clock_start(at(2026, 12, 10, 15, 1), CALENDAR) == at(2026, 12, 11, 8)
    assert clock_start(at(2026, 12, 10, 7, 30), CALENDAR) == at(2026, 12, 10, 8)
    assert clock_start(at(2026, 12, 10, 12, 30), CALENDAR) == at(2026, 12, 10, 13)
    assert clock_start(at(2026, 12, 10, 18), CALENDAR) == at(2026, 12, 11, 8)
    assert clock_start(at(2026, 12, 13, 10), CALENDAR) == at(2026, 12, 14, 8)
    no_cutoff = ClockRules(cutoff=None)
    assert clock_start(at(2026, 12, 10, 16), CALENDAR, no_cutoff) == at(2026, 12, 10, 16)


def test_time_zone_of_the_input_does_not_matter() -> None:
    """A UTC time is read in Asia/Ho_Chi_Minh: 08:30 UTC is 15:30 in Hà Nội, after the cutoff."""
    from datetime import UTC
    utc = datetime(2026, 12, 11, 8, 30, tzinfo=UTC)
    assert clock_start(utc, CALENDAR) == at(2026, 12, 14, 8)
    with pytest.raises(ValueError, match="aware"):
        clock_start(datetime(2026, 12, 11, 8, 30), CALENDAR)


def test_half_days_hours_and_the_lunch_break() -> None:
    """§7: ½ working day = 4 h; a limit in working hours skips lunch and the night."""
    assert due_at(at(2026, 12, 14, 8), days("0.5"), CALENDAR) == at(2026, 12, 14, 12)
    assert due_at(at(2026, 12, 14, 10), days("0.5"), CALENDAR) == at(2026, 12, 14, 15)
    hours = Limit(Decimal(6), Unit.WORKING_HOURS)
    assert due_at(at(2026, 12, 14, 14), hours, CALENDAR) == at(2026, 12, 15, 11)
    assert working_time_between(at(2026, 12, 14, 14), at(2026, 12, 15, 11), CALENDAR) \
        == timedelta(hours=6)


def test_calendar_days_and_months_per_civil_code() -> None:
    """§7 (Bộ luật Dân sự 2015 Art. 147–148): counted from the next day, ending at the end of
    the last day (the desk's closing), moved to the next working day when that day is off; a
    month without the corresponding day ends on its last day."""
    ten = Limit(Decimal(10), Unit.CALENDAR_DAYS)
    assert due_at(at(2026, 6, 1, 9), ten, CALENDAR) == at(2026, 6, 11, 17)
    # 10 days from Wed 03/06 end on Sat 13/06 → Mon 15/06.
    assert due_at(at(2026, 6, 3, 9), ten, CALENDAR) == at(2026, 6, 15, 17)
    # A clock started at a day's opening counts that whole day.
    assert due_at(at(2026, 6, 1, 8), ten, CALENDAR) == at(2026, 6, 10, 17)
    month = Limit(Decimal(1), Unit.MONTHS)
    assert due_at(at(2026, 1, 30, 9), month, CALENDAR) == at(2026, 3, 2, 17)  # 28/02 is Sat
    assert due_at(at(2026, 3, 16, 9), month, CALENDAR) == at(2026, 4, 16, 17)
    # Across Tết: 15/01 + 1 month = Mon 16/02, a Tết day → Mon 23/02.
    assert due_at(at(2026, 1, 15, 9), month, CALENDAR) == at(2026, 2, 23, 17)


def test_day_based_mode() -> None:
    """``clock.mode = day_based``: whole working days, due at the closing of the last one."""
    rules = ClockRules(mode=Mode.DAY_BASED)
    assert due_at(at(2026, 12, 14, 10), days(3), CALENDAR, rules) == at(2026, 12, 17, 17)
    assert due_at(at(2026, 12, 14, 8), days(3), CALENDAR, rules) == at(2026, 12, 16, 17)
    assert due_at(at(2026, 12, 14, 10), days("1.5"), CALENDAR, rules) == at(2026, 12, 16, 12)
    assert appointment(at(2026, 12, 11, 15, 30), days(3), CALENDAR, rules).due \
        == at(2026, 12, 16, 17)


def test_makeup_days_count_and_saturday_openings_do_not() -> None:
    """§7, §12: the make-up Saturday 22/08/2026 counts (a due time may fall on it); a plain
    Saturday does not unless ``saturday_counts``; a holiday Saturday never does."""
    assert counts(date(2026, 8, 22), CALENDAR)
    assert due_at(at(2026, 8, 21, 9), days(1), CALENDAR) == at(2026, 8, 22, 9)
    assert not counts(date(2026, 8, 22), CALENDAR, ClockRules(makeup_counts=False))
    assert not counts(date(2026, 12, 12), CALENDAR)
    assert counts(date(2026, 12, 12), CALENDAR, ClockRules(saturday_counts=True))
    tet_saturday = date(2027, 2, 6)
    assert not counts(tet_saturday, CALENDAR, ClockRules(saturday_counts=True))


def test_fee_wait_resumes_the_remaining_time() -> None:
    """§7 (``clock.fee_pause``): a fee wait stops the clock; the remaining working time resumes,
    so the due time moves by the working time of the wait."""
    result = appointment(at(2026, 12, 14, 8), days(3), CALENDAR,
                         pauses=[Pause(at(2026, 12, 14, 12), at(2026, 12, 15, 12),
                                       restart=False)])
    assert result.due == at(2026, 12, 17, 17)  # the wait held 8 working hours
    assert result.days_counted == (date(2026, 12, 14), date(2026, 12, 15), date(2026, 12, 16),
                                   date(2026, 12, 17))


def test_schedule_and_operator_entries() -> None:
    """The shipped schedule lies beneath the operators' entries; the extra-holiday setting adds
    a recurring day off."""
    assert not CALENDAR.is_working_day(date(2026, 8, 31))
    assert CALENDAR.is_makeup_day(date(2026, 8, 22))
    assert CALENDAR.day_off_reason(date(2026, 2, 17))
    assert ClockCalendar.of(WorkCalendar.of(working=[date(2026, 8, 31)])).is_working_day(
        date(2026, 8, 31))
    extra = ClockCalendar.of(WorkCalendar(), extra_holidays=[(10, 10)])
    assert not extra.is_working_day(date(2025, 10, 10))
    assert extra.day_off_reason(date(2025, 10, 10)) == "Ngày nghỉ lễ bổ sung"
    with pytest.raises(ValueError, match="outside"):
        YearSchedule(2026, days_off=frozenset({date(2025, 1, 2)}))


def test_bad_limits_are_refused() -> None:
    """A negative limit or a fractional month is refused in Vietnamese and English."""
    with pytest.raises(ValidationFailed) as negative:
        days(-1)
    assert "không âm" in negative.value.vi
    assert "at least 0" in negative.value.en
    with pytest.raises(ValidationFailed):
        Limit(Decimal("1.5"), Unit.MONTHS)
    with pytest.raises(ValidationFailed) as too_long:
        days(10**6)
    assert "at most" in too_long.value.en
    assert appointment(at(2026, 1, 5, 8), days(3000), CALENDAR).provisional
    with pytest.raises(ValidationFailed):
        appointment(at(2026, 6, 1, 9), days(1), CALENDAR,
                    pauses=[Pause(at(2026, 6, 3), at(2026, 6, 2))])


def test_default_rules() -> None:
    """§13 defaults: 8 h a day, 15:00 cutoff, make-up days count, Saturdays do not."""
    assert DEFAULT_RULES.day_length == timedelta(hours=8)
    assert DEFAULT_RULES.cutoff == time(15)
    assert DEFAULT_RULES.makeup_counts
    assert not DEFAULT_RULES.saturday_counts
    with pytest.raises(ValueError, match="ordered"):
        ClockRules(sessions=((time(13), time(17)), (time(8), time(12))))


def test_every_pause_is_looked_at_after_one_past_the_due_time() -> None:
    """R12.1: a pause starting after the due time moves nothing, and does not stop the loop:
    a bad pause after it is still refused."""
    plain = appointment(at(2026, 6, 1, 9), days(1), CALENDAR)
    late = Pause(plain.due + timedelta(days=1), plain.due + timedelta(days=2))
    assert appointment(at(2026, 6, 1, 9), days(1), CALENDAR, pauses=[late]).due == plain.due
    with pytest.raises(ValidationFailed):
        appointment(at(2026, 6, 1, 9), days(1), CALENDAR,
                    pauses=[late, Pause(plain.due + timedelta(days=5),
                                        plain.due + timedelta(days=4))])
