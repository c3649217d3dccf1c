"""``vanban notices run [--at ISO] [--loop --sleep S]``: the periodic notification job.

One pass writes every notice that should exist (new arrivals, documents to assign, new tasks,
deadlines near and passed, rejected sendings, recalls) and was not written before, then mails
them by each user's choice, then runs the one-stop desk's sweep (dossiers never supplemented
are closed, overdue ones counted: ``vanban onestop sweep``); safe to run every few minutes from
cron or a systemd timer.
``--loop`` keeps running a pass every ``--sleep`` seconds; SIGTERM or SIGINT stops it between
two passes.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.checks.management.commands.checks import parse_at
from vanban.core.errors import DomainError
from vanban.core.stopping import stop_on_signal
from vanban.notices.services import notices_run
from vanban.onestop.services.sweep import dossiers_sweep, not_future

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Thông báo cho cán bộ / notifications for staff."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        run = sub.add_parser("run", help="Tạo và gửi thông báo mới / write and mail new notices")
        run.add_argument("--at", help="thời điểm ISO thay cho hiện tại / ISO date-time instead "
                                      "of now (local time when no offset)")
        run.add_argument("--loop", action="store_true", help="chạy liên tục / keep running")
        run.add_argument("--sleep", type=float, default=300.0,
                         help="giây giữa hai lần / seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        at = parse_at(options["at"]) if options.get("at") else None
        try:
            not_future(at)  # a pass for a moment to come would close dossiers early
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}", returncode=2) from err
        if not options["loop"]:
            self._once(at)
            return
        with stop_on_signal() as stop:
            while not stop:
                close_old_connections()
                try:
                    self._once(None)
                except Exception:  # a database or mail outage must not end the loop
                    logger.exception("notices run failed; retrying at the next pass")
                waited = 0.0
                while not stop and waited < options["sleep"]:
                    time.sleep(min(1.0, options["sleep"]))
                    waited += 1.0

    def _once(self, at: Any) -> None:
        result = notices_run(at=at)
        kinds = " ".join(f"{k}={v}" for k, v in sorted(result.created.items()))
        self.stdout.write(f"Thông báo mới / new notices: {result.total}"
                          f"{' (' + kinds + ')' if kinds else ''}; thư / mails: {result.mailed}; "
                          f"thư tổng hợp / digests: {result.digests}")
        swept = dossiers_sweep(at=at)
        self.stdout.write(f"Một cửa / one-stop: đóng / closed {len(swept.closed)}, "
                          f"quá hạn / overdue {len(swept.overdue)}")
        self.stdout.flush()
