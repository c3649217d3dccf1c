"""What the mail gateway keeps of every message it read (R4.1): one row per message, committed
with its filing, so a restarted gateway never files a message twice and never loses one."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MailState(models.TextChoices):
    """What became of a message."""

    FILED = "filed", _("Đã nhận vào hộp văn bản đến")
    QUARANTINED = "quarantined", _("Bị giữ lại (cách ly)")
    REJECTED = "rejected", _("Đã từ chối, đã báo người gửi")
    DSN = "dsn", _("Báo cáo chuyển phát (DSN)")


class MailMessage(models.Model):
    """One message read from a clerk mailbox, keyed by (mailbox, Message-ID, body SHA-256).

    The raw message is kept as a blob whatever the outcome. A refused message waits here, with
    its reasons (code, Vietnamese, English), until the clerk of the receiving agency rejects it
    with a reason mailed back to the sender.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    mailbox = models.CharField(max_length=254, help_text="The clerk mailbox it was read from")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               help_text="The agency owning the mailbox (the recipient)")
    message_id = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    raw = models.ForeignKey("storage.Blob", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=MailState.choices)
    from_address = models.CharField(max_length=254, blank=True)
    sender = models.ForeignKey("directory.Agency", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=500, blank=True)
    dkim = models.CharField(max_length=300, blank=True, help_text="pass d=… s=…, or why not")
    attachments = models.JSONField(default=list, help_text="name, type, size, sha256 of each")
    reasons = models.JSONField(default=list, help_text="code, vi, en, detail of each refusal")
    received_at = models.DateTimeField()
    verification = models.ForeignKey("signatures.Verification", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    transmission = models.ForeignKey("exchange.Transmission", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reject_reason = models.CharField(max_length=1000, blank=True)
    reply_message_id = models.CharField(max_length=300, blank=True)
    reply_error = models.CharField(max_length=500, blank=True)
    rejudged = models.JSONField(default=list, help_text="Each re-judging (\"xét lại\"): at, by, "
                                "outcome (filed / quarantined) and the reason codes found then")

    class Meta:
        ordering = ("-received_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=("mailbox", "message_id", "body_sha256"),
                                    name="mail_message_once_per_mailbox"),
        )
        indexes = (models.Index(fields=("agency", "state"), name="mail_message_agency_state"),)

    def __str__(self) -> str:
        return f"{self.mailbox} {self.message_id} ({self.state})"

    @property
    def raw_sha256(self) -> str:
        """The SHA-256 of the message as received."""
        return str(self.raw_id)


class MailAttempt(models.Model):
    """A message whose handling raised, by (mailbox, Message-ID, body SHA-256) as
    :class:`MailMessage`: how often and when, and the last error (its type and a short
    message, no stack). Written in its own transaction after a failed pass; dropped when the
    message is handled or, after ``VANBAN_MAIL_MAX_ATTEMPTS`` failed passes the first of which
    is ``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` old, kept in quarantine with the reason
    ``internal_error`` (R4.1, R10.2: never re-read silently)."""

    mailbox = models.CharField(max_length=254)
    message_id = models.CharField(max_length=300)
    body_sha256 = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    error = models.CharField(max_length=500, blank=True,
                             help_text="The last error: exception type and a short message")

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("mailbox", "message_id", "body_sha256"),
                                    name="mail_attempt_once_per_mailbox"),
        )

    def __str__(self) -> str:
        return f"{self.mailbox} {self.message_id} ({self.attempts})"
