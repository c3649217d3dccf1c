"""``vanban demo load [--if-empty]`` and ``vanban demo accounts [--all] [--reset-password]``:
the demo province of Bắc Giang, its staff and password."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from vanban.core.errors import DomainError


class Command(BaseCommand):
    """Load demo data into an empty installation; list its accounts, reset its password."""

    help = ("Nạp tỉnh mẫu (Bắc Giang 2015), liệt kê tài khoản thử, đặt lại mật khẩu. / "
            "Load the demo province, list its accounts, reset their password.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Two subcommands: load, accounts."""
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp dữ liệu mẫu / load the demo data")
        load.add_argument("--if-empty", action="store_true",
                          help="Bỏ qua nếu đã có cơ quan / do nothing if agencies exist")
        accounts = sub.add_parser(
            "accounts", help="Tài khoản mẫu để bắt đầu / the demo accounts to start with")
        accounts.add_argument("--all", action="store_true", dest="everyone",
                              help="Mọi tài khoản mẫu / every demo account")
        accounts.add_argument(
            "--reset-password", action="store_true",
            help="Đặt mật khẩu mới cho mọi tài khoản mẫu và in ra / "
                 "give every demo account a new password and print it")

    def handle(self, *args: Any, **options: Any) -> None:
        """Load or list, or explain why not (exit 1)."""
        try:
            if options["action"] == "load":
                self._load(if_empty=options["if_empty"])
            else:
                self._accounts(everyone=options["everyone"], reset=options["reset_password"])
        except DomainError as err:
            raise CommandError(f"{err.vi} / {err.en}", returncode=1) from None

    def _load(self, *, if_empty: bool) -> None:
        from vanban.cli import never_migrated
        from vanban.demo.loader import demo_load

        if never_migrated():  # a fresh home: set the database up first
            self.stdout.write("Khởi tạo cơ sở dữ liệu / setting up the database…\n")
            call_command("migrate", verbosity=0, interactive=False)
        demo_load(stdout=self.stdout, if_empty=if_empty)

    def _accounts(self, *, everyone: bool, reset: bool) -> None:
        from vanban.demo.accounts import accounts_table, demo_accounts, demo_password_reset
        from vanban.demo.loader import new_password

        self.stdout.write(accounts_table(demo_accounts(everyone=everyone)))
        if reset:
            self.stdout.write("\nĐang đặt lại mật khẩu (có thể mất một phút) / resetting the "
                              "password (may take a minute)…\n")
            password = new_password()
            count = demo_password_reset(password)
            self.stdout.write(
                f"\nĐã đặt lại mật khẩu {count} tài khoản mẫu / reset {count} demo accounts.\n"
                f"Mật khẩu mới / new password: {password}\n")
        else:
            self.stdout.write(
                "\nMật khẩu chung được in khi nạp dữ liệu mẫu; quên thì đặt lại / the password "
                "was printed by the load; if lost: vanban demo accounts --reset-password\n")
