"""``vanban mail …``: the official mail road's operator commands.

* ``import FILE.eml --mailbox ADDRESS [--json]`` judges and files one message exactly as the
  gateway would: exit 0 filed (or already handled), 1 refused (reasons in the JSON), 2 usage
  error (no such file, a mailbox of no agency).
* ``rejudge (UID… | --all) [--mailbox ADDRESS] [--json]`` judges quarantined messages again
  (after a DKIM key was added or a sender's mailbox registered) and files those that now
  pass, once: exit 0 when every one named was filed, 1 when some are still refused, 2 usage
  error (no such message).
* ``gateway [--once]`` reads every clerk mailbox and runs the outbox (the mail sending is an
  outbox handler), then waits (IDLE or polling) and starts again; ``--once`` stops after one
  pass. SIGTERM or SIGINT stops it between two passes.
* the mail app's own subcommands (mailboxes, DKIM keys, ``check``) from ``vanban.mail.cli``.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from vanban.core.errors import DomainError
from vanban.core.stopping import stop_on_signal
from vanban.mail import cli
from vanban.mailgate import reader
from vanban.mailgate.services import ports
from vanban.mailgate.services.receive import mail_receive

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Cổng thư điện tử công vụ (R4.1, R9.1) / the official mail gateway."
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        one = sub.add_parser("import", help="Xét và nhận một thư .eml / judge and file one "
                                            ".eml message")
        one.add_argument("file", help="tệp .eml / the .eml file")
        one.add_argument("--mailbox", required=True,
                         help="hộp thư văn thư nhận thư / the clerk mailbox it arrived in")
        one.add_argument("--json", action="store_true", help="kết quả dạng JSON / JSON output")
        again = sub.add_parser("rejudge", help="Xét lại thư bị giữ lại / judge quarantined "
                                               "messages again")
        again.add_argument("uids", nargs="*", help="mã thư (uid) / message uids")
        again.add_argument("--all", action="store_true",
                           help="mọi thư đang bị giữ lại / every quarantined message")
        again.add_argument("--mailbox", default="",
                           help="chỉ thư của hộp thư này / only this mailbox's messages")
        again.add_argument("--json", action="store_true", help="kết quả dạng JSON / JSON output")
        gateway = sub.add_parser("gateway", help="Đọc hộp thư và gửi thư / read the mailboxes "
                                                 "and send mail")
        gateway.add_argument("--once", action="store_true",
                             help="một lượt rồi dừng / one pass, then stop")
        cli.add_subcommands(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["subcommand"]
        if name == "import":
            self._import(Path(options["file"]), options["mailbox"], as_json=options["json"])
        elif name == "rejudge":
            self._rejudge(options["uids"], every=options["all"], mailbox=options["mailbox"],
                          as_json=options["json"])
        elif name == "gateway":
            self._gateway(once=options["once"])
        else:
            cli.handle(self, name, options)

    def _import(self, path: Path, mailbox: str, *, as_json: bool) -> None:
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise CommandError(f"Không đọc được tệp / cannot read {path}: {err.strerror}",
                               returncode=2) from err
        try:
            outcome = mail_receive(raw=raw, mailbox=mailbox)
        except DomainError as err:
            if as_json:
                self.stdout.write(json.dumps({"error": err.code, "vi": err.vi, "en": err.en},
                                             ensure_ascii=False))
            raise CommandError(f"{err.vi} / {err.en}",
                               returncode=1 if err.status == 503 else 2) from err
        data = outcome.as_dict()
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{data['state']}: {data['message_id']} from {data['from']}")
            for item in data["reasons"]:
                self.stdout.write(f"  - {item['code']}: {item['vi']} / {item['en']}")
        if data["state"] not in ("filed", "dsn"):
            raise CommandError("Thư bị từ chối / the message was refused", returncode=1)

    def _rejudge(self, uids: list[str], *, every: bool, mailbox: str, as_json: bool) -> None:
        from vanban.mailgate.models import MailMessage, MailState
        from vanban.mailgate.services import quarantine_rejudge

        if bool(uids) == every:
            raise CommandError("Nêu mã thư hoặc --all / give message uids or --all",
                               returncode=2)
        rows = MailMessage.objects.select_related("agency").filter(state=MailState.QUARANTINED)
        if mailbox:
            rows = rows.filter(mailbox=mailbox.strip().lower())
        if uids:
            found = {str(m.uid): m for m in MailMessage.objects.select_related("agency")
                     .filter(uid__in=[u for u in uids if _is_uuid(u)])}
            missing = [u for u in uids if u not in found]
            if missing:
                raise CommandError(f"Không có thư / no such message: {', '.join(missing)}",
                                   returncode=2)
            targets = [found[u] for u in uids]
        else:
            targets = list(rows.order_by("received_at", "pk"))
        results: list[dict[str, Any]] = []
        for message in targets:
            try:
                now = quarantine_rejudge(actor=None, message=message)
            except DomainError as err:
                results.append({"uid": str(message.uid), "state": message.state,
                                "error": err.code, "vi": err.vi, "en": err.en})
                continue
            results.append({"uid": str(now.uid), "state": now.state,
                            "reasons": [r.get("code") for r in now.reasons]
                            if now.state != MailState.FILED else []})
        if as_json:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            for item in results:
                self.stdout.write(f"{item['uid']}: {item['state']} "
                                  f"{' '.join(item.get('reasons') or [item.get('error', '')])}"
                                  .rstrip())
        if any(item["state"] != MailState.FILED for item in results):
            raise CommandError("Còn thư bị giữ lại / some messages are still refused",
                               returncode=1)

    def _pass(self) -> None:
        """Every clerk mailbox once, then the outbox (the mail sending among its handlers)."""
        from vanban.exchange.services.outbox import outbox_run

        for report in reader.gateway_pass():
            self.stdout.write(
                f"{report.mailbox}: read={report.read} filed={report.filed} "
                f"refused={report.refused} dsn={report.dsn} "
                f"repeated={report.duplicates} errors={len(report.errors)}")
        self.stdout.write(f"outbox: {outbox_run()}")
        self.stdout.flush()

    def _gateway(self, *, once: bool) -> None:
        """Read, send, wait; until a signal (or after one pass with ``--once``)."""
        if once:
            self._pass()
            return
        with stop_on_signal() as stop:
            while not stop:
                self._pass()
                reader.wait_for_mail(ports.clerk_addresses(), reader.poll_seconds())
                close_old_connections()  # a long wait: the next pass gets a fresh connection


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
