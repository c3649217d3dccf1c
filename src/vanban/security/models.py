"""Files held in quarantine because the scanner could not be reached (R16.1: never accepted
unscanned). One row per held action: which door, who acted, the files (by SHA-256; the bytes
lie in ``VANBAN_QUARANTINE_DIR``, outside the blob store, so no download can reach them) and
what is needed to finish the action once the files are found clean.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class QuarantineState(models.TextChoices):
    HELD = "held", "Đang giữ để quét"
    RELEASED = "released", "Đã quét sạch, đã hoàn tất"
    REFUSED = "refused", "Có mã độc, đã từ chối"
    FAILED = "failed", "Quét sạch nhưng không hoàn tất được"


class Quarantine(models.Model):
    """An action waiting for its files to be scanned."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    door = models.CharField(max_length=20)  # vanban.security.intake.Door
    # Dotted path of the function that finishes the action (the same service as an immediate
    # accept); only ``vanban.`` paths are ever imported.
    action = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    agency_code = models.CharField(max_length=50, blank=True)
    data = models.JSONField(default=dict)  # what the action needs besides the files
    files = models.JSONField(default=list)  # [{"sha256", "size", "name"}], in order
    state = models.CharField(max_length=10, choices=QuarantineState.choices,
                             default=QuarantineState.HELD)
    reason = models.CharField(max_length=500, blank=True)  # signature found, or why it failed
    result = models.JSONField(default=dict)  # what the finished action returned
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=("state", "created_at")),)

    def __str__(self) -> str:
        return f"{self.uid} {self.door} {self.state}"
