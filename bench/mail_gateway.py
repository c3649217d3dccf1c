"""The mail gateway's reading rate (R4.1): messages judged and filed per second from one clerk
mailbox, beside a raw IMAP fetch of the same messages with imap-tools in the same run.

* ours: :func:`vanban.mailgate.reader.mailbox_pass` over a mailbox of N unread messages, each
  DKIM-signed by the province's key with one PDF attached: fetch, MIME parse, DKIM against the
  key table, the judging, the intake (PDF rules), the mail-path verification, the arrival port
  (blobs, attachment rows, the delivery, its evidence record), the message row, the
  gateway's IMAP keyword — fifty messages at a time, their files flushed together and their
  rows filed in one transaction;
* raw: imap-tools ``MailBoxUnencrypted.fetch`` of the same N messages (bulk, not marked read),
  which parses each into an ``email.message`` too; run before and after ours, median taken;
* floor: the same fetch and parse plus only the DKIM check, the least R4.1 asks beyond the
  raw fetch, which bounds what a one-process gateway could reach.

The servers are the tests' real Dovecot (IMAP, LMTP) and relay on loopback. Run:
``python -m bench --only mail [--mail-messages N]`` or standalone ``python -m bench.mail_gateway``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime

from bench import Result

DOMAIN = "bacgiang.vanban.test"


def _key() -> None:
    """The province's DKIM signing key for the domain, in the key table."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from vanban.mail.dkim import dkim_key_add

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    dkim_key_add(actor=None, domain=DOMAIN, selector="bench", public_pem=key.public_key()
                 .public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
                 private_pem=key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()).decode())


def _messages(count: int, sender: str, recipient: str) -> list[bytes]:
    """``count`` messages, each with its own one-page PDF, DKIM-signed by the province."""
    from vanban.core import clock
    from vanban.exchange.tests.conftest import make_pdf
    from vanban.mail.dkim import dkim_sign

    pdf = make_pdf("Cong van thu nghiem")
    out = []
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = sender, recipient
        message["Subject"] = f"Văn bản thử số {n}"
        message["Date"] = format_datetime(clock.now())
        message["Message-ID"] = f"<bench-{n}@{DOMAIN}>"
        message.set_content("Kính gửi văn thư.")
        message.add_attachment(pdf + f"% {n}\n".encode(), maintype="application",
                               subtype="pdf", filename=f"cv-{n}.pdf")
        out.append(dkim_sign(message.as_bytes().replace(b"\n", b"\r\n"), DOMAIN,
                             identity=sender))
    return out


def _raw_fetch(servers: object, address: str, password: str) -> tuple[float, int]:
    from imap_tools import MailBoxUnencrypted

    started = time.perf_counter()
    with MailBoxUnencrypted("127.0.0.1", servers.imap_port).login(  # type: ignore[attr-defined]
            address, password, "INBOX") as box:
        count = sum(1 for _ in box.fetch(mark_seen=False, bulk=50))
    return time.perf_counter() - started, count


def _judge_only(address: str) -> tuple[float, int]:
    """The reader's fetch and the judging without filing: the share of the work that is not
    the durable filing (the same fetch, MIME parse, DKIM and rules as a pass)."""
    from vanban.mailgate.core.message import parse_message
    from vanban.mailgate.reader import FILED, unread
    from vanban.mailgate.services import ports
    from vanban.mailgate.services.receive import Run, judge

    started = time.perf_counter()
    count = 0
    run = Run.of(address)  # as a pass does: the agency and the key table read once
    with ports.imap_open(address) as box:
        box.flag(box.uids(), FILED, False)
        for _uid, raw in unread(box):
            mail = parse_message(raw)
            if judge(raw, mail, mail.message_id, run).reasons:
                raise RuntimeError("a bench message was refused")
            count += 1
    return time.perf_counter() - started, count


def _floor(servers: object, address: str, password: str) -> tuple[float, int]:
    """The least any gateway must do that the raw fetch does not: the raw fetch itself (the
    same imap-tools fetch and parse) plus the DKIM check R4.1 and the issue require, and
    nothing else (no header rules, no PDF, no filing). Its rate bounds any design that
    reads and checks in one process."""
    from imap_tools import MailBoxUnencrypted
    from imap_tools.message import MailMessage

    from vanban.mailgate.services import ports

    class Kept(MailMessage):
        """imap-tools' message, keeping the bytes it parsed (the DKIM check needs them)."""

        def __init__(self, fetch_data: list[object]) -> None:
            super().__init__(fetch_data)
            self.raw: bytes = self._get_message_data_parts(fetch_data)[0]

    class Box(MailBoxUnencrypted):
        email_message_class = Kept

    keys = ports.dkim_keys()
    started = time.perf_counter()
    count = 0
    with Box("127.0.0.1", servers.imap_port).login(  # type: ignore[attr-defined]
            address, password, "INBOX") as box:
        for message in box.fetch(mark_seen=False, bulk=50):
            if ports.dkim_check(message.raw, keys).status != "pass":  # type: ignore[attr-defined]
                raise RuntimeError("a bench message failed DKIM")
            count += 1
    return time.perf_counter() - started, count


def run(args: argparse.Namespace) -> list[Result]:
    """Deliver N messages, fetch them raw, file them, fetch them raw again."""
    from django.test import override_settings

    from vanban.core.roles import Role
    from vanban.directory.models import Agency
    from vanban.mail.services import mailbox_create
    from vanban.mail.tests.servers import MailServers, can_start, settings_for, unique_address
    from vanban.mailgate.reader import mailbox_pass

    ok, why = can_start()
    if not ok:
        print(f"mail gateway: {why}; skipped")
        return []
    count = int(getattr(args, "mail_messages", 2000) or 2000)
    servers = MailServers()
    try:
        with override_settings(**settings_for(servers)):
            from vanban.core import clock

            now = clock.now()
            sender, recipient = (Agency.objects.create(
                code=code, name=name, short_name=short, created_at=now, updated_at=now)
                for code, name, short in (("000.00.92.H06", "Sở Nội vụ (bench)", "SNV"),
                                          ("000.00.93.H06", "Sở Tài chính (bench)", "STC")))
            from vanban.accounts.models import RoleGrant, User

            clerk = User.objects.create(username="vt.bench", full_name="Văn thư",
                                        agency=recipient, password_changed_at=now)
            RoleGrant.objects.create(user=clerk, role=Role.CLERK, granted_at=now)
            _key()
            mine = mailbox_create(actor=None, address=unique_address("snv", DOMAIN),
                                  agency=sender)
            theirs = mailbox_create(actor=None, address=unique_address("stc", DOMAIN),
                                    agency=recipient)
            address, password = theirs.mailbox.address, theirs.password
            servers.wait_login(address, password)
            for raw in _messages(count, mine.mailbox.address, address):
                servers.deliver(address, raw)
            raw_times = [_raw_fetch(servers, address, password)[0]]
            started = time.perf_counter()
            report = mailbox_pass(address)
            ours = time.perf_counter() - started
            raw_times.append(_raw_fetch(servers, address, password)[0])
            judged, judged_count = _judge_only(address)
            floor, floor_count = _floor(servers, address, password)
    finally:
        servers.stop()
    if report.filed != count:
        raise RuntimeError(f"filed {report.filed} of {count}: {report}")
    rate, raw_rate = count / ours, count / statistics.median(raw_times)
    judge_rate, floor_rate = judged_count / judged, floor_count / floor
    print(f"mail gateway ({count} messages): judged and filed {rate:.1f}/s, "
          f"fetched and judged only {judge_rate:.1f}/s, "
          f"fetch + one parse + DKIM only {floor_rate:.1f}/s, "
          f"raw imap-tools fetch {raw_rate:.1f}/s ({rate / raw_rate:.3f}×)")
    return [Result(f"Mail gateway: messages judged and filed, one mailbox of {count}", rate,
                   "messages/s", "imap-tools fetch of the same messages", raw_rate,
                   "≥ 0.5× the raw fetch"),
            Result(f"Mail gateway: fetched and judged, not filed ({count})", judge_rate,
                   "messages/s", "imap-tools fetch of the same messages", raw_rate, ""),
            Result(f"Mail gateway floor: fetch, one parse, DKIM only ({count})", floor_rate,
                   "messages/s", "imap-tools fetch of the same messages", raw_rate,
                   "bounds a one-process design")]


def main() -> None:
    """Standalone: ``python -m bench.mail_gateway [--mail-messages N]``."""
    parser = argparse.ArgumentParser(prog="python -m bench.mail_gateway")
    parser.add_argument("--mail-messages", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("VANBAN_HOME", tempfile.mkdtemp(prefix="vanban-bench-"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from bench import markdown

    print(markdown(run(args)))


if __name__ == "__main__":
    main()
