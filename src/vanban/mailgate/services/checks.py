"""R10.2: a gateway pass over a clerk mailbox is a check of the agency's electronic inbox.

The official mailbox is one of the inbox's two roads and the gateway files what it finds at
once, so a pass counts toward the twice-daily check (issue 11) for the mail road only: while a
hub or federated delivery waits, only a person's check satisfies a window
(``vanban.checks.selectors.window_satisfied``). It is recorded as the
gateway's own automatic check (``InboxCheck.kind`` mail_gateway, no user), never under a
clerk's name: the report shows "Cổng thư tự động". Passes run every minute or so; one row per
agency per ``VANBAN_MAIL_CHECK_MINUTES`` (30) is enough for two windows a day and keeps the
table small.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from vanban.checks.models import CheckKind, InboxCheck
from vanban.checks.services import inbox_check_record_gateway
from vanban.core import clock
from vanban.directory.models import Agency


def _minutes() -> int:
    return int(getattr(settings, "VANBAN_MAIL_CHECK_MINUTES", 30))


def mail_check_record(address: str) -> InboxCheck | None:
    """Record the pass over ``address`` as the gateway's check of its agency's inbox (None: the
    mailbox is no local agency's, or the gateway recorded a check a moment ago)."""
    agency = Agency.objects.filter(mailbox__iexact=address, installation="",
                                   active=True).first()
    if agency is None:
        return None
    since = clock.now() - timedelta(minutes=_minutes())
    if InboxCheck.objects.filter(agency=agency, kind=CheckKind.MAIL_GATEWAY,
                                 checked_at__gte=since).exists():
        return None
    return inbox_check_record_gateway(agency_id=agency.pk)
