"""``vanban checks remind|scheduler``: reminders at the end of each check window (R10.2).

``remind [--at ISO-DATETIME]`` processes every window of the day that has ended and was not
processed yet, then exits: safe to run every few minutes from cron or a systemd timer.
``scheduler`` stays up: it reminds at start (catching up today's ended windows), sleeps until the
next window end, reminds, and so on; SIGTERM or SIGINT stops it cleanly between two steps.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.checks import services, times
from vanban.checks.core.windows import next_window_end
from vanban.checks.models import Reminder
from vanban.core import clock
from vanban.core.stopping import stop_on_signal

logger = logging.getLogger(__name__)


def parse_at(text: str) -> datetime:
    """``--at``: an ISO date-time; without an offset it is local time (Asia/Ho_Chi_Minh)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise CommandError(f"--at: không phải thời điểm ISO / not an ISO date-time: {text}") \
            from err
    return value if value.tzinfo is not None else value.replace(tzinfo=clock.VN_TZ)


class Command(BaseCommand):
    help = "Nhắc văn thư kiểm tra văn bản đến (R10.2) / inbox-check reminders."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        remind = sub.add_parser("remind", help="Xử lý các buổi đã kết thúc hôm nay / "
                                               "process today's ended windows")
        remind.add_argument("--at", help="thời điểm ISO thay cho hiện tại / ISO date-time "
                                         "instead of now (local time when no offset)")
        scheduler = sub.add_parser("scheduler", help="Chạy liên tục / keep running")
        scheduler.add_argument("--tick", type=float, default=5.0,
                               help="giây giữa hai lần xem tín hiệu dừng / seconds between "
                                    "looks at the stop signal")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            times.check_times()  # a bad VANBAN_CHECK_TIMES stops here with its message
        except ImproperlyConfigured as err:
            raise CommandError(str(err)) from err
        if options["subcommand"] == "remind":
            at = parse_at(options["at"]) if options.get("at") else None
            self._remind(at)
        else:
            self._scheduler(max(0.01, float(options["tick"])))

    def _remind(self, at: datetime | None) -> None:
        """One pass of the reminder job, with a line per processed window."""
        runs = services.reminders_run(at=at)
        if not runs:
            self.stdout.write("Không có buổi nào cần xử lý / nothing to do")
        for run in runs:
            mailed = Reminder.objects.filter(pk__in=run.reminder_ids,
                                             mailed_at__isnull=False).count()
            end = run.window.end.astimezone(clock.VN_TZ)
            self.stdout.write(
                f"{end:%Y-%m-%d %H:%M} {times.label(run.window.index, 'en')}: "
                f"agencies waiting={run.agencies_due} missed={run.agencies_missed} "
                f"off={run.agencies_off} reminders={len(run.reminder_ids)} mailed={mailed}")
        self.stdout.flush()

    def _scheduler(self, tick: float) -> None:
        """Remind, sleep until the next window end, repeat; stop on SIGTERM/SIGINT."""
        self.stdout.write("Bắt đầu / scheduler started")
        self.stdout.flush()
        with stop_on_signal() as stop:
            while not stop:
                close_old_connections()
                try:
                    self._remind(None)
                except Exception:  # a database or mail outage must not end the loop
                    logger.exception("reminder run failed; retrying at the next window end")
                wake = next_window_end(clock.now(), times.check_times(), clock.VN_TZ)
                self.stdout.write(f"next: {wake:%Y-%m-%d %H:%M %z}")
                self.stdout.flush()
                while not stop and (left := (wake - clock.now()).total_seconds()) > 0:
                    time.sleep(min(left, tick))
        self.stdout.write("Đã dừng / scheduler stopped")
