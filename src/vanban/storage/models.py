"""Content-addressed blobs (R14.3): the SHA-256 of the bytes is the key, so a stored file cannot
change without its name giving it away. The bytes live in Django's default storage (local disk
under ``MEDIA_ROOT`` or S3) at ``blobs/<aa>/<bb>/<sha256>``; this row records what was stored.
"""

from __future__ import annotations

from django.db import models


def blob_path(sha256: str) -> str:
    """Storage name of a blob: two levels of fan-out keep directories small."""
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class Blob(models.Model):
    """One immutable file. Never updated, never deleted by the application."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("created_at", "sha256")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} B)"

    @property
    def path(self) -> str:
        """Where the bytes are in the default storage."""
        return blob_path(self.sha256)
