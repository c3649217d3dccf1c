"""``vanban onestop …``: the one-stop desk's operator commands.

* ``due-date (--procedure CODE | --working-days N) --received "YYYY-MM-DD HH:MM"
  [--agency CODE] [--json]``: when the clock starts, when the result is due and which days were
  counted, for an operator checking a dispute (spec §7). The calendar is the receiving desk's,
  as at acceptance: ``--agency`` names the desk; without it, the procedure's own agency (whose
  desk receives its dossiers), or the province's calendar with ``--working-days``. Exit 2 on
  bad input (a bad date, an unknown agency or procedure, a negative N), with the reason in
  Vietnamese and English.
* ``dvcqg-export [--since CURSOR] [--limit N] [--json]``: the dossiers' state changes in the
  national portal's shape, after the cursor a connector last sent (``vanban.onestop.dvcqg``).
* ``sweep [--at ISO]``: close the dossiers whose appraisal supplement never came within the
  closure period and list the overdue ones (``services.sweep``); ``vanban notices run --loop``
  runs the same pass, so a cron line is only needed without that loop.

Further subcommands are added to the same subparsers, one function each.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.clock import VN_TZ
from vanban.core.errors import DomainError
from vanban.directory.selectors import agency_get
from vanban.onestop import dvcqg
from vanban.onestop.clock_config import clock_calendar, clock_rules
from vanban.onestop.core.calendar_schedule import ClockCalendar
from vanban.onestop.core.clock import Appointment, Limit, Unit, appointment
from vanban.onestop.services.sweep import dossiers_sweep

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
UNIT_NAMES = {
    Unit.WORKING_DAYS: "ngày làm việc / working days",
    Unit.WORKING_HOURS: "giờ làm việc / working hours",
    Unit.CALENDAR_DAYS: "ngày / calendar days",
    Unit.MONTHS: "tháng / months",
}


def _refuse(vi: str, en: str) -> CommandError:
    return CommandError(f"{vi} / {en}", returncode=2)


def parse_received(text: str) -> datetime:
    """``--received``: ``YYYY-MM-DD HH:MM`` local time (an ISO time with an offset is kept)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _refuse(f"Thời điểm tiếp nhận không hợp lệ: {text!r} (dạng YYYY-MM-DD HH:MM)",
                      f"not a valid reception time: {text!r} (use YYYY-MM-DD HH:MM)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=VN_TZ)


def parse_working_days(text: str) -> Limit:
    """``--working-days``: a number of at least 0 (½ day allowed)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise _refuse(f"Số ngày làm việc phải là số không âm: {text!r}",
                      f"the number of working days must be at least 0: {text!r}")
    return Limit(value, Unit.WORKING_DAYS)


def _procedure_limit(code: str, desk_id: int | None) -> tuple[Limit, int]:
    """The current version's limit of procedure ``code`` and the desk whose calendar counts:
    the named desk (its own procedure of that code, else the one agency having it), or, with
    no desk named, the procedure's agency, whose desk receives its dossiers."""
    from vanban.onestop.models import Procedure

    found = Procedure.objects.filter(code=code.strip(), active=True, replaced_by__isnull=True)
    own = found.filter(agency_id=desk_id) if desk_id is not None else found.none()
    rows = list(own[:1]) or list(found[:2])
    if not rows:
        raise _refuse(f"Không tìm thấy thủ tục {code!r}", f"no procedure {code!r}")
    if len(rows) > 1:
        raise _refuse(f"Nhiều cơ quan có thủ tục {code!r}: hãy chọn --agency",
                      f"several agencies have procedure {code!r}: name one with --agency")
    procedure = rows[0]
    desk = desk_id if desk_id is not None else procedure.agency_id
    return Limit(procedure.limit_value, Unit(procedure.limit_unit)), desk


def _number(value: Decimal) -> str:
    """8.0 as 8, 0.50 as 0.5."""
    return format(value.normalize(), "f")


def _when(moment: datetime) -> str:
    local = moment.astimezone(VN_TZ)
    return f"{WEEKDAYS[local.weekday()]} {local:%d/%m/%Y %H:%M}"


def _day(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"


class Command(BaseCommand):
    help = "Bộ phận một cửa: hạn giải quyết, DVCQG, rà soát / the one-stop desk: due dates, "\
           "national portal export, sweep."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        due = sub.add_parser(
            "due-date", help="Tính thời điểm bắt đầu và hạn trả kết quả / when the clock "
                             "starts and when the result is due")
        limit = due.add_mutually_exclusive_group(required=True)
        limit.add_argument("--procedure", help="mã thủ tục / procedure code")
        limit.add_argument("--working-days", help="số ngày làm việc (0 = trong ngày, 0.5 = nửa "
                                                  "ngày) / working days (0 = same day)")
        due.add_argument("--received", required=True,
                         help='thời điểm tiếp nhận "YYYY-MM-DD HH:MM" (giờ Việt Nam) / when '
                              "the dossier was accepted (local time)")
        due.add_argument("--agency", help="mã cơ quan có bộ phận một cửa tiếp nhận, lịch của "
                                          "nó được dùng như khi tiếp nhận (mặc định: cơ quan "
                                          "của thủ tục, hoặc lịch của tỉnh) / code of the "
                                          "receiving desk's agency, whose calendar counts as at "
                                          "acceptance (default: the procedure's agency, or the "
                                          "province's calendar)")
        due.add_argument("--json", action="store_true", help="in JSON / print JSON")
        dvcqg.add_arguments(sub.add_parser(
            "dvcqg-export", help="Thay đổi trạng thái hồ sơ cho Cổng DVCQG / dossier state "
                                 "changes for the national portal"))
        sweep = sub.add_parser(
            "sweep", help="Đóng hồ sơ quá hạn bổ sung, liệt kê hồ sơ trễ hạn / close dossiers "
                          "never supplemented, list overdue ones")
        sweep.add_argument("--at", help="thời điểm thay cho hiện tại (giờ Việt Nam khi không "
                                        "ghi múi giờ) / ISO time instead of now")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["subcommand"] == "due-date":
                self._due_date(options)
            elif options["subcommand"] == "dvcqg-export":
                dvcqg.handle(options, self.stdout)
            elif options["subcommand"] == "sweep":
                self._sweep(options)
        except DomainError as err:
            raise _refuse(err.vi, err.en) from err

    def _sweep(self, options: dict[str, Any]) -> None:
        at = parse_received(options["at"]) if options.get("at") else None
        result = dossiers_sweep(at=at)
        self.stdout.write(f"Đã đóng (không bổ sung) / closed (never supplemented): "
                          f"{len(result.closed)} {' '.join(result.closed)}".rstrip())
        self.stdout.write(f"Quá hạn / overdue: {len(result.overdue)} "
                          f"{' '.join(result.overdue[:50])}".rstrip())

    def _due_date(self, options: dict[str, Any]) -> None:
        received = parse_received(options["received"])
        agency_code = options.get("agency")
        try:
            agency_id = agency_get(agency_code).pk if agency_code else None
        except DomainError as err:
            raise _refuse(f"{err.vi} ({agency_code})", f"{err.en} ({agency_code})") from err
        procedure = options.get("procedure")
        if procedure:
            limit, agency_id = _procedure_limit(procedure, agency_id)
        else:
            limit = parse_working_days(options["working_days"])
        calendar = clock_calendar(agency_id)
        result = appointment(received, limit, calendar, clock_rules())
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(result, calendar, agency_code, procedure),
                                         ensure_ascii=False, indent=2))
        else:
            self._print(result, calendar)

    @staticmethod
    def _as_json(result: Appointment, calendar: ClockCalendar, agency: str | None,
                 procedure: str | None) -> dict[str, Any]:
        return {
            "received": result.received_at.astimezone(VN_TZ).isoformat(),
            "clock_start": result.clock_start.astimezone(VN_TZ).isoformat(),
            "due": result.due.astimezone(VN_TZ).isoformat(),
            "limit": {"value": _number(result.limit.value), "unit": result.limit.unit.value},
            "days_counted": [day.isoformat() for day in result.days_counted],
            "days_skipped": [{"day": day.isoformat(), "reason": calendar.day_off_reason(day)}
                             for day in result.days_skipped],
            "provisional": result.provisional,
            "agency": agency,
            "procedure": procedure,
        }

    def _print(self, result: Appointment, calendar: ClockCalendar) -> None:
        write = self.stdout.write
        write(f"Tiếp nhận / received:            {_when(result.received_at)}")
        write(f"Bắt đầu tính / clock starts:     {_when(result.clock_start)}")
        write(f"Hạn trả kết quả / due:           {_when(result.due)}")
        write(f"Thời hạn / limit:                {_number(result.limit.value)} "
              f"{UNIT_NAMES[result.limit.unit]}")
        write(f"Ngày được tính / days counted ({len(result.days_counted)}):")
        for day in result.days_counted:
            write(f"  {_day(day)}")
        if result.days_skipped:
            write("Ngày nghỉ bỏ qua / days off skipped:")
            for day in result.days_skipped:
                write(f"  {_day(day)}: {calendar.day_off_reason(day)}")
        if result.provisional:
            write("Tạm tính: năm chưa có lịch nghỉ chính thức, chỉ tính ngày lễ theo luật / "
                  "provisional: a year without its announced schedule, statutory holidays only")
