"""``vanban evidence export|export-document|verify|verify-log|consistency|head|list``: the
evidence log for operators and third parties (R7.1, R7.2, R14.3).

``rotate-key`` retires the hub key (its certificate kept to verify its heads) and makes a new
one. ``export-document SHA256 [-o FILE] [--with-pdf]`` writes one bundle with every record about a
document (all deliveries and channels, its verifications and their reports; with the PDF and
what re-validates it on request: docs/evidence.md).

``verify-log [--checkpoint FILE]`` checks the whole log from its records (``logcheck``).
``verify`` uses only the stand-alone :mod:`vanban.evidence.verifier` (no database, no network):
exit 0 valid, 1 invalid with the reasons in Vietnamese and English, 2 bad usage. ``list`` groups
the log's own records by delivery id (the deliveries themselves live in the exchange app, above
this one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.core.errors import DomainError
from vanban.evidence import documents, logcheck, selectors, services, verifier


class Command(BaseCommand):
    help = ("Nhật ký bằng chứng gửi nhận: xuất, kiểm tra, chứng minh nhất quán / "
            "Evidence log: export, verify, consistency proofs.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        export = sub.add_parser("export", help="Xuất gói bằng chứng / export a bundle")
        export.add_argument("delivery_id")
        export.add_argument("-o", "--output", type=Path, default=None,
                            help="tệp / file (default: stdout)")
        document = sub.add_parser("export-document",
                                  help="Gói bằng chứng của một văn bản / a document's bundle")
        document.add_argument("sha256", help="SHA-256 của tệp văn bản / of the document file")
        document.add_argument("-o", "--output", type=Path, default=None,
                              help="tệp / file (default: stdout)")
        document.add_argument("--with-pdf", action="store_true",
                              help="kèm tệp PDF và dữ liệu kiểm tra / include the PDF and the "
                                   "certificates and CRLs to re-validate it")
        verify = sub.add_parser("verify", help="Kiểm tra gói bằng chứng / verify a bundle")
        verify.add_argument("bundle", type=Path)
        verify.add_argument("--hub-fingerprint", default=None,
                            help="SHA-256 của chứng thư hub tin cậy / trusted hub certificate")
        verify.add_argument("--hub-root-fingerprint", default=None,
                            help="SHA-256 của CA gốc chứng nhận hub / root CA of the hub")
        verify.add_argument("--root-fingerprint", default=None,
                            help="SHA-256 của CA gốc tin cậy / trusted root CA (for the PDF)")
        verify.add_argument("--transport-only", action="store_true",
                            help="không kiểm tra lại chữ ký PDF / do not re-validate the PDF")
        verify.add_argument("--json", action="store_true", help="JSON output")
        consistency = sub.add_parser("consistency",
                                     help="Chứng minh nhất quán / consistency proof")
        consistency.add_argument("old_size", type=int)
        consistency.add_argument("new_size", type=int)
        consistency.add_argument("-o", "--output", type=Path, default=None)
        head = sub.add_parser("head", help="Ký và in đầu cây / sign and print the tree head")
        head.add_argument("--json", action="store_true", help="JSON output")
        whole = sub.add_parser("verify-log", help="Kiểm tra toàn bộ nhật ký / verify the whole "
                                                  "log")
        whole.add_argument("--checkpoint", type=Path, default=None,
                           help="đầu cây giữ bên ngoài (JSON) / a tree head kept outside")
        whole.add_argument("--json", action="store_true", help="JSON output")
        sub.add_parser("rotate-key", help="Thay khoá hub (khoá cũ được giữ để kiểm tra) / rotate "
                                          "the hub key, keeping the old one's certificate")
        listing = sub.add_parser("list", help="Các lần gửi có bằng chứng / deliveries")
        listing.add_argument("--json", action="store_true", help="JSON output")
        listing.add_argument("--agency", default=None, help="mã định danh cơ quan / agency code")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        try:
            if subcommand == "verify":
                self._verify(options["bundle"], options["hub_fingerprint"], options["json"],
                             root=options["root_fingerprint"],
                             revalidate=not options["transport_only"],
                             hub_root=options["hub_root_fingerprint"])
            elif subcommand == "export-document":
                self._write(documents.document_bundle_for(options["sha256"],
                                                          with_pdf=options["with_pdf"]),
                            options["output"])
            elif subcommand == "export":
                self._write(services.bundle_for(options["delivery_id"]), options["output"])
            elif subcommand == "consistency":
                doc = services.consistency_document(old_size=options["old_size"],
                                                    new_size=options["new_size"])
                self._write(json.dumps(doc, ensure_ascii=False, indent=2).encode(),
                            options["output"])
            elif subcommand == "verify-log":
                self._verify_log(options["checkpoint"], as_json=options["json"])
            elif subcommand == "head":
                self._head(as_json=options["json"])
            elif subcommand == "rotate-key":
                old, new = services.hub_rotate(actor=None)
                self.stdout.write(f"Khoá cũ / old key: {old}\nKhoá mới / new key: {new}")
            else:
                self._list(as_json=options["json"], agency=options["agency"])
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}") from err

    def _write(self, data: bytes, output: Path | None) -> None:
        if output is None:
            self.stdout.write(data.decode())
            return
        output.write_bytes(data)
        self.stdout.write(f"Đã ghi / written: {output} ({len(data)} bytes)")

    def _verify(self, path: Path, pinned: str | None, as_json: bool, *, root: str | None = None,
                revalidate: bool = True, hub_root: str | None = None) -> None:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise CommandError(f"Không đọc được tệp / cannot read the file: {err}",
                               returncode=2) from err
        report = verifier.verify_document(data, hub_fingerprint=pinned, root_fingerprint=root,
                                          revalidate=revalidate, hub_root_fingerprint=hub_root)
        text = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if as_json
                else verifier.render(report))
        if report.ok:
            self.stdout.write(self.style.SUCCESS(text) if not as_json else text)
            return
        (self.stdout if as_json else self.stderr).write(text)
        raise SystemExit(1)

    def _verify_log(self, kept_path: Path | None, *, as_json: bool) -> None:
        kept = None
        if kept_path is not None:
            try:
                kept = json.loads(kept_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise CommandError(f"Không đọc được tệp / cannot read the file: {err}",
                                   returncode=2) from err
        report = logcheck.verify_log(kept=kept)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(report.message("vi")))
            self.stdout.write(self.style.SUCCESS(report.message("en")))
        else:
            self.stderr.write(report.message("vi"))
            self.stderr.write(report.message("en"))
        if not report.ok:
            raise SystemExit(1)

    def _head(self, *, as_json: bool) -> None:
        head = services.tree_head_sign()
        status = selectors.log_status()
        data = {**services.head_as_dict(head), "hub_fingerprint": status.hub_fingerprint}
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Đầu cây / tree head: {head.size} lá / leaves · {head.root_hash}")
        self.stdout.write(f"Thời điểm ký / signed at: {data['timestamp']}")
        self.stdout.write(f"Chứng thư hub / hub certificate (SHA-256): {status.hub_fingerprint}")

    def _list(self, *, as_json: bool, agency: str | None) -> None:
        found = selectors.deliveries(agency_code=agency)
        if as_json:
            self.stdout.write(json.dumps([d.as_dict() for d in found], ensure_ascii=False,
                                         indent=2))
            return
        for d in found:
            events = ", ".join(e["event"] for e in d.events)
            self.stdout.write(f"{d.delivery_id}\t{d.sender} → {d.recipient}\t"
                              f"{d.transmission_id}\t{len(d.events)}\t{events}")
        self.stdout.write(f"{len(found)} lần gửi / deliveries")
