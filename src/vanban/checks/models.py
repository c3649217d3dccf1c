"""The twice-daily check of the electronic inbox (R10.2): every opening of the inbox by a clerk,
and the reminders sent to clerks who had not checked while documents waited."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InboxCheck(models.Model):
    """A clerk opened the agency's inbox (recorded by the inbox page and the API)."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT,
                               related_name="inbox_checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="inbox_checks")
    checked_at = models.DateTimeField()
    day = models.DateField(help_text="Local date (Asia/Ho_Chi_Minh)")
    waiting = models.PositiveIntegerField(default=0,
                                          help_text="Deliveries waiting when the inbox was opened")

    class Meta:
        ordering = ("-checked_at", "-id")
        indexes = (models.Index(fields=("agency", "day"), name="inbox_check_agency_day"),)

    def __str__(self) -> str:
        return f"{self.agency_id} {self.checked_at:%Y-%m-%d %H:%M}"
