"""``vanban audit verify|seal|export-key``: the operator's tools for the tamper-evident log (R14.3).

``verify`` exits 0 when the chain and seals are intact and 1 naming the first bad event, in
Vietnamese and English (``--json`` for scripts; ``--public-key`` to check with an exported key, as
a third party would). ``seal`` signs the head now. ``export-key`` prints the public key (PEM).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.audit import keys, services
from vanban.audit.verify import verify_database


class Command(BaseCommand):
    help = ("Kiểm tra, niêm phong nhật ký kiểm toán; xuất khoá công khai / "
            "Verify or seal the audit log; export the public key.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="Kiểm tra toàn bộ chuỗi / verify the whole chain")
        verify.add_argument("--json", action="store_true", help="JSON output")
        verify.add_argument("--public-key", type=Path, default=None,
                            help="Khoá công khai (PEM) để kiểm tra dấu niêm phong / "
                                 "public key (PEM) to check the seals with")
        sub.add_parser("seal", help="Niêm phong đầu chuỗi ngay / seal the chain head now")
        export = sub.add_parser("export-key", help="Xuất khoá công khai / export the public key")
        export.add_argument("--output", type=Path, default=None, help="file (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self._verify(as_json=options["json"], public_key=options["public_key"])
        elif subcommand == "seal":
            seal = services.audit_seal(actor=None)
            self.stdout.write(f"Đã niêm phong sự kiện #{seal.seq} / sealed event #{seal.seq}: "
                              f"{seal.hash} (key {seal.key_id[:16]})")
        else:
            self._export(options["output"])

    def _verify(self, *, as_json: bool, public_key: Path | None) -> None:
        try:
            key = keys.load_public_key(public_key.read_bytes()) if public_key else keys.public_key()
        except (OSError, ValueError, TypeError) as err:
            raise CommandError(f"Không đọc được khoá / cannot read the key: {err}") from err
        result = verify_database(public_keys={keys.key_id(key): key})
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(result.message("vi")))
            self.stdout.write(self.style.SUCCESS(result.message("en")))
        else:
            self.stderr.write(result.message("vi"))
            self.stderr.write(result.message("en"))
        if not result.ok:
            raise SystemExit(1)

    def _export(self, output: Path | None) -> None:
        pem = keys.public_key_pem()
        if output is None:
            self.stdout.write(pem, ending="")
            self.stderr.write(f"key id (sha256 of DER SubjectPublicKeyInfo): {keys.key_id()}")
            return
        output.write_text(pem)
        self.stdout.write(f"{output} · key id {keys.key_id()}")
