"""The hub's side of a delivery by the official mailbox (R9.1): the mail app carries the
message; these record what became of it, on the delivery and in the evidence log, so the
tracking page shows a mail delivery as sent, delivered or bounced like any other.

Each runs in one transaction with its evidence record and audit event; a repeat (the same DSN
read twice, a send retried after the relay took it) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction

from vanban.core import clock
from vanban.core.errors import Conflict
from vanban.exchange.core import states
from vanban.exchange.models import Channel, Delivery
from vanban.exchange.services.common import locked_delivery, record


def _mail(delivery: Delivery) -> Delivery:
    locked = locked_delivery(delivery)
    if locked.channel != Channel.MAIL:
        raise Conflict("Văn bản này không gửi qua thư điện tử công vụ.",
                       "This delivery does not go by the official mailbox.",
                       code="not_mail_delivery")
    return locked


def delivery_mail_sent(*, delivery: Delivery, message_id: str, at: datetime | None = None,
                       evidence: Mapping[str, str] | None = None) -> Delivery:
    """The relay took the message (``message_id``: its Message-ID, which a DSN names)."""
    with transaction.atomic():
        delivery = _mail(delivery)
        if delivery.mail_sent_at is not None and delivery.mail_message_id == message_id:
            return delivery
        at = at or clock.now()
        delivery.mail_message_id = message_id[:300]
        delivery.mail_sent_at = at
        delivery.bounced_at = None
        delivery.save(update_fields=["mail_message_id", "mail_sent_at", "bounced_at"])
        record(actor=None, event="mail_sent", delivery=delivery, at=at,
               extra={"channel": Channel.MAIL.value, "message_id": message_id[:300],
                      **dict(evidence or {})})
        return delivery


def delivery_mail_delivered(*, delivery: Delivery, at: datetime | None = None,
                            evidence: Mapping[str, str] | None = None) -> Delivery:
    """The recipient's mail server reported it delivered: the delivery has arrived (01)."""
    with transaction.atomic():
        delivery = _mail(delivery)
        if delivery.state != states.State.SENT:
            return delivery  # already arrived, or withdrawn: nothing to change
        at = at or clock.now()
        delivery.state = states.State.ARRIVED
        delivery.received_at = delivery.status_at = at
        delivery.bounced_at = None
        delivery.save(update_fields=["state", "received_at", "status_at", "bounced_at"])
        record(actor=None, event="received", delivery=delivery, at=at,
               extra={"code": states.Code.ARRIVED.value, "channel": Channel.MAIL.value,
                      **dict(evidence or {})})
        return delivery


def delivery_mail_bounced(delivery: Delivery, reason: str, *, at: datetime | None = None,
                          evidence: Mapping[str, str] | None = None) -> Delivery:
    """The message came back undelivered (a DSN, or the relay's final refusal): kept with the
    reason; the clerk sees it and sends again by hand or once the address is fixed."""
    reason = " ".join(reason.split())[:500]
    with transaction.atomic():
        delivery = _mail(delivery)
        if delivery.bounced_at is not None and delivery.reason == reason:
            return delivery
        if delivery.state != states.State.SENT:
            return delivery  # delivered already: a late or forged bounce changes nothing
        at = at or clock.now()
        delivery.bounced_at = delivery.status_at = at
        delivery.reason = reason
        delivery.save(update_fields=["bounced_at", "status_at", "reason"])
        record(actor=None, event="mail_bounced", delivery=delivery, at=at, reason=reason,
               extra={"channel": Channel.MAIL.value, **dict(evidence or {})})
        return delivery


def mail_state(delivery: Delivery) -> str:
    """``queued``, ``sent``, ``delivered``, ``bounced`` or the delivery's own state (a mail
    delivery the recipient then registered keeps the hub's states)."""
    if delivery.state == states.State.SENT:
        if delivery.bounced_at is not None:
            return "bounced"
        return "sent" if delivery.mail_sent_at is not None else "queued"
    if delivery.state == states.State.ARRIVED:
        return "delivered"
    return str(delivery.state)


MAIL_STATE_LABELS: dict[str, tuple[str, str]] = {
    "queued": ("Chờ gửi thư", "Waiting to be mailed"),
    "sent": ("Đã gửi thư", "Mailed"),
    "delivered": ("Đã chuyển tới hộp thư", "Delivered to the mailbox"),
    "bounced": ("Thư bị trả lại", "Bounced"),
}
