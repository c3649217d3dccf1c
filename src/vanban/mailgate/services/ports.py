"""What the gateway asks of the mail app below it: the clerk mailboxes and their credentials,
an IMAP connection, DKIM against the provincial key table, DSN matching, and sending a reply.

One module, so the judging and the reader speak of :class:`~vanban.mailgate.core.judge.Dkim`
and addresses only.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from django.conf import settings
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from vanban.core import clock
from vanban.mailgate.core.judge import Dkim
from vanban.mailgate.core.message import domain_of
from vanban.mailgate.models import MailMessage


def _setting(name: str, default: object) -> object:
    return getattr(settings, f"VANBAN_MAIL_{name}", default)


def clerk_addresses() -> list[str]:
    """The active clerk mailboxes of this installation's active agencies, lower case."""
    from vanban.mail.services import clerk_mailboxes

    return [box.address.lower() for box in clerk_mailboxes() if box.agency.active]


def mailbox_refused(address: str) -> bool:
    """Whether the mail system's own row for ``address`` says it may not be used as an
    agency's official mailbox: disabled, or a person's mailbox. An address with no row (a
    mailbox provisioned outside vanban) is judged by the directory alone."""
    from vanban.mail.models import Mailbox, MailboxKind

    return Mailbox.objects.filter(address__iexact=address.strip()).exclude(
        kind=MailboxKind.CLERK, active=True).exists()


def credentials(address: str) -> tuple[str, str]:
    """(login, password) of a clerk mailbox, from the mail app's encrypted store."""
    from vanban.mail.services import mailbox_credentials

    found = mailbox_credentials(address)
    return str(found[0]), str(found[1])


@contextmanager
def imap_open(address: str) -> Iterator[BaseMailBox]:
    """A logged-in IMAP connection to ``address``'s INBOX: TLS unless the settings say the
    server is on loopback without it (the tests' Dovecot)."""
    host = str(_setting("IMAP_HOST", "127.0.0.1"))
    port = int(str(_setting("IMAP_PORT", 993)))
    timeout = float(str(_setting("TIMEOUT", 30.0)))
    box: BaseMailBox
    # The system's trust store, host name checked: imaplib's own default does neither, and the
    # clerk mailbox's password goes over this connection.
    if _setting("IMAP_SSL", True):
        box = MailBox(host, port, timeout=timeout, ssl_context=ssl.create_default_context())
    elif _setting("IMAP_STARTTLS", False):
        box = MailBoxStartTls(host, port, timeout=timeout,
                              ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(host, port, timeout=timeout)
    login, password = credentials(address)
    box.login(login, password, "INBOX")
    try:
        yield box
    finally:
        with suppress(Exception):  # the connection is gone either way
            box.logout()


def dkim_keys() -> dict[tuple[str, str], object]:
    """The provincial key table as one pass uses it (read once)."""
    from vanban.mail.dkim import dkim_table

    return dict(dkim_table())


def dkim_check(raw: bytes, keys: dict[tuple[str, str], object] | None = None) -> Dkim:
    """DKIM of ``raw`` against the provincial key table (no DNS); ``keys``: the table read
    once for this pass by :func:`dkim_keys`."""
    from vanban.mail.dkim import dkim_verify

    result = dkim_verify(raw, keys)  # type: ignore[arg-type]  # DkimKey values, kept opaque
    return Dkim(status=result.status, domain=result.domain, selector=result.selector,
                identity=result.identity, detail=result.detail,
                identity_required=result.identity_required)


def dsn_handle(raw: bytes, *, mailbox: str) -> None:
    """Hand a delivery status notification read in ``mailbox`` to the sending side, which
    matches it to the delivery it reports on (only in the sender's own mailbox)."""
    from vanban.mail.dsn import dsn_match

    dsn_match(raw, mailbox=mailbox)


def reply_send(message: MailMessage) -> str:
    """Mail the clerk's rejection of ``message`` to its sender from the clerk mailbox,
    DKIM-signed; returns the reply's Message-ID."""
    from vanban.mail.dkim import dkim_sign

    mailbox = message.mailbox
    reply = EmailMessage(policy=SMTP)
    reply["From"] = mailbox
    reply["To"] = message.from_address
    reply["Subject"] = f"Từ chối: {message.subject}"[:300]
    reply["Date"] = format_datetime(clock.now())
    reply["Message-ID"] = make_msgid(domain=domain_of(mailbox))
    if message.message_id.startswith("<"):
        reply["In-Reply-To"] = message.message_id
        reply["References"] = message.message_id
    reply["Auto-Submitted"] = "auto-replied"
    reply.set_content(
        f"{message.agency.name} từ chối thư “{message.subject}” ({message.message_id}).\n"
        f"Lý do: {message.reject_reason}\n\n"
        f"{message.agency.name} rejected the message “{message.subject}”.\n"
        f"Reason: {message.reject_reason}\n")
    data = dkim_sign(reply.as_bytes(), domain_of(mailbox), identity=mailbox)
    _smtp_send(mailbox, message.from_address, data)
    return str(reply["Message-ID"])


def _smtp_send(sender: str, recipient: str, data: bytes) -> None:
    """Through the provincial relay, logged in as the clerk mailbox."""
    from vanban.mail.smtp import smtp_connect

    login, password = credentials(sender)
    with smtp_connect() as smtp:
        smtp.login(login, password)
        smtp.sendmail(sender, [recipient], data)
