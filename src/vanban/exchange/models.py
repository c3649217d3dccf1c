"""The exchange hub (R7, R14.1): transmissions, their deliveries, the outbox and inbox of the
federation, and the peer installations.

A :class:`Transmission` is one sending of a document by its agency (or, with ``origin`` set, one
received from a peer installation); it has one :class:`Delivery` per electronic recipient. The
file is a content-addressed blob stored once; transmissions and deliveries refer to its SHA-256.
Work leaves through :class:`OutboxMessage`, committed with the change that caused it and carried
out by the worker (``vanban exchange worker``), so a crash or a peer that is down delays delivery
but loses nothing. :class:`InboxMessage` remembers every message a peer sent, so a repeated one
is acknowledged and never applied twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanban.exchange.core.states import STATE_LABELS, State


class BusinessType(models.TextChoices):
    """edXML ``BussinessDocType``."""

    NEW = "0", _("Văn bản mới")
    REVOKE = "1", _("Thu hồi")
    UPDATE = "2", _("Cập nhật")
    REPLACE = "3", _("Thay thế")


class Channel(models.TextChoices):
    """How a delivery travels (the registry's dispatch plan chooses)."""

    INTERNAL = "internal", _("Trong hệ thống")
    FEDERATED = "federated", _("Liên thông hệ thống khác")
    AXIS = "axis", _("Trục liên thông văn bản quốc gia")
    MAIL = "mail", _("Thư điện tử công vụ")


class Transport(models.TextChoices):
    """How the outbox reaches a peer (:mod:`vanban.exchange.services.transports`)."""

    FEDERATION = "federation", _("Liên thông giữa các hệ thống vanban")
    AXIS_SPOOL = "axis_spool", _("Trục quốc gia qua thư mục trao đổi")
    AXIS_HTTP = "axis_http", _("Trục quốc gia qua cổng HTTP")


# What a recipient's inbox may list: every delivery except the record of a mail this
# installation sent to an agency it also serves. That record follows the mail (sent, delivered
# by the DSN, bounced) for the sender; the recipient's copy is the gateway's own arrival, so
# listing both would offer one document twice for registration.
INBOUND = ~models.Q(channel=Channel.MAIL, transmission__origin="")


class Peer(models.Model):
    """Another installation (another province, the national axis) and its signing key."""

    installation_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True)
    base_url = models.URLField(max_length=300, blank=True)
    public_key_pem = models.TextField(blank=True)
    # The adapter the outbox posts through, and its own settings (folders, base URL, the name
    # of the credentials' setting: never a secret itself).
    transport = models.CharField(max_length=20, default=Transport.FEDERATION)
    settings = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("installation_id",)

    def __str__(self) -> str:
        return self.installation_id


class Transmission(models.Model):
    """One sending of a document: what went, from whom, when the hub accepted it."""

    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    document = models.ForeignKey("registry.Document", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="transmissions")
    sender = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    business_type = models.CharField(max_length=1, choices=BusinessType.choices,
                                     default=BusinessType.NEW)
    related = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="followers")
    # Empty: sent from this installation; else the channel it arrived through, the peer
    # installation (federated, axis) or sender address (mail) it came from, and the channel's
    # idempotency key (:func:`vanban.exchange.arrivals.arrival_accept`).
    channel = models.CharField(max_length=20, blank=True, default="")
    origin = models.CharField(max_length=254, blank=True, default="")
    origin_message_id = models.CharField(max_length=200, blank=True, default="")
    # edXML DocumentId "<OrganId>,<yyyy/MM/dd>,<number>/<notation>": the key statuses refer to.
    edxml_document_id = models.CharField(max_length=200, db_index=True)
    code_number = models.CharField(max_length=50, blank=True)
    code_notation = models.CharField(max_length=50, blank=True)
    issued_date = models.DateField(null=True, blank=True)
    type_name = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=500)
    # edXML Priority as received (real systems send −1 and 5): forwarded unchanged.
    priority = models.SmallIntegerField(default=0)
    # The main document (also an :class:`Attachment` with ``main``).
    file_sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    due_date = models.DateField(null=True, blank=True)
    # The message exactly as received (edXML, .eml), as a blob; empty for what we sent.
    raw_sha256 = models.CharField(max_length=64, blank=True, default="")
    # A verdict the channel reached on arrival (mail); empty: the hub's own verification.
    verification = models.ForeignKey("signatures.Verification", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    frozen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-sent_at", "-id")
        constraints = (
            # A peer's message is stored once however often it is repeated.
            models.UniqueConstraint(fields=("channel", "origin", "origin_message_id"),
                                    condition=~models.Q(origin=""),
                                    name="transmission_once_per_channel_message"),
        )

    def __str__(self) -> str:
        return f"{self.edxml_document_id} ({self.get_business_type_display()})"

    @property
    def number_text(self) -> str:
        """``05/QĐ-UBND`` as printed."""
        if not self.code_number:
            return ""
        return f"{int(self.code_number):02d}/{self.code_notation}" if self.code_number.isdigit() \
            else f"{self.code_number}/{self.code_notation}"


class Attachment(models.Model):
    """One file of a transmission, in the order received: every attachment is kept with its
    real type (detected from the bytes) beside the type the message declared (R4.1)."""

    transmission = models.ForeignKey(Transmission, on_delete=models.PROTECT,
                                     related_name="attachments")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, help_text="Detected from the bytes")
    declared_type = models.CharField(max_length=100, blank=True)
    main = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("transmission", "position")
        constraints = (
            models.UniqueConstraint(fields=("transmission", "position"),
                                    name="attachment_position_unique"),
        )

    def __str__(self) -> str:
        return f"{self.transmission_id}#{self.position} {self.name}"


class Delivery(models.Model):
    """The transmission to one recipient agency, with its edXML status and times (R7.1)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    transmission = models.ForeignKey(Transmission, on_delete=models.PROTECT,
                                     related_name="deliveries")
    recipient = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    state = models.CharField(max_length=10, choices=[(s.value, v) for s, (v, _e)
                                                     in STATE_LABELS.items()],
                             default=State.SENT)
    before_recall = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    recall_requested_at = models.DateTimeField(null=True, blank=True)
    recall_answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # The mail channel (R9.1): the Message-ID it went with (a DSN names it), when the relay
    # took it, and when it came back undelivered. Delivered is ``received_at`` (state 01).
    mail_message_id = models.CharField(max_length=300, blank=True, db_index=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("transmission", "id")
        verbose_name_plural = "deliveries"
        constraints = (
            models.UniqueConstraint(fields=("transmission", "recipient"),
                                    name="delivery_once_per_recipient"),
        )
        indexes = (models.Index(fields=("recipient", "state")),)

    def __str__(self) -> str:
        return f"{self.uid} → {self.recipient_id} ({self.state})"

    @property
    def state_label(self) -> str:
        """The state in Vietnamese (pages translate through the state machine's labels)."""
        return STATE_LABELS[State(self.state)][0]


class OutboxKind(models.TextChoices):
    """What the worker does with a message."""

    INTERNAL = "internal", _("Chuyển vào hộp thư đến trong hệ thống")
    EDOC = "edoc", _("Gửi văn bản sang hệ thống khác")
    STATUS = "status", _("Gửi trạng thái sang hệ thống khác")
    REVOKE = "revoke", _("Gửi thông báo thu hồi sang hệ thống khác")
    MAIL = "mail", _("Gửi qua thư điện tử công vụ")


class OutboxMessage(models.Model):
    """Work committed with a send or a status change, carried out by the worker with retries."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    kind = models.CharField(max_length=10, choices=OutboxKind.choices)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="outbox")
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="outbox")
    body = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # The peer refused the message for good (a 4xx that a retry cannot change): not retried
    # until the hub administrator asks for it.
    refused_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("done_at", "next_attempt_at")),)

    def __str__(self) -> str:
        return f"{self.kind}:{self.uid}"


class InboxMessage(models.Model):
    """A message a peer sent us, kept once (dedup by message key) with its raw body's hash."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="inbox")
    kind = models.CharField(max_length=10)
    message_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    transmission = models.ForeignKey(Transmission, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("peer", "message_key"),
                                    name="inbox_message_once_per_peer"),
        )

    def __str__(self) -> str:
        return f"{self.peer_id}:{self.message_key}"
