"""``vanban onestop due-date``: the operator's check of a dossier's clock (R11.3, R12.1, §7)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from vanban.core import clock

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("onestop", "due-date", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run(*args, "--json"))
    return result


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as failed:
        run(*args)
    assert failed.value.returncode == 2
    return str(failed.value)


def test_friday_after_cutoff_in_json() -> None:
    """R11.3, §7 #1: accepted Fri 11/12/2026 15:30, 3 working days: the clock starts Mon 14/12
    08:00 and the result is due Wed 16/12/2026 17:00, three days counted."""
    data = run_json("--working-days", "3", "--received", "2026-12-11 15:30")
    assert data["clock_start"] == "2026-12-14T08:00:00+07:00"
    assert data["due"] == "2026-12-16T17:00:00+07:00"
    assert data["days_counted"] == ["2026-12-14", "2026-12-15", "2026-12-16"]
    assert data["provisional"] is False
    assert {d["day"] for d in data["days_skipped"]} == set()


def test_across_tet_in_text() -> None:
    """R12.1, §7 #2: across Tết 2026 the text names the days off skipped."""
    out = run("--working-days", "5", "--received", "2026-02-12 10:00")
    assert "Thứ Năm 26/02/2026 10:00" in out
    assert "Tết" in out
    assert "days off skipped" in out


def test_the_new_year_is_provisional() -> None:
    """§7: 2027 has no shipped schedule: a due date in it is flagged provisional."""
    data = run_json("--working-days", "5", "--received", "2026-12-28 09:00")
    assert data["provisional"] is True
    assert data["due"] == "2027-01-05T09:00:00+07:00"
    assert "provisional" in run("--working-days", "5", "--received", "2026-12-28 09:00")


def test_the_agency_calendar_and_the_province_calendar(make_agency: Any) -> None:
    """§7 #4 with the 2/9 adjacent day entered by operators as 03/09 (01/09 worked, 31/08
    worked): the province's entries move the due date; an agency's own day off wins there."""
    from vanban.directory.models import CalendarDay

    now = clock.now()
    for day, working in ((date(2026, 8, 31), True), (date(2026, 9, 1), True),
                         (date(2026, 9, 3), False)):
        CalendarDay.objects.create(agency=None, day=day, working=working, created_at=now)
    agency = make_agency(code="000.00.41.H99")
    CalendarDay.objects.create(agency=agency, day=date(2026, 9, 1), working=False,
                               created_at=now)
    province = run_json("--working-days", "0", "--received", "2026-08-31 15:20")
    assert province["clock_start"] == "2026-09-01T08:00:00+07:00"
    assert province["due"] == "2026-09-01T17:00:00+07:00"
    own = run_json("--working-days", "0", "--received", "2026-08-31 15:20",
                   "--agency", "000.00.41.h99")
    assert own["due"] == "2026-09-04T17:00:00+07:00"
    assert own["agency"] == "000.00.41.h99"
    shipped = run_json("--working-days", "0", "--received", "2026-08-31 15:20",
                       "--agency", "000.00.41.H99")
    assert shipped["due"] == own["due"]


def test_by_procedure(make_agency: Any) -> None:
    """R11.3: ``--procedure`` takes the procedure's own limit and unit on its agency's calendar
    (here 8 working hours: filed Thu 31/12/2026 20:00 → Mon 04/01/2027 17:00, §12)."""
    from vanban.onestop.models import Procedure

    agency = make_agency(code="000.00.42.H99")
    Procedure.objects.create(agency=agency, code="1.000123", name="Thủ tục thử",
                             limit_value=Decimal(8), limit_unit="working_hours")
    data = run_json("--procedure", "1.000123", "--received", "2026-12-31 20:00")
    assert data["due"] == "2027-01-04T17:00:00+07:00"
    assert data["limit"] == {"value": "8", "unit": "working_hours"}
    other = make_agency(code="000.00.43.H99")
    Procedure.objects.create(agency=other, code="1.000123", name="Thủ tục thử",
                             limit_value=Decimal(1), limit_unit="working_days")
    assert "--agency" in refused("--procedure", "1.000123", "--received", "2026-12-31 20:00")
    one = run_json("--procedure", "1.000123", "--received", "2026-12-31 20:00",
                   "--agency", "000.00.43.H99")
    assert one["due"] == "2027-01-04T17:00:00+07:00"


def test_settings_change_the_rules() -> None:
    """§13: the cutoff and the hours are settings; a bad setting names itself."""
    with override_settings(VANBAN_ONESTOP_CLOCK_CUTOFF=""):
        data = run_json("--working-days", "0", "--received", "2026-12-11 15:30")
    assert data["due"] == "2026-12-11T17:00:00+07:00"
    with override_settings(VANBAN_ONESTOP_CLOCK_HOURS="07:30-11:30,13:30-17:30"):
        data = run_json("--working-days", "1", "--received", "2026-12-14 07:00")
    assert data["clock_start"] == "2026-12-14T07:30:00+07:00"
    assert data["due"] == "2026-12-14T17:30:00+07:00"
    with override_settings(VANBAN_ONESTOP_EXTRA_HOLIDAYS="24/11,10/12"):
        data = run_json("--working-days", "1", "--received", "2026-12-09 09:00")
    assert data["due"] == "2026-12-11T09:00:00+07:00"
    from django.core.exceptions import ImproperlyConfigured
    with override_settings(VANBAN_ONESTOP_CLOCK_HOURS="8-12"), \
            pytest.raises(ImproperlyConfigured, match="VANBAN_ONESTOP_CLOCK_HOURS"):
        run("--working-days", "1", "--received", "2026-12-14 07:00")


@pytest.mark.parametrize(("args", "vi", "en"), [
    (("--working-days", "3", "--received", "2026-13-01 09:00"), "không hợp lệ", "not a valid"),
    (("--working-days", "3", "--received", "hôm qua"), "không hợp lệ", "not a valid"),
    (("--working-days", "-1", "--received", "2026-12-01 09:00"), "không âm", "at least 0"),
    (("--working-days", "ba", "--received", "2026-12-01 09:00"), "không âm", "at least 0"),
    (("--working-days", "1e9", "--received", "2026-12-01 09:00"), "tối đa", "at most"),
    (("--working-days", "1", "--received", "2026-12-01 09:00", "--agency", "999.99.99.H99"),
     "Không tìm thấy", "not found"),
    (("--procedure", "9.999999", "--received", "2026-12-01 09:00"), "Không tìm thấy thủ tục",
     "no procedure"),
])
def test_bad_input_exits_2(args: tuple[str, ...], vi: str, en: str) -> None:
    """Bad input: exit 2 with the reason in Vietnamese and English, nothing computed."""
    message = refused(*args)
    assert vi in message
    assert en in message


def test_help_lists_the_subcommand() -> None:
    """``vanban onestop --help`` names due-date with its description; ``vanban help`` lists
    the command with its one-line help."""
    from vanban.cli import print_help
    from vanban.onestop.management.commands.onestop import Command

    parser = Command().create_parser("vanban", "onestop")
    assert "due-date" in parser.format_help()
    out = StringIO()
    print_help(out)
    assert "onestop" in out.getvalue()
    assert "due dates" in out.getvalue()


def test_by_procedure_on_the_receiving_desk_calendar(make_agency: Any) -> None:
    """R12.1: ``--agency`` names the receiving desk, whose calendar counts as at acceptance,
    also for a procedure of another agency; without it, the procedure's own agency's."""
    from vanban.directory.models import CalendarDay
    from vanban.onestop.models import Procedure

    deciding = make_agency(code="000.00.44.H99")
    Procedure.objects.create(agency=deciding, code="1.000999", name="Thủ tục thử",
                             limit_value=Decimal(1), limit_unit="working_days")
    desk = make_agency(code="000.00.45.H99")
    CalendarDay.objects.create(agency=desk, day=date(2026, 12, 2), working=False,
                               created_at=clock.now())
    own = run_json("--procedure", "1.000999", "--received", "2026-12-01 09:00")
    at_desk = run_json("--procedure", "1.000999", "--received", "2026-12-01 09:00",
                       "--agency", "000.00.45.H99")
    assert own["due"] == "2026-12-02T09:00:00+07:00"
    assert at_desk["due"] == "2026-12-03T09:00:00+07:00"
