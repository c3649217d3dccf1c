"""``vanban pdf sign IN.pdf OUT.pdf --agency CODE`` (R15.1, R15.2),
``vanban pdf verify FILE --sender CODE [--at "YYYY-MM-DD HH:MM"] [--json]`` (R4.2, R4.3, R12.1)
and ``vanban pdf archive-renew [--json]`` (R12.1, ADR 0014; daily from cron).

``verify`` exits 0 when the document is valid, 1 when it is not, 2 on a usage error (unknown
agency, unreadable file, a bad ``--at``). With ``--at`` it judges the file as of that moment
(local time, Asia/Ho_Chi_Minh, unless an offset is given) with the validation data kept, and
stores nothing. ``archive-renew`` exits 1 when a copy could not be renewed. ``handle``
dispatches to ``_<subcommand>``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from vanban.directory.models import Agency
from vanban.pdfs.inspect import inspect_pdf
from vanban.signatures import appearance, archive, services
from vanban.signatures.management.commands._base import SignaturesCommand
from vanban.signatures.models import Verification
from vanban.signatures.verification import VerificationChannel, pdf_verify
from vanban.signatures.verification.past import PastReport, verify_at


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
        verify.add_argument("--sender", default=None,
                            help="mã định danh cơ quan gửi / sending agency code (optional "
                                 "with --at: without it the signature alone is judged)")
        verify.add_argument("--json", action="store_true", dest="as_json",
                            help="in JSON / print JSON")
        verify.add_argument("--at", default=None,
                            help="kiểm tra tại thời điểm / validate as of \"YYYY-MM-DD HH:MM\"")
        renew = sub.add_parser("archive-renew", help="Gia hạn dấu thời gian lưu trữ / renew "
                               "archival time-stamps due")
        renew.add_argument("--json", action="store_true", dest="as_json",
                           help="in JSON / print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['action'].replace('-', '_')}")
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

    def _verify(self, *, file: Path, sender: str | None, as_json: bool = False,
                at: str | None = None, **_: Any) -> None:
        if sender is None and at is None:
            raise CommandError("Cần --sender (hoặc --at) | --sender is required (or --at)",
                               returncode=2)
        agency = Agency.objects.filter(code=sender).first() if sender is not None else None
        if agency is None and sender is not None:
            raise CommandError(f"Không có cơ quan mã {sender} | no agency with code {sender}",
                               returncode=2)
        if at is not None:
            self._verify_at(self.read(file), agency, parse_moment(at), as_json=as_json)
            return
        if agency is None:  # pragma: no cover - excluded above
            raise CommandError("--sender", returncode=2)
        record = pdf_verify(data=self.read(file), sender=agency,
                            channel=VerificationChannel.cli())
        self.stdout.write(_as_json(record) if as_json else _as_text(record))
        if not record.valid:
            raise SystemExit(1)


    def _verify_at(self, data: bytes, agency: Agency | None, moment: datetime, *,
                   as_json: bool) -> None:
        report = verify_at(data=data, sender=agency, at=moment)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_at_text(report))
        if not report.valid:
            raise SystemExit(1)

    def _archive_renew(self, *, as_json: bool = False, **_: Any) -> None:
        run = archive.archive_renew_due()
        if as_json:
            self.stdout.write(json.dumps({
                "checked": run.checked,
                "renewed": [{"origin": c.origin, "sha256": c.blob_id,
                             "tsa_not_after": c.tsa_not_after.isoformat()}
                            for c in run.renewed],
                "failed": [{"origin": c.origin, "sha256": c.blob_id, "error": e}
                           for c, e in run.failed],
                "created": [{"origin": c.origin, "sha256": c.blob_id} for c in run.created],
                "not_created": [{"origin": o, "error": e} for o, e in run.not_created]},
                indent=2))
        else:
            self.stdout.write(f"Bản lưu trữ mới cho văn bản đến / new copies of received "
                              f"documents: {len(run.created)}; đã xét / checked: "
                              f"{run.checked}; đã gia hạn / renewed: {len(run.renewed)}; "
                              f"lỗi / failed: {len(run.failed) + len(run.not_created)}")
            for copy in [*run.created, *run.renewed]:
                self.stdout.write(f"  {copy.origin} -> {copy.blob_id}")
            for origin, error in [*((c.origin, e) for c, e in run.failed), *run.not_created]:
                self.stdout.write(f"  LỖI / FAILED {origin}: {error}")
        if run.failed or run.not_created:
            raise SystemExit(1)


_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_moment(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM[:SS]`` in local time (Asia/Ho_Chi_Minh), or ISO 8601 with an offset;
    a bad value stops with exit code 2."""
    value: datetime | None = None
    for fmt in _FORMATS:
        try:
            value = datetime.strptime(text.strip(), fmt)
            break
        except ValueError:
            continue
    if value is None:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError as err:
            raise CommandError(f"Thời điểm không hợp lệ: {text!r} (YYYY-MM-DD HH:MM) | bad "
                               f"moment: {text!r} (YYYY-MM-DD HH:MM)", returncode=2) from err
    if value.tzinfo is None:
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def _at_text(report: PastReport) -> str:
    lines = [f"sha256={report.sha256}",
             f"Thời điểm kiểm tra / as of: {appearance.format_time(report.at)}"]
    if report.archive_copy:
        lines.append(f"Bản lưu trữ / archive copy: {report.archive_copy}")
    if report.proven_at is not None:
        lines.append("Dấu thời gian lưu trữ chứng minh tồn tại từ / archival time-stamps "
                     f"prove existence at: {appearance.format_time(report.proven_at)}")
    if report.arrival_data:
        lines.append("Dùng dữ liệu kiểm tra lưu khi nhận / using the validation data kept "
                     "at arrival")
    for c in report.checks:
        lines.append(f"[{_MARKS.get(c['status'], c['status'])}] {c['code']}: {c['vi']} | "
                     f"{c['en']}")
    verdict = "HỢP LỆ / VALID" if report.valid else "KHÔNG HỢP LỆ / INVALID"
    lines.append(f"Kết luận / verdict: {verdict}")
    return "\n".join(lines)


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
