"""``vanban edxml inspect FILE [--json]``: what vanban reads from an edXML message.

For operators tracing an interop problem: the header fields, every attachment (name, type
detected from the bytes, size and SHA-256 after unzipping, zipped or not, declared types) and
the warnings for what was tolerated. Exit 0 readable, 1 refused (the reason in Vietnamese and
English, in the JSON too), 2 usage (missing file, bad option).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.exchange.core.document import DEFAULT_MAX_ATTACHMENT_BYTES, DEFAULT_MAX_BYTES
from vanban.exchange.core.inspection import inspect_bytes, render


class Command(BaseCommand):
    help = "Xem nội dung thông điệp edXML / inspect an edXML message."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        inspect = sub.add_parser("inspect", help="Đọc một tệp edXML / read one edXML file")
        inspect.add_argument("file", type=Path)
        inspect.add_argument("--json", action="store_true", help="JSON output")
        inspect.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                             help="giới hạn thông điệp / message size limit")
        inspect.add_argument("--max-attachment-bytes", type=int,
                             default=DEFAULT_MAX_ATTACHMENT_BYTES,
                             help="giới hạn mỗi tệp / attachment size limit")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {path}: "
                               f"{err.strerror or err}", returncode=2) from err
        report = inspect_bytes(data, max_bytes=options["max_bytes"],
                               max_attachment_bytes=options["max_attachment_bytes"])
        text = (json.dumps(report, ensure_ascii=False, indent=2) if options["json"]
                else render(report))
        if report["readable"]:
            self.stdout.write(text)
            return
        (self.stdout if options["json"] else self.stderr).write(text)
        raise SystemExit(1)
