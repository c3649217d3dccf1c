"""``vanban security ping|rescan|quarantine``: the malware scanner's console (R16.1).

``ping`` checks that the configured scanner answers (exit 1 if not); ``rescan`` scans what waits
in quarantine and releases or refuses it (``--loop`` keeps doing so every ``--every`` seconds);
``quarantine`` lists held and decided rows (``--json`` for scripts).
"""

from __future__ import annotations

import json
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.security.errors import ScannerUnavailable
from vanban.security.models import Quarantine
from vanban.security.quarantine import quarantine_rescan
from vanban.security.scanner import configured, get_scanner


class Command(BaseCommand):
    help = "Quét mã độc và khu cách ly / malware scanner and quarantine."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("ping", help="Bộ quét có trả lời không / does the scanner answer")
        rescan = sub.add_parser("rescan", help="Quét lại tệp đang giữ / scan held files")
        rescan.add_argument("--limit", type=int, default=100)
        rescan.add_argument("--loop", action="store_true", help="chạy liên tục / keep running")
        rescan.add_argument("--every", type=float, default=60.0, help="giây / seconds")
        listing = sub.add_parser("quarantine", help="Danh sách cách ly / list the quarantine")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _ping(self, options: dict[str, Any]) -> None:
        scanner = get_scanner()
        if scanner is None:
            raise CommandError("Chưa cấu hình bộ quét / no scanner configured "
                               "(VANBAN_MALWARE_SCANNER)")
        try:
            scanner.ping()
        except ScannerUnavailable as err:
            raise CommandError(f"{err.vi} / {err.en} ({err.detail})") from err
        self.stdout.write(f"{configured()}: OK")

    def _rescan(self, options: dict[str, Any]) -> None:
        stop: list[bool] = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        while True:
            report = quarantine_rescan(limit=max(1, int(options["limit"])))
            self.stdout.write(
                f"released={len(report.released)} refused={len(report.refused)} "
                f"failed={len(report.failed)} waiting={report.waiting}")
            self.stdout.flush()
            if not options["loop"] or stop:
                return
            close_old_connections()  # a long-running loop must not keep a broken connection
            time.sleep(max(0.1, float(options["every"])))

    def _quarantine(self, options: dict[str, Any]) -> None:
        rows = [{"uid": str(q.uid), "door": q.door, "state": q.state, "agency": q.agency_code,
                 "files": q.files, "reason": q.reason, "created_at": q.created_at.isoformat(),
                 "decided_at": q.decided_at.isoformat() if q.decided_at else None}
                for q in Quarantine.objects.order_by("-created_at")[:500]]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['uid']}  {row['door']:<10} {row['state']:<8} "
                              f"{len(row['files'])} tệp/files  {row['reason']}")
