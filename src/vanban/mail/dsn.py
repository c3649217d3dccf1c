"""Delivery status notifications (RFC 3464) of the messages the gateway sent (R9.1).

``dsn_match`` recognises a DSN among the messages read from a clerk mailbox, finds the
delivery it reports on (by ``Original-Envelope-Id``, which is the delivery's uid, else by the
returned Message-ID) and records it delivered or bounced with the reason. The gateway calls it
for every message before judging it as a document.
"""

from __future__ import annotations

import email
import email.policy
import logging
import uuid
from dataclasses import dataclass
from email.message import Message

from vanban.exchange.models import Channel, Delivery
from vanban.exchange.services.mail_deliveries import (
    delivery_mail_bounced,
    delivery_mail_delivered,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DsnRecipient:
    """One per-recipient block."""

    action: str  # delivered, failed, delayed, relayed, expanded
    status: str
    final_recipient: str
    original_recipient: str = ""
    diagnostic: str = ""

    @property
    def address(self) -> str:
        value = self.original_recipient or self.final_recipient
        return value.partition(";")[2].strip().strip("<>").lower() or value.strip().lower()


@dataclass(frozen=True)
class DsnReport:
    """What a DSN says."""

    envelope_id: str
    original_message_id: str
    reporting_mta: str
    recipients: tuple[DsnRecipient, ...]


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    return []


def _returned_message_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            head = email.message_from_bytes(bytes(text) if isinstance(text, bytes) else b"")
            return str(head.get("Message-ID", "")).strip()
        if kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return str(inner[0].get("Message-ID", "")).strip()
    return ""


def dsn_parse(raw: bytes) -> DsnReport | None:
    """The DSN in ``raw``, or None when ``raw`` is not a delivery status notification."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if (message.get_content_type() != "multipart/report"
            or str(message.get_param("report-type") or "").lower() != "delivery-status"):
        return None
    status = next((p for p in message.walk()
                   if p.get_content_type() == "message/delivery-status"), None)
    blocks = _blocks(status) if status is not None else []
    if not blocks:
        return None
    head = blocks[0]
    recipients = tuple(
        DsnRecipient(action=str(b.get("Action", "")).strip().lower(),
                     status=str(b.get("Status", "")).strip(),
                     final_recipient=str(b.get("Final-Recipient", "")).strip(),
                     original_recipient=str(b.get("Original-Recipient", "")).strip(),
                     diagnostic=" ".join(str(b.get("Diagnostic-Code", "")).split()))
        for b in blocks[1:] if b.get("Action"))
    return DsnReport(envelope_id=str(head.get("Original-Envelope-Id", "")).strip(),
                     original_message_id=_returned_message_id(message),
                     reporting_mta=str(head.get("Reporting-MTA", "")).strip(),
                     recipients=recipients)


def _delivery(report: DsnReport) -> Delivery | None:
    rows = Delivery.objects.select_related("transmission__sender", "recipient").filter(
        channel=Channel.MAIL)
    try:
        found = rows.filter(uid=uuid.UUID(report.envelope_id)).first()
    except ValueError:
        found = None
    if found is None and report.original_message_id:
        return rows.filter(mail_message_id=report.original_message_id).first()
    if (found is not None and report.original_message_id and found.mail_message_id
            and found.mail_message_id != report.original_message_id):
        return None  # the envelope id and the returned message disagree: not ours
    return found


def dsn_match(raw: bytes, *, mailbox: str | None = None) -> bool:
    """Record what a DSN reports on a mail delivery. True when ``raw`` is a DSN (matched or
    not: it is never a document), False otherwise.

    ``mailbox`` is where the gateway read it: a DSN counts only in the sending agency's own
    clerk mailbox, where the relay returns it, so a report forged into another mailbox by
    someone who saw a Message-ID never becomes delivery evidence (R7.1)."""
    report = dsn_parse(raw)
    if report is None:
        return False
    delivery = _delivery(report)
    if delivery is None:
        log.info("mail: a DSN for no known delivery (envid %r, message %r)",
                 report.envelope_id, report.original_message_id)
        return True
    if mailbox is not None and mailbox.lower() != delivery.transmission.sender.mailbox.lower():
        log.warning("mail: a DSN about %s read in %s, not the sender's mailbox: ignored",
                    delivery.uid, mailbox)
        return True
    mine = delivery.recipient.mailbox.lower()
    for item in report.recipients:
        if item.address and mine and item.address != mine:
            continue
        evidence = {"dsn_action": item.action, "dsn_status": item.status,
                    "final_recipient": item.final_recipient[:254],
                    "reporting_mta": report.reporting_mta[:254]}
        if item.action in ("delivered", "relayed", "expanded"):
            delivery_mail_delivered(delivery=delivery, evidence=evidence)
        elif item.action == "failed":
            delivery_mail_bounced(delivery, item.diagnostic or f"status {item.status}",
                                  evidence=evidence)
    return True
