"""Mail as an outbox channel (R9.1): the handler ``outbox_run`` calls for ``OutboxKind.MAIL``.

It leases due mail messages (the outbox's leases and back-off), builds each message
(``compose``), signs it with the province's DKIM key, and hands it to the relay from the
sending agency's clerk mailbox, asking for delivery status notifications (``RET=HDRS``,
``ENVID=<delivery uid>``, ``NOTIFY=SUCCESS,FAILURE``) when the relay offers DSN. A message the
relay took is recorded as sent (``delivery_mail_sent``, with its Message-ID) and then marked
done; a crash in between sends it again with the same Message-ID, which the receiver files
once. A classified document is refused here too (R3.1), whatever let it into the outbox.

Failures: the relay down, a login refused, no signing key, no clerk mailbox yet are retried
after the back-off; a recipient the relay refuses for good (5xx) bounces the delivery; a
recipient agency without a mailbox, or a classified document, is refused for good.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass, field

from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage
from vanban.exchange.services.mail_deliveries import delivery_mail_bounced, delivery_mail_sent
from vanban.exchange.services.outbox import outbox_claim, outbox_done, outbox_failed
from vanban.exchange.services.transports import Answer, RunReport
from vanban.mail.compose import Composed, compose, domain_of
from vanban.mail.dkim import DkimUnavailable, dkim_sign
from vanban.mail.services import clerk_mailbox_of, mailbox_credentials
from vanban.mail.smtp import smtp_connect

log = logging.getLogger(__name__)


def xtext(value: str) -> str:
    """RFC 3461 xtext: ``+``, ``=``, controls and non-ASCII as ``+XX``."""
    return "".join(ch if 33 <= ord(ch) <= 126 and ch not in "+=" else
                   "".join(f"+{b:02X}" for b in ch.encode("utf-8")) for ch in value)


@dataclass
class _Sessions:
    """One logged-in SMTP connection per clerk mailbox, for one batch."""

    open: dict[str, smtplib.SMTP] = field(default_factory=dict)

    def get(self, address: str) -> smtplib.SMTP:
        smtp = self.open.get(address)
        if smtp is None:
            login, password = mailbox_credentials(address)
            smtp = smtp_connect()
            try:
                smtp.login(login, password)
            except BaseException:
                smtp.close()
                raise
            self.open[address] = smtp
        return smtp

    def drop(self, address: str) -> None:
        smtp = self.open.pop(address, None)
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        for smtp in self.open.values():
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        self.open.clear()


def mail_outbox_handler(batch: int, report: RunReport) -> int:
    """Carry up to ``batch`` due mail messages; returns how many were attempted."""
    messages = outbox_claim(OutboxKind.MAIL, batch)
    if not messages:
        return 0
    deliveries = (Delivery.objects.select_related(
        "transmission__sender", "transmission__document", "recipient")
        .in_bulk({m.delivery_id for m in messages if m.delivery_id is not None}))
    sessions = _Sessions()
    files: dict[str, bytes] = {}
    done: list[OutboxMessage] = []
    try:
        for message in messages:
            answer = _carry(message, deliveries.get(message.delivery_id or 0), sessions, files)
            if answer.ok:
                done.append(message)
                report.sent += 1
            else:
                outbox_failed(message, answer)
                report.failed += 1
                report.errors.append(f"mail {message.uid}: {answer.error}"[:500])
    finally:
        sessions.close()
        outbox_done(done)
    return len(messages)


def _carry(message: OutboxMessage, delivery: Delivery | None, sessions: _Sessions,
           files: dict[str, bytes]) -> Answer:
    if delivery is None:
        return Answer(False, "refused: the outbox message has no delivery", final=True)
    if delivery.withdrawn_at is not None or delivery.mail_sent_at is not None:
        return Answer(True)  # revoked before it left, or the relay took it already
    refusal = _refusal(delivery)
    if refusal is not None:
        return refusal
    box = clerk_mailbox_of(delivery.transmission.sender)
    if box is None:
        return Answer(False, f"{delivery.transmission.sender.code} has no active clerk "
                             "mailbox yet")
    try:
        composed = compose(message, delivery, box.address, files)
        signed = dkim_sign(composed.data, domain_of(box.address), identity=box.address)
    except DkimUnavailable as err:
        return Answer(False, err.en)
    return _send(message, delivery, composed, signed, sessions)


def _refusal(delivery: Delivery) -> Answer | None:
    """What may never go by mail: a classified document (R3.1), an agency without a mailbox."""
    document = delivery.transmission.document
    if document is not None and document.classified:
        return Answer(False, "refused: a classified document is never sent by mail (R3.1)",
                      final=True)
    if not delivery.recipient.mailbox:
        return Answer(False, f"refused: {delivery.recipient.code} has no official mailbox",
                      final=True)
    return None


def _send(message: OutboxMessage, delivery: Delivery, composed: Composed, signed: bytes,
          sessions: _Sessions) -> Answer:
    """Hand one message to the relay and record what it answered."""
    try:
        smtp = sessions.get(composed.sender)
        mail_options: list[str] = []
        rcpt_options: list[str] = []
        if smtp.has_extn("dsn"):
            mail_options = ["RET=HDRS", f"ENVID={xtext(str(delivery.uid))}"]
            rcpt_options = ["NOTIFY=SUCCESS,FAILURE",
                            f"ORCPT=rfc822;{xtext(composed.recipient)}"]
        smtp.sendmail(composed.sender, [composed.recipient], signed,
                      mail_options=mail_options, rcpt_options=rcpt_options)
    except smtplib.SMTPRecipientsRefused as err:
        code, text = next(iter(err.recipients.values()))
        reason = f"{code} {_text(text)}"
        if code >= 500:
            delivery_mail_bounced(delivery, reason, evidence={"message_id": composed.message_id})
            return Answer(False, f"refused: {reason}", final=True)
        return Answer(False, reason)
    except smtplib.SMTPDataError as err:
        sessions.drop(composed.sender)
        final = err.smtp_code >= 500
        return Answer(False, f"{'refused: ' if final else ''}{err.smtp_code} "
                             f"{_text(err.smtp_error)}", final=final)
    except (OSError, smtplib.SMTPException) as err:
        sessions.drop(composed.sender)
        return Answer(False, f"{type(err).__name__}: {err}"[:500])
    except Exception as err:  # a mailbox without credentials, a key that does not open
        sessions.drop(composed.sender)
        log.warning("mail: message %s not sent", message.uid, exc_info=True)
        return Answer(False, f"{type(err).__name__}: {err}"[:500])
    delivery_mail_sent(delivery=delivery, message_id=composed.message_id, evidence={
        "from": composed.sender, "to": composed.recipient,
        "sha256": hashlib.sha256(composed.data).hexdigest(), "dkim": "signed"})
    return Answer(True)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
