"""``vanban pdf sign IN.pdf OUT.pdf --agency CODE`` (R15.1, R15.2).

Built with subcommands so that ``vanban pdf verify`` can be added beside ``sign``: add its
parser in ``add_arguments`` and a ``_verify(**options)`` method; ``handle`` dispatches by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from vanban.pdfs.inspect import inspect_pdf
from vanban.signatures import services
from vanban.signatures.management.commands._base import SignaturesCommand


class Command(SignaturesCommand):
    help = ("Tệp PDF: ký số bằng chứng thư của cơ quan / "
            "PDF files: sign with the agency certificate.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sign = sub.add_parser("sign", help="Ký tệp PDF (PAdES) / sign a PDF (PAdES)")
        sign.add_argument("input", type=Path, help="IN.pdf")
        sign.add_argument("output", type=Path, help="OUT.pdf")
        sign.add_argument("--agency", required=True, help="mã định danh cơ quan / agency code")

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
