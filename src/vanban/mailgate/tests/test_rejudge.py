"""Judging a quarantined message again ("xét lại", R4.1): once the missing DKIM key is in the
table the clerk or the operator has it judged again; it is filed once, under the same key as
the gateway's, and the row records each re-judging."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict
from vanban.exchange.models import Transmission
from vanban.mail.dkim import dkim_key_add
from vanban.mail.models import DkimKey
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import mail_receive, quarantine_rejudge
from vanban.mailgate.tests.conftest import (
    RECIPIENT_MAILBOX,
    SELECTOR,
    SENDER_DOMAIN,
    SENDER_MAILBOX,
    Road,
)
from vanban.mailgate.tests.messages import build

pytestmark = pytest.mark.django_db


def _kept_for_a_missing_key(road: Road, scan: bytes) -> MailMessage:
    """A good message whose domain's key is not in the table yet: kept in quarantine."""
    DkimKey.objects.filter(domain=SENDER_DOMAIN).delete()
    raw = road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=[("cv.pdf", scan)]))
    outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert [r["code"] for r in outcome.message.reasons] == ["dkim_failed"]
    return outcome.message


def _key_added(road: Road) -> None:
    dkim_key_add(actor=None, domain=SENDER_DOMAIN, selector=SELECTOR,
                 public_pem=road.keys.public[SENDER_DOMAIN])


def test_rejudged_after_the_key_is_added_is_filed_once(road: Road, scan: bytes) -> None:
    """R4.1: still refused while the key is missing (the row says so), filed once after."""
    kept = _kept_for_a_missing_key(road, scan)
    again = quarantine_rejudge(actor=road.recipient_clerk, message=kept)
    assert again.state == MailState.QUARANTINED
    assert [(r["outcome"], r["codes"]) for r in again.rejudged] == [
        ("quarantined", ["dkim_failed"])]
    _key_added(road)
    filed = quarantine_rejudge(actor=road.recipient_clerk, message=again)
    assert filed.state == MailState.FILED
    assert filed.transmission is not None
    assert filed.verification is not None
    assert [r["outcome"] for r in filed.rejudged] == ["quarantined", "filed"]
    assert filed.rejudged[-1]["by"] == road.recipient_clerk.username
    assert Transmission.objects.filter(channel="mail").count() == 1
    assert AuditEvent.objects.filter(action="mailgate.rejudge").count() == 2
    with pytest.raises(Conflict):
        quarantine_rejudge(actor=road.recipient_clerk, message=filed)
    assert Transmission.objects.filter(channel="mail").count() == 1


def test_the_clerk_rejudges_from_the_quarantine_page(road: Road, scan: bytes) -> None:
    """R4.1: "Xét lại" on the message page files it; the page shows the outcome."""
    kept = _kept_for_a_missing_key(road, scan)
    _key_added(road)
    client = Client()
    client.force_login(road.recipient_clerk)
    page = client.get(f"/mailgate/quarantine/{kept.uid}/").content.decode()
    assert f"/mailgate/quarantine/{kept.uid}/rejudge/" in page
    response = client.post(f"/mailgate/quarantine/{kept.uid}/rejudge/")
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.state == MailState.FILED
    page = client.get(f"/mailgate/quarantine/{kept.uid}/").content.decode()
    assert 'data-outcome="filed"' in page


def test_rejudge_command(road: Road, scan: bytes) -> None:
    """R4.1: ``vanban mail rejudge``: 1 while still refused, 0 once filed, 2 for no such
    message; a second run files nothing twice."""
    kept = _kept_for_a_missing_key(road, scan)
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("mail", "rejudge", "--all", "--json", stdout=out)
    assert refused.value.returncode == 1
    assert json.loads(out.getvalue())[0]["reasons"] == ["dkim_failed"]
    _key_added(road)
    out = StringIO()
    call_command("mail", "rejudge", str(kept.uid), "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["state"] == "filed"
    call_command("mail", "rejudge", "--all", stdout=StringIO())  # nothing left to judge
    assert Transmission.objects.filter(channel="mail").count() == 1
    with pytest.raises(CommandError) as usage:
        call_command("mail", "rejudge", "khong-phai-uid", stdout=StringIO())
    assert usage.value.returncode == 2
