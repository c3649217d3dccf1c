"""Shared behaviour of the signature commands: bilingual errors and exit codes.

Exit codes: 0 done, 1 refused (a rule, a permission, a missing certificate), 2 bad usage or an
unreadable input file (argparse also exits 2 on bad arguments).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanban.core.errors import DomainError
from vanban.directory.models import Agency


class SignaturesCommand(BaseCommand):
    """Turns domain errors into exit code 1 and unreadable files into exit code 2."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as err:
            raise CommandError(f"{err.vi} | {err.en}", returncode=1) from err

    @staticmethod
    def read(path: Path) -> bytes:
        """Read an input file or stop with exit code 2."""
        try:
            return path.read_bytes()
        except OSError as err:
            raise CommandError(f"Không đọc được tệp {path} | cannot read {path}: "
                               f"{err.strerror}", returncode=2) from err

    @staticmethod
    def agency(code: str) -> Agency:
        """The agency with this identifier code, or exit code 1."""
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {code} | no agency with code {code}",
                               returncode=1)
        return agency
