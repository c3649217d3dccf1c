"""The real mail servers of the tests: Dovecot (IMAP + LMTP) and an SMTP relay, on loopback.

* Dovecot runs as a plain process with its own config in a temporary folder: IMAP and LMTP on
  free loopback ports, a ``passwd-file`` passdb (the same file the Dovecot provisioning adapter
  writes, see ``vanban.mail.passwd_file``), a static userdb and maildirs in the folder.
* The relay is an aiosmtpd server that logs senders in against that passwd-file, accepts every
  recipient, and delivers each one to Dovecot's LMTP at once (the full address is the user
  name). It offers ``DSN`` (RFC 3461) as a real MTA does: ``NOTIFY=SUCCESS`` brings a delivery
  status notification (multipart/report with message/delivery-status, Original-Envelope-Id,
  Original-Recipient) back to the sender's mailbox, and an unknown recipient brings a failure
  DSN (unless ``NOTIFY=NEVER``); ``RET=HDRS`` returns the headers, ``RET=FULL`` the message.

Use from any test module or conftest by importing the fixtures::

    from vanban.mail.tests.servers import mail_servers, mail_settings  # noqa: F401

``mail_servers`` (session) starts both once; ``mail_settings`` (per test) points the
``VANBAN_MAIL_*`` settings at them. ``servers.add_mailbox(address, password)`` adds a mailbox at
run time, ``servers.deliver(address, raw)`` puts a raw message straight into a mailbox (LMTP),
``servers.messages(address, password)`` reads a mailbox over IMAP.
"""

from __future__ import annotations

import email.utils
import imaplib
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session, syntax
from django.test import override_settings

from vanban.mail.passwd_file import PasswdFile, ssha512_matches

HOST = "127.0.0.1"
RELAY_NAME = "relay.vanban.test"


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def dovecot_binary() -> str | None:
    """Path of Debian's dovecot, when installed."""
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot",) if Path(p).exists()), None)


def can_start() -> tuple[bool, str]:
    """Whether a real Dovecot can be started here, and why not."""
    if dovecot_binary() is not None:
        return True, ""
    if os.geteuid() == 0:  # CI runs as root after scripts/setup: a missing dovecot is a failure
        return False, "dovecot is missing although running as root: run scripts/setup"
    return False, "dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"


def _dovecot_config(root: Path, imap_port: int, lmtp_port: int) -> str:
    if os.geteuid() == 0:
        users = ["default_internal_user = dovecot", "default_login_user = dovenull"]
        owner = "uid=nobody gid=nogroup"
    else:
        me = os.environ.get("USER") or str(os.geteuid())
        users = [f"default_internal_user = {me}", f"default_login_user = {me}"]
        owner = f"uid={os.geteuid()} gid={os.getegid()}"
    return "\n".join([
        f"base_dir = {root}/run", f"state_dir = {root}/state",
        f"log_path = {root}/dovecot.log", f"info_log_path = {root}/dovecot.log",
        "protocols = imap lmtp", f"listen = {HOST}", "ssl = no", "disable_plaintext_auth = no",
        "auth_mechanisms = plain login", "mail_location = maildir:~/Maildir",
        "first_valid_uid = 1", "postmaster_address = postmaster@vanban.test",
        "auth_failure_delay = 0",
        "hostname = mail.vanban.test", *users,
        "passdb {", "  driver = passwd-file",
        f"  args = scheme=PLAIN username_format=%u {root}/passwd", "}",
        "userdb {", "  driver = static", f"  args = {owner} home={root}/mail/%u", "}",
        "service imap-login {", "  inet_listener imap {", f"    address = {HOST}",
        f"    port = {imap_port}", "  }", "  inet_listener imaps {", "    port = 0", "  }", "}",
        "service lmtp {", "  inet_listener lmtp {", f"    address = {HOST}",
        f"    port = {lmtp_port}", "  }", "}",
        # no growing wait after a refused login (tests refuse logins on purpose)
        "service anvil {", "  unix_listener anvil-auth-penalty {", "    mode = 0", "  }", "}",
        ""])


class Dovecot:
    """One Dovecot process; ``stop()`` ends only this process and removes its folder."""

    def __init__(self, binary: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="vanban-dovecot-"))
        self.root.chmod(0o755)
        (self.root / "mail").mkdir(mode=0o777)
        (self.root / "mail").chmod(0o777)
        # As a real install has it: readable by Dovecot's group only (its auth process runs as
        # the dovecot user when started as root), never by everyone.
        group = "dovecot" if os.geteuid() == 0 else ""
        self.passwd = PasswdFile(self.root / "passwd", group)
        self.passwd.path.write_text("")
        if group:
            shutil.chown(self.passwd.path, group=group)
        self.passwd.path.chmod(0o640)
        self.imap_port, self.lmtp_port = free_port(), free_port()
        self.config = self.root / "dovecot.conf"
        self.config.write_text(_dovecot_config(self.root, self.imap_port, self.lmtp_port))
        self.process = subprocess.Popen([binary, "-F", "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Until IMAP and LMTP both accept connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr \
                    else ""
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {err} "
                                   f"{self.log()[-2000:]}")
            if all(_accepts(port) for port in (self.imap_port, self.lmtp_port)):
                return
            time.sleep(0.02)
        raise RuntimeError("dovecot did not listen in time: " + self.log()[-2000:])

    def log(self) -> str:
        """Dovecot's log so far."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """End this Dovecot (by its own process id) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- the relay -------------------------------------------------------------------------------


def xtext_decode(value: str) -> str:
    """RFC 3461 xtext: ``+XX`` is a hex-coded byte."""
    out, i = bytearray(), 0
    raw = value.encode("ascii", "replace")
    while i < len(raw):
        if raw[i:i + 1] == b"+" and i + 2 < len(raw) + 1:
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "replace")


def _take_params(arg: str | None, names: set[str]) -> tuple[str | None, dict[str, str]]:
    """Remove the DSN parameters aiosmtpd does not know, keeping their case (ENVID is xtext)."""
    if arg is None:
        return None, {}
    kept: list[str] = []
    found: dict[str, str] = {}
    for token in arg.split(" "):
        key, _, value = token.partition("=")
        if key.upper() in names and kept:
            found[key.upper()] = value
        else:
            kept.append(token)
    return " ".join(kept), found


class DsnEnvelope(Envelope):
    """An envelope with the DSN parameters of MAIL (RET, ENVID) and of each RCPT."""

    def __init__(self) -> None:
        super().__init__()
        self.dsn_mail: dict[str, str] = {}
        self.dsn_rcpt: dict[str, dict[str, str]] = {}


class DsnSMTP(SMTP):
    """aiosmtpd's SMTP with the DSN extension's parameters accepted."""

    def _create_envelope(self) -> Envelope:
        return DsnEnvelope()

    @syntax("MAIL FROM: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_MAIL(self, arg: str | None) -> None:  # noqa: N802 (aiosmtpd names)
        arg, found = _take_params(arg, {"RET", "ENVID"})
        await super().smtp_MAIL(arg)
        if isinstance(self.envelope, DsnEnvelope) and self.envelope.mail_from:
            self.envelope.dsn_mail = found

    @syntax("RCPT TO: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_RCPT(self, arg: str | None) -> None:  # noqa: N802 (aiosmtpd names)
        arg, found = _take_params(arg, {"NOTIFY", "ORCPT"})
        envelope = self.envelope
        before = len(envelope.rcpt_tos) if envelope else 0
        await super().smtp_RCPT(arg)
        if isinstance(envelope, DsnEnvelope) and len(envelope.rcpt_tos) > before:
            envelope.dsn_rcpt[envelope.rcpt_tos[-1]] = found


@dataclass
class Outcome:
    """What became of one recipient."""

    recipient: str
    delivered: bool
    status: str
    diagnostic: str = ""


@dataclass
class RelayHandler:
    """Delivers each accepted message to Dovecot's LMTP, one recipient at a time."""

    lmtp_port: int
    received: list[bytes] = field(default_factory=list)
    dsns_sent: list[bytes] = field(default_factory=list)

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,  # noqa: N802
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-DSN", responses[-1]]

    async def handle_DATA(  # noqa: N802 (aiosmtpd hook names)
            self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append(content)
        sender = envelope.mail_from or ""
        outcomes = [self.lmtp_deliver(sender, rcpt, content) for rcpt in envelope.rcpt_tos]
        if isinstance(envelope, DsnEnvelope) and sender and sender != "<>":
            self._notify(sender, envelope, outcomes, content)
        return "250 OK queued"

    def lmtp_deliver(self, sender: str, recipient: str, content: bytes) -> Outcome:
        """One LMTP transaction for one recipient."""
        try:
            with smtplib.LMTP(HOST, self.lmtp_port, timeout=30) as lmtp:
                lmtp.sendmail(sender if sender != "<>" else "", [recipient], content)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients[recipient]
            reason = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
            return Outcome(recipient, False, "5.1.1" if code >= 500 else "4.0.0",
                           f"smtp; {code} {reason}")
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(recipient, False, "4.4.1", f"smtp; {exc}")
        return Outcome(recipient, True, "2.0.0")

    def _notify(self, sender: str, envelope: DsnEnvelope, outcomes: list[Outcome],
                content: bytes) -> None:
        report: list[tuple[Outcome, dict[str, str]]] = []
        for outcome in outcomes:
            params = envelope.dsn_rcpt.get(outcome.recipient, {})
            notify = {n.strip().upper() for n in params.get("NOTIFY", "FAILURE").split(",")}
            if ("SUCCESS" in notify and outcome.delivered) or (
                    "FAILURE" in notify and not outcome.delivered and "NEVER" not in notify):
                report.append((outcome, params))
        if report:
            dsn = build_dsn(sender, envelope.dsn_mail, report, content)
            self.dsns_sent.append(dsn)
            self.lmtp_deliver("", sender, dsn)


def build_dsn(sender: str, mail_params: dict[str, str],
              report: list[tuple[Outcome, dict[str, str]]], content: bytes) -> bytes:
    """A multipart/report delivery status notification as an MTA writes it (RFC 3464)."""
    boundary = "dsn-" + secrets.token_hex(8)
    failed = any(not outcome.delivered for outcome, _ in report)
    ret_full = mail_params.get("RET", "HDRS").upper() == "FULL"
    headers, _, _ = content.partition(b"\r\n\r\n")
    per_message = [f"Reporting-MTA: dns; {RELAY_NAME}"]
    if "ENVID" in mail_params:
        per_message.append(f"Original-Envelope-Id: {xtext_decode(mail_params['ENVID'])}")
    per_message.append(f"Arrival-Date: {email.utils.formatdate()}")
    blocks = ["\r\n".join(per_message)]
    human: list[str] = []
    for outcome, params in report:
        lines = []
        if "ORCPT" in params:
            lines.append(f"Original-Recipient: {xtext_decode(params['ORCPT'])}")
        lines += [f"Final-Recipient: rfc822; {outcome.recipient}",
                  f"Action: {'delivered' if outcome.delivered else 'failed'}",
                  f"Status: {outcome.status}"]
        if outcome.diagnostic:
            lines.append(f"Diagnostic-Code: {outcome.diagnostic}")
        blocks.append("\r\n".join(lines))
        human.append(f"<{outcome.recipient}>: "
                     + ("delivered" if outcome.delivered else f"failed: {outcome.diagnostic}"))
    head = "\r\n".join([
        f"From: Mail Delivery System <MAILER-DAEMON@{RELAY_NAME}>", f"To: <{sender}>",
        f"Subject: Delivery Status Notification ({'Failure' if failed else 'Success'})",
        f"Date: {email.utils.formatdate()}",
        f"Message-ID: <{secrets.token_hex(12)}@{RELAY_NAME}>", "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"'])
    returned = (b"Content-Type: message/rfc822\r\n\r\n" + content) if ret_full else (
        b"Content-Type: text/rfc822-headers\r\n\r\n" + headers + b"\r\n")
    parts = [
        ("Content-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at "
         f"{RELAY_NAME}.\r\n\r\n" + "\r\n".join(human) + "\r\n").encode("utf-8"),
        ("Content-Type: message/delivery-status\r\n\r\n" + "\r\n\r\n".join(blocks)
         + "\r\n").encode("utf-8"),
        returned]
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return (head.encode("utf-8") + b"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n"
            + body + b"--" + boundary.encode() + b"--\r\n")


class RelayController(Controller):
    """The aiosmtpd controller that builds :class:`DsnSMTP` servers."""

    def __init__(self, handler: RelayHandler, passwd: PasswdFile, port: int,
                 require_auth: bool) -> None:
        self.passwd = passwd
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            self._init(handler, port, require_auth)

    def _init(self, handler: RelayHandler, port: int, require_auth: bool) -> None:
        super().__init__(handler, hostname=HOST, port=port, server_hostname=RELAY_NAME,
                         data_size_limit=128 * 1024 * 1024, auth_require_tls=False,
                         auth_required=require_auth, authenticator=self.authenticate)

    def factory(self) -> SMTP:
        with warnings.catch_warnings():  # AUTH without TLS: loopback only, on purpose
            warnings.simplefilter("ignore", UserWarning)
            return DsnSMTP(self.handler, **self.SMTP_kwargs)

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                     mechanism: str, auth_data: Any) -> AuthResult:
        """Log in against Dovecot's passwd-file, as a relay using Dovecot SASL does."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        entry = self.passwd.get(auth_data.login.decode("utf-8", "replace"))
        ok = (entry is not None and not entry.disabled
              and ssha512_matches(auth_data.password.decode("utf-8", "replace"),
                                  entry.password_hash))
        return AuthResult(success=ok, handled=False)


# --- both together ---------------------------------------------------------------------------


class MailServers:
    """Dovecot and the relay, started together; see the module docstring."""

    def __init__(self, *, require_auth: bool = True) -> None:
        binary = dovecot_binary()
        if binary is None:
            raise RuntimeError(can_start()[1])
        self.dovecot = Dovecot(binary)
        self.host = HOST
        try:
            self.dovecot.wait_ready()
            self.handler = RelayHandler(self.dovecot.lmtp_port)
            self.smtp_port = free_port()
            self.relay = RelayController(self.handler, self.dovecot.passwd, self.smtp_port,
                                         require_auth)
            self.relay.start()
        except BaseException:
            self.dovecot.stop()
            raise

    @property
    def imap_port(self) -> int:
        return self.dovecot.imap_port

    @property
    def lmtp_port(self) -> int:
        return self.dovecot.lmtp_port

    @property
    def passwd_file(self) -> Path:
        return self.dovecot.passwd.path

    def add_mailbox(self, address: str, password: str | None = None) -> str:
        """Add (or reset) a mailbox at run time, once Dovecot lets it log in; returns its
        password."""
        password = password or secrets.token_urlsafe(12)
        self.dovecot.passwd.put(address, password)
        self.wait_login(address, password)
        return password

    def can_login(self, address: str, password: str) -> bool:
        """Whether Dovecot accepts this login over IMAP now."""
        try:
            with imaplib.IMAP4(HOST, self.imap_port, timeout=10) as imap:
                imap.login(address, password)
                imap.logout()
            return True
        except imaplib.IMAP4.error:
            return False

    def wait_login(self, address: str, password: str, expect: bool = True,
                   timeout: float = 5.0) -> None:
        """Until a login succeeds (or, ``expect=False``, is refused): Dovecot re-reads its
        passwd-file at most once a second."""
        deadline = time.monotonic() + timeout
        while self.can_login(address, password) != expect:
            assert time.monotonic() < deadline, f"{address}: login still {not expect}"
            time.sleep(0.05)

    def deliver(self, address: str, raw: bytes, sender: str = "") -> bool:
        """Put a raw message straight into a mailbox over LMTP (as the relay would)."""
        return self.handler.lmtp_deliver(sender, address, raw).delivered

    def messages(self, address: str, password: str, folder: str = "INBOX") -> list[bytes]:
        """Every message of a mailbox folder, read over IMAP, oldest first."""
        with imaplib.IMAP4(HOST, self.imap_port, timeout=10) as imap:
            imap.login(address, password)
            imap.select(folder, readonly=True)
            _, data = imap.uid("SEARCH", "ALL")
            out: list[bytes] = []
            for uid in (data[0] or b"").decode().split():
                _, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                item = fetched[0]
                if isinstance(item, tuple):
                    out.append(item[1])
            return out

    def wait_messages(self, address: str, password: str, count: int,
                      timeout: float = 10.0) -> list[bytes]:
        """The mailbox's messages once there are at least ``count`` (or fail)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages(address, password)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"{address}: {len(found)} of {count} messages"
                return found
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the relay then Dovecot."""
        try:
            self.relay.stop()
        finally:
            self.dovecot.stop()


def unique_address(prefix: str = "hopthu", domain: str = "vanban.test") -> str:
    """A fresh address (the session's servers are shared by every test)."""
    return f"{prefix}-{secrets.token_hex(4)}@{domain}"


@pytest.fixture(scope="session")
def mail_servers() -> Iterator[MailServers]:
    """Dovecot and the SMTP relay, once for the whole session."""
    ok, why = can_start()
    if not ok:
        if "root" in why:
            pytest.fail(why)
        pytest.skip(why)
    servers = MailServers()
    try:
        yield servers
    finally:
        servers.stop()


def settings_for(servers: MailServers, **extra: object) -> dict[str, object]:
    """The ``VANBAN_MAIL_*`` settings pointing at the test servers (no TLS on loopback)."""
    return {
        "VANBAN_MAIL_IMAP_HOST": HOST, "VANBAN_MAIL_IMAP_PORT": servers.imap_port,
        "VANBAN_MAIL_IMAP_SSL": False, "VANBAN_MAIL_IMAP_STARTTLS": False,
        "VANBAN_MAIL_SMTP_HOST": HOST, "VANBAN_MAIL_SMTP_PORT": servers.smtp_port,
        "VANBAN_MAIL_SMTP_SSL": False, "VANBAN_MAIL_SMTP_STARTTLS": False,
        "VANBAN_MAIL_TIMEOUT": 10.0, "VANBAN_MAIL_PROVISIONER": "dovecot",
        "VANBAN_MAIL_PASSWD_FILE": str(servers.passwd_file), **extra}


@pytest.fixture
def mail_settings(mail_servers: MailServers) -> Iterator[MailServers]:
    """Settings pointing every mail setting at the session's servers, for one test."""
    with override_settings(**settings_for(mail_servers)):
        yield mail_servers
