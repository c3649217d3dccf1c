"""The evidence log (R7.1, R7.2, R14.3): append-only records that are leaves of a Merkle tree,
and the signed tree heads that commit to it.

A record's ``canonical`` bytes (canonical JSON, UTF-8) are exactly what the tree hashes; the other
columns are copies for querying. Database triggers refuse UPDATE and DELETE on both tables; an
administrator who removes them still cannot alter a record without its leaf hash, and so every
inclusion proof and signed head, giving it away.
"""

from __future__ import annotations

from django.db import models


class EvidenceRecord(models.Model):
    """One event of a delivery (ERDS style). ``index`` is the leaf number, gapless from 0."""

    index = models.BigIntegerField(unique=True)
    event = models.CharField(max_length=40, db_index=True)
    at = models.DateTimeField()
    logged_at = models.DateTimeField()
    sender = models.CharField(max_length=35)  # indexed with ``index``: see Meta
    recipient = models.CharField(max_length=35)
    transmission_id = models.CharField(max_length=80, db_index=True)
    delivery_id = models.CharField(max_length=80, db_index=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    extra = models.JSONField(default=dict)
    canonical = models.BinaryField()
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("index",)
        indexes = (
            # A delivery's records in log order: the API list's "first record of its
            # delivery" test and the page's events (issue 15).
            models.Index(fields=("delivery_id", "index"), name="evidence_delivery_idx"),
            # An agency's records in log order, one range per side: the API list reads the
            # records it sent and those it received as two keyset branches, so a commune's
            # page never walks a province's whole log (issue 15, bench.evidence_lists). They
            # also serve every plain ``sender =`` / ``recipient =`` lookup.
            models.Index(fields=("sender", "index"), name="evidence_sender_idx"),
            models.Index(fields=("recipient", "index"), name="evidence_recipient_idx"),
        )

    def __str__(self) -> str:
        return f"#{self.index} {self.event} {self.delivery_id}"


class EvidenceHead(models.Model):
    """Single row counting the records: appends lock it, which keeps ``index`` gapless."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"evidence head, {self.size} records"


class TreeHead(models.Model):
    """A signed tree head: the hub key signs (timestamp, size, root) of the tree."""

    size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    timestamp_ms = models.BigIntegerField()
    signature = models.TextField()
    key_id = models.CharField(max_length=64)

    class Meta:
        ordering = ("size",)

    def __str__(self) -> str:
        return f"tree head {self.size} {self.root_hash[:12]}"
