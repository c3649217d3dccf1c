"""``vanban blobs verify``: re-hash every stored file (R14.3).

Exits 0 when every blob still matches its SHA-256 name, and 1 naming each altered or missing
blob in Vietnamese and English (``--json`` for scripts).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vanban.storage.selectors import blobs_verify


class Command(BaseCommand):
    help = "Kiểm tra toàn vẹn kho tệp / Verify the integrity of the file store."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Băm lại mọi tệp / re-hash every stored file")
        verify.add_argument("--json", action="store_true", help="JSON output")

    def handle(self, *args: Any, **options: Any) -> None:
        report = blobs_verify()
        if options["json"]:
            body = {
                "ok": report.ok,
                "checked": report.checked,
                "problems": [{"sha256": p.sha256, "code": p.code, "detail_vi": p.vi,
                              "detail_en": p.en} for p in report.problems],
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(
                f"Đã kiểm tra {report.checked} tệp: tất cả nguyên vẹn. / "
                f"Checked {report.checked} files: all intact."))
        else:
            for problem in report.problems:
                self.stderr.write(f"{problem.sha256} {problem.code}: {problem.vi} / {problem.en}")
            self.stderr.write(
                f"{len(report.problems)}/{report.checked} tệp lỗi. / "
                f"{len(report.problems)}/{report.checked} files failed.")
        if not report.ok:
            raise SystemExit(1)
