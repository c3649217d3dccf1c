"""The tamper-evident event log (R14.3, R16.2).

Each event stores the SHA-256 of its predecessor (``prev_hash``) and of itself (``hash``); a
database trigger refuses UPDATE and DELETE on the event table, and periodic seals sign the head
hash with the installation's key, so that even an administrator who disables the trigger cannot
rewrite history without ``vanban audit verify`` naming the first altered event.
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One append-only event. ``seq`` is gapless from 1; the hash covers every column but ``id``."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    agency_code = models.CharField(max_length=35, blank=True, db_index=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    before_digest = models.CharField(max_length=64, blank=True)
    after_digest = models.CharField(max_length=64, blank=True)
    # Canonical JSON text (sorted keys, no spaces) kept as written, so the hash is reproducible.
    data = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("seq",)
        indexes = (models.Index(fields=("object_type", "object_id")),)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """Single row holding the last ``seq`` and ``hash``: appends lock it to stay in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditSeal(models.Model):
    """A signed checkpoint: the installation key signs (seq, hash, time) of the chain head."""

    seq = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.TextField()

    class Meta:
        ordering = ("seq",)

    def __str__(self) -> str:
        return f"seal #{self.seq}"


class Cosignature(models.Model):
    """A witness's countersignature of one of our checkpoints (R14.3), kept by the origin.

    ``log`` is ``audit`` or ``evidence``; ``checkpoint`` is the document the witness saw (an
    audit checkpoint or a signed tree head, JSON). Append-only, like the seals.
    """

    log = models.CharField(max_length=20)
    witness = models.CharField(max_length=100, db_index=True)
    size = models.BigIntegerField()
    head = models.CharField(max_length=64)
    checkpoint = models.TextField()
    cosigned_at = models.CharField(max_length=40)  # as signed (ISO 8601 UTC)
    signature = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ("log", "witness", "size")
        indexes = (models.Index(fields=("log", "witness", "size"), name="audit_cosig_lookup"),)

    def __str__(self) -> str:
        return f"{self.log} #{self.size} cosigned by {self.witness}"


class WitnessedCheckpoint(models.Model):
    """A peer's checkpoint that this installation witnessed (R14.3): one row per push,
    append-only; the latest per (origin, log) is the one the next push must extend.

    ``key_pem`` is the peer's checkpoint key as first seen (pinned: a push signed by another key
    is refused), ``root`` the Merkle root a consistency proof starts from next time.
    """

    origin = models.CharField(max_length=100)
    log = models.CharField(max_length=20)
    size = models.BigIntegerField()
    head = models.CharField(max_length=64)
    root = models.CharField(max_length=64)
    key_pem = models.TextField()
    checkpoint = models.TextField()
    cosigned_at = models.CharField(max_length=40)
    cosignature = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ("origin", "log", "size")
        indexes = (models.Index(fields=("origin", "log", "size"), name="audit_witnessed_lookup"),)

    def __str__(self) -> str:
        return f"{self.origin} {self.log} #{self.size}"
