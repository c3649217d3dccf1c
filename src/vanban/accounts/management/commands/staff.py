"""``vanban staff create|reset-password|reset-2fa|unlock``: the console's way to make accounts,
above all the first province administrator of a new installation (R20.1), who then creates
everyone else in the web pages; and to recover a province administrator's account, which no
web user may touch (the privilege order puts it at the top)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanban.accounts import services
from vanban.accounts.models import User
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
        for name, helptext in (("reset-password", "đặt lại mật khẩu / reset the password"),
                               ("reset-2fa", "tắt xác thực hai lớp / turn 2FA off"),
                               ("unlock", "mở khóa đăng nhập / lift sign-in locks")):
            cmd = sub.add_parser(name, help=helptext)
            cmd.add_argument("--username", required=True)
            if name != "unlock":
                cmd.add_argument("--reason", required=True, help="lý do / reason (audited)")
            if name == "reset-password":
                cmd.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "create":
            self._recover(options)
            return
        try:
            agency = directory.agency_get(options["agency"])
        except DomainError as exc:
            raise CommandError(f"{exc.vi} / {exc.en}") from None
        password = self._password(options)
        try:
            user = services.staff_create(
                actor=None, agency=agency, username=options["username"],
                full_name=options["full_name"], roles=options["role"], password=password,
                position=options["position"], mailbox=options["mailbox"])
        except DomainError as exc:
            raise CommandError(f"{exc.vi} / {exc.en}") from None
        self.stdout.write(f"Đã tạo / created: {user.username} ({', '.join(options['role'])}) "
                          f"— {agency.name}")

    def _password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n")
        password = getpass.getpass("Mật khẩu / Password: ")
        if getpass.getpass("Nhập lại / Again: ") != password:
            raise CommandError("Hai lần nhập không khớp. / The passwords do not match.")
        return password

    def _recover(self, options: dict[str, Any]) -> None:
        """Reset a password or second factor, or unlock, as the console (audited, notified)."""
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError("Không có tài khoản này. / No such account.")
        try:
            if options["action"] == "reset-password":
                services.staff_reset_password(actor=None, user=user,
                                              password=self._password(options),
                                              reason=options["reason"])
            elif options["action"] == "reset-2fa":
                services.totp_disable(actor=None, user=user, reason=options["reason"])
            else:
                services.staff_unlock(actor=None, user=user)
        except DomainError as exc:
            raise CommandError(f"{exc.vi} / {exc.en}") from None
        self.stdout.write(f"Đã thực hiện / done: {options['action']} {user.username}")
