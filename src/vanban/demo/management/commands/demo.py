"""``vanban demo load [--if-empty]``: the demo province of Bắc Giang, its staff and password."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanban.core.errors import DomainError
from vanban.demo.loader import demo_load


class Command(BaseCommand):
    """Load demo data into an empty installation."""

    help = "Nạp tỉnh mẫu (Bắc Giang 2015) và tài khoản thử. / Load the demo province."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """One subcommand: load."""
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp dữ liệu mẫu / load the demo data")
        load.add_argument("--if-empty", action="store_true",
                          help="Bỏ qua nếu đã có cơ quan / do nothing if agencies exist")

    def handle(self, *args: Any, **options: Any) -> None:
        """Load, or explain why not (exit 1)."""
        try:
            demo_load(stdout=self.stdout, if_empty=options["if_empty"])
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}", returncode=1) from None
