"""The mail app's subcommands of ``vanban mail`` (the command itself lives in
``vanban.mailgate.management.commands.mail``, which owns ``import`` and ``gateway``).

Contract with that command:

* ``add_subcommands(sub)``: ``sub`` is the command's ``add_subparsers(dest="subcommand")``
  action; this adds ``dkim``, ``mailbox`` and ``check`` (the names in :data:`NAMES`).
* ``handle(command, name, options)``: runs subcommand ``name`` with the parsed ``options``,
  writing to ``command.stdout`` / ``command.stderr``; returns None on success and raises
  ``CommandError`` with ``returncode`` 1 (the check or the action failed or was refused, the
  mail system unreachable) or 2 (usage error: a missing file, an unknown agency, a malformed
  key), and a plain bilingual message, never a traceback.

Subcommands:

* ``dkim add --domain D --selector S PUBLIC.pem [--private KEY.pem]``: a key of the provincial
  key table (``--private``: the province's own signing key, stored encrypted);
  ``dkim list [--json]``; ``dkim disable --domain D --selector S``.
* ``mailbox create ADDRESS (--agency CODE | --user USERNAME)``: provisions the mailbox and
  prints its password once; ``mailbox disable ADDRESS``; ``mailbox list [--json]``.
* ``check [--mailbox ADDRESS]``: connects to the IMAP and SMTP servers of the settings, logs in
  with a clerk mailbox, NOOP; prints what is wrong in Vietnamese and English; exit 0 or 1.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanban.core.errors import DomainError, NotFound, ValidationFailed

NAMES = ("dkim", "mailbox", "check")


def add_subcommands(sub: Any) -> None:
    """Add ``dkim``, ``mailbox`` and ``check`` to the ``vanban mail`` subparsers."""
    dkim = sub.add_parser("dkim", help="Bảng khoá DKIM của tỉnh / the provincial DKIM keys")
    dkim_sub = dkim.add_subparsers(dest="dkim_action", required=True)
    add = dkim_sub.add_parser("add", help="Thêm khoá / add a key")
    add.add_argument("--domain", required=True, help="miền (d=) / the signing domain")
    add.add_argument("--selector", required=True, help="bộ chọn (s=) / the selector")
    add.add_argument("public", type=Path, help="khoá công khai PEM / public key PEM file")
    add.add_argument("--private", type=Path, default=None,
                     help="khoá ký của tỉnh (PEM, lưu mã hoá) / the province's signing key")
    add.add_argument("--domain-only", action="store_true",
                     help="chấp nhận chữ ký chỉ nêu miền (d=), không nêu hộp thư (i=) / accept "
                          "signatures naming the domain only (d=), not the mailbox (i=)")
    lst = dkim_sub.add_parser("list", help="Liệt kê khoá / list the keys")
    lst.add_argument("--json", action="store_true", help="In JSON / print JSON")
    off = dkim_sub.add_parser("disable", help="Ngừng dùng khoá / disable a key")
    off.add_argument("--domain", required=True)
    off.add_argument("--selector", required=True)

    box = sub.add_parser("mailbox", help="Hộp thư công vụ / official mailboxes")
    box_sub = box.add_subparsers(dest="mailbox_action", required=True)
    create = box_sub.add_parser("create", help="Tạo hộp thư / create a mailbox")
    create.add_argument("address", help="địa chỉ thư / the address")
    owner = create.add_mutually_exclusive_group(required=True)
    owner.add_argument("--agency", help="mã cơ quan (hộp thư văn thư) / agency code (clerk)")
    owner.add_argument("--user", help="tên đăng nhập (hộp thư cá nhân) / username (personal)")
    disable = box_sub.add_parser("disable", help="Khoá hộp thư / disable a mailbox")
    disable.add_argument("address")
    listing = box_sub.add_parser("list", help="Liệt kê hộp thư / list the mailboxes")
    listing.add_argument("--json", action="store_true", help="In JSON / print JSON")

    check = sub.add_parser("check", help="Kiểm tra cấu hình IMAP và SMTP / test the IMAP and "
                                         "SMTP settings")
    check.add_argument("--mailbox", default="",
                       help="hộp thư văn thư dùng để thử / the clerk mailbox to log in with")


def handle(command: BaseCommand, name: str, options: dict[str, Any]) -> None:
    """Run subcommand ``name`` (one of :data:`NAMES`)."""
    try:
        if name == "dkim":
            _dkim(command, options)
        elif name == "mailbox":
            _mailbox(command, options)
        elif name == "check":
            _check(command, options)
        else:
            raise CommandError(f"unknown subcommand {name}", returncode=2)
    except DomainError as err:
        raise CommandError(f"{err.vi} / {err.en}", returncode=exit_code(err)) from err


def exit_code(err: DomainError) -> int:
    """2 for a usage error (bad input, nothing of that name); 1 for an action refused or a
    service that cannot do it now (a conflict, the mail system's account file unwritable)."""
    return 2 if isinstance(err, ValidationFailed | NotFound) else 1


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise CommandError(f"Không đọc được tệp / cannot read {path}: {err}",
                           returncode=2) from err


def _dkim(command: BaseCommand, options: dict[str, Any]) -> None:
    from vanban.mail import dkim

    action = options["dkim_action"]
    if action == "add":
        private = _read(options["private"]) if options["private"] else ""
        key = dkim.dkim_key_add(actor=None, domain=options["domain"],
                                selector=options["selector"],
                                public_pem=_read(options["public"]), private_pem=private,
                                identity_required=not options["domain_only"])
        command.stdout.write(f"{key.selector}._domainkey.{key.domain}: "
                             f"{'khoá ký / signing key' if key.can_sign else 'khoá kiểm / key'}")
    elif action == "disable":
        dkim.dkim_key_disable(actor=None, domain=options["domain"],
                              selector=options["selector"])
        command.stdout.write("Đã ngừng dùng khoá / key disabled")
    else:
        rows = [key.as_dict() for key in dkim.dkim_keys()]
        if options["json"]:
            command.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            command.stdout.write(
                f"{row['selector']}._domainkey.{row['domain']}\t"
                f"{'ký / signs' if row['signs'] else '-'}\t"
                f"{'i= bắt buộc / i= required' if row['identity_required'] else 'd= only'}\t"
                f"{'đang dùng / active' if row['active'] else 'ngừng / disabled'}\t"
                f"{row['added_at']}")


def _mailbox(command: BaseCommand, options: dict[str, Any]) -> None:
    from vanban.mail import services

    action = options["mailbox_action"]
    if action == "create":
        created = services.mailbox_create_for(
            actor=None, address=options["address"], agency_code=options["agency"] or "",
            username=options["user"] or "")
        command.stdout.write(f"{created.mailbox.address}")
        command.stdout.write(f"Mật khẩu (chỉ hiện một lần) / password (shown once): "
                             f"{created.password}")
    elif action == "disable":
        box = services.mailbox_by_address(options["address"])
        services.mailbox_disable(actor=None, mailbox=box)
        command.stdout.write(f"Đã khoá / disabled: {box.address}")
    else:
        rows = [services.mailbox_row(box) for box in services.mailboxes()]
        if options["json"]:
            command.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            command.stdout.write(f"{row['address']}\t{row['kind']}\t{row['owner']}\t"
                                 f"{'hoạt động / active' if row['active'] else 'khoá / off'}")


def _check(command: BaseCommand, options: dict[str, Any]) -> None:
    from vanban.mail.check import mail_check

    findings = mail_check(mailbox=options["mailbox"] or "")
    for finding in findings:
        stream = command.stdout if finding.ok else command.stderr
        stream.write(finding.line())
    if not all(finding.ok for finding in findings):
        raise CommandError("Cấu hình thư có lỗi / the mail settings have problems",
                           returncode=1)


def parser_for_tests() -> argparse.ArgumentParser:
    """A stand-alone parser with these subcommands (tests of the argument shapes)."""
    parser = argparse.ArgumentParser(prog="vanban mail")
    add_subcommands(parser.add_subparsers(dest="subcommand", required=True))
    return parser
