"""Background task that wakes delivery when a send commits (``VANBAN_TASKS``).

Only a nudge: the outbox worker finds the same work on its own, so a lost task delays nothing
for long. With the in-process backend it runs one bounded pass right after the commit.
"""

from __future__ import annotations

from django_tasks import task


@task()
def exchange_wake() -> dict[str, int]:
    """One bounded pass over the outbox."""
    from django.conf import settings

    from vanban.exchange.services.outbox import outbox_run

    batch = int(getattr(settings, "VANBAN_EXCHANGE_WAKE_BATCH", 100))
    report = outbox_run(batch=batch, max_rounds=1)
    return {"delivered": report.delivered, "sent": report.sent, "failed": report.failed}


@task()
def verify_arrived(transmission_ids: list[int]) -> int:
    """R4.2, R4.3: verify each arrived document once (cached per SHA-256, sender and the
    channel it came through: this hub or the peer of ``origin``), so the clerk's inbox shows
    the verdict without waiting; returns how many were looked at."""
    from vanban.exchange.models import Transmission
    from vanban.signatures.verification import VerificationChannel, pdf_verify, verification_of
    from vanban.storage.selectors import blob_read

    done = 0
    for transmission in Transmission.objects.filter(pk__in=transmission_ids).select_related(
            "sender"):
        # A fan-out arrives in batches: the first verifies, the others need not read the file.
        channel = VerificationChannel.of_origin(transmission.origin)
        if verification_of(sha256=transmission.file_sha256, sender_id=transmission.sender_id,
                           channel=channel) is None:
            pdf_verify(data=blob_read(transmission.file_sha256), sender=transmission.sender,
                       channel=channel)
        done += 1
    return done
