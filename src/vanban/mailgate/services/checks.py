"""R10.2: a gateway pass over a clerk mailbox is a check of the agency's electronic inbox.

The official mailbox is the clerk's (R13.1) and the gateway reads it on the clerk's behalf, so
a pass is recorded as the mailbox clerk's inbox check, in the same table the inbox page writes,
and the twice-daily report and reminders count it. Passes run every minute or so; one row per
agency per ``VANBAN_MAIL_CHECK_MINUTES`` (30) is enough for two windows a day and keeps the
table small.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model

from vanban.checks.models import InboxCheck
from vanban.checks.services import inbox_check_record
from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency


def _minutes() -> int:
    return int(getattr(settings, "VANBAN_MAIL_CHECK_MINUTES", 30))


def mail_check_record(address: str) -> InboxCheck | None:
    """Record the pass over ``address`` as its clerk's inbox check (None: the mailbox is no
    local agency's, the agency has no active clerk, or a check was recorded a moment ago)."""
    agency = Agency.objects.filter(mailbox__iexact=address, installation="",
                                   active=True).first()
    if agency is None:
        return None
    since = clock.now() - timedelta(minutes=_minutes())
    if InboxCheck.objects.filter(agency=agency, checked_at__gte=since).exists():
        return None
    clerk = (get_user_model().objects.filter(agency=agency, is_active=True,
                                             roles__role=Role.CLERK).order_by("pk").first())
    if clerk is None:
        return None
    return inbox_check_record(actor=clerk)
