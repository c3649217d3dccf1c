"""``vanban pdf sign IN.pdf OUT.pdf --agency CODE`` (R15.1, R15.2) and
``vanban pdf verify FILE --sender CODE [--json]`` (R4.2, R4.3).

``verify`` exits 0 when the document is valid, 1 when it is not, 2 on a usage error (unknown
agency, unreadable file). ``handle`` dispatches to ``_<subcommand>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from vanban.directory.models import Agency
from vanban.pdfs.inspect import inspect_pdf
from vanban.signatures import services
from vanban.signatures.management.commands._base import SignaturesCommand
from vanban.signatures.models import Verification
from vanban.signatures.verification import VerificationChannel, pdf_verify


class Command(SignaturesCommand):
    help = ("Tệp PDF: ký số bằng chứng thư của cơ quan / "
            "PDF files: sign with the agency certificate.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sign = sub.add_parser("sign", help="Ký tệp PDF (PAdES) / sign a PDF (PAdES)")
        sign.add_argument("input", type=Path, help="IN.pdf")
        sign.add_argument("output", type=Path, help="OUT.pdf")
        sign.add_argument("--agency", required=True, help="mã định danh cơ quan / agency code")
        verify = sub.add_parser("verify", help="Kiểm tra tệp PDF đến / verify an incoming PDF")
        verify.add_argument("file", type=Path, help="FILE.pdf")
        verify.add_argument("--sender", required=True,
                            help="mã định danh cơ quan gửi / sending agency code")
        verify.add_argument("--json", action="store_true", dest="as_json",
                            help="in JSON / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['action']}")
        handler(**options)

    def _sign(self, *, input: Path, output: Path, agency: str, **_: Any) -> None:
        if output.resolve() == input.resolve():
            raise CommandError("Tệp ra phải khác tệp vào (không ghi đè bản gốc) | OUT must "
                               "differ from IN (the original is never overwritten)", returncode=2)
        data = self.read(input)
        inspect_pdf(data)
        signed = services.pdf_sign(actor=None, agency=self.agency(agency), data=data)
        try:
            with output.open("xb") as handle:
                handle.write(signed.data)
        except OSError as err:
            raise CommandError(f"Không ghi được {output} | cannot write {output}: "
                               f"{err.strerror}", returncode=2) from err
        self.stdout.write(f"Đã ký / signed: {output} sha256={signed.sha256} "
                          f"({signed.signed_at:%d/%m/%Y %H:%M:%S} UTC)")

    def _verify(self, *, file: Path, sender: str, as_json: bool = False, **_: Any) -> None:
        agency = Agency.objects.filter(code=sender).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {sender} | no agency with code {sender}",
                               returncode=2)
        record = pdf_verify(data=self.read(file), sender=agency,
                            channel=VerificationChannel.cli())
        self.stdout.write(_as_json(record) if as_json else _as_text(record))
        if not record.valid:
            raise SystemExit(1)


_MARKS = {"pass": "ĐẠT", "fail": "KHÔNG ĐẠT", "warning": "CẢNH BÁO", "skipped": "BỎ QUA"}


def _as_json(record: Verification) -> str:
    return json.dumps({
        "verdict": record.verdict, "sha256": record.sha256, "sender": record.sender.code,
        "signer": record.signer_subject,
        "signed_at": record.signed_at.isoformat() if record.signed_at else None,
        "signed_at_source": record.signed_at_source or None, "checks": record.checks,
        "verified_at": record.verified_at.isoformat(), "verification_id": record.pk,
    }, ensure_ascii=False, indent=2)


def _as_text(record: Verification) -> str:
    lines = [f"sha256={record.sha256}"]
    for c in record.checks:
        lines.append(f"[{_MARKS.get(c['status'], c['status'])}] {c['code']}: {c['vi']} | "
                     f"{c['en']}")
    verdict = "HỢP LỆ / VALID" if record.valid else "KHÔNG HỢP LỆ / INVALID"
    lines.append(f"Kết luận / verdict: {verdict}")
    return "\n".join(lines)
