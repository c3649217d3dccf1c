"""``vanban staff create``: the console's way to make accounts, above all the first province
administrator of a new installation (R20.1), who then creates everyone else in the web pages."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts import services
from vanban.core.errors import DomainError
from vanban.core.roles import Role
from vanban.directory import selectors as directory


class Command(BaseCommand):
    help = "Tạo tài khoản cán bộ từ dòng lệnh / Create a staff account from the console."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="tạo tài khoản / create an account")
        create.add_argument("--agency", required=True, help="mã định danh / agency code")
        create.add_argument("--username", required=True)
        create.add_argument("--full-name", required=True)
        create.add_argument("--role", action="append", required=True,
                            choices=[r.value for r in Role], help="repeat for several roles")
        create.add_argument("--position", default="")
        create.add_argument("--mailbox", default="")
        create.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input (for scripts)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = directory.agency_get(options["agency"])
        except DomainError as exc:
            raise CommandError(f"{exc.vi} / {exc.en}") from None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Mật khẩu / Password: ")
            if getpass.getpass("Nhập lại / Again: ") != password:
                raise CommandError("Hai lần nhập không khớp. / The passwords do not match.")
        try:
            user = services.staff_create(
                actor=None, agency=agency, username=options["username"],
                full_name=options["full_name"], roles=options["role"], password=password,
                position=options["position"], mailbox=options["mailbox"])
        except DomainError as exc:
            raise CommandError(f"{exc.vi} / {exc.en}") from None
        self.stdout.write(f"Đã tạo / created: {user.username} ({', '.join(options['role'])}) "
                          f"— {agency.name}")
