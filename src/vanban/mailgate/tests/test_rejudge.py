"""Judging a quarantined message again ("xét lại", R4.1): once the missing DKIM key is in the
table the clerk or the operator has it judged again; it is filed once, under the same key as
the gateway's, and the row records each re-judging."""

from __future__ import annotations

import json
from datetime import timedelta
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


def test_a_rejection_during_the_filing_is_refused(road: Road, scan: bytes,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: the row is claimed before the filing, so a "Từ chối" that arrives while the
    message is being filed is refused and the message ends filed, never filed and rejected."""
    from vanban.mailgate.services import quarantine_reject, rejudge

    kept = _kept_for_a_missing_key(road, scan)
    _key_added(road)
    real = rejudge.file_judged  # type: ignore[attr-defined]
    refusals: list[str] = []

    def reject_meanwhile(*args: object) -> object:
        try:
            quarantine_reject(actor=road.recipient_clerk, message=kept, reason="Không rõ nguồn")
        except Conflict as err:
            refusals.append(err.code)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rejudge, "file_judged", reject_meanwhile)
    filed = quarantine_rejudge(actor=road.recipient_clerk, message=kept)
    assert refusals == ["rejudging"]
    assert filed.state == MailState.FILED
    assert filed.rejected_at is None
    assert [r["outcome"] for r in filed.rejudged] == ["filed"]
    with pytest.raises(Conflict):
        quarantine_reject(actor=road.recipient_clerk, message=filed, reason="Muộn")


def test_a_failed_filing_takes_its_claim_back(road: Road, scan: bytes,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-judging that fails midway (scanner down) leaves the row as it was: waiting, with
    no claim, so it may be rejected or judged again."""
    from vanban.mailgate.services import quarantine_reject, rejudge
    from vanban.security.errors import ScannerUnavailable

    kept = _kept_for_a_missing_key(road, scan)
    _key_added(road)

    def scanner_down(*args: object) -> object:
        raise ScannerUnavailable()

    monkeypatch.setattr(rejudge, "file_judged", scanner_down)
    with pytest.raises(ScannerUnavailable):
        quarantine_rejudge(actor=road.recipient_clerk, message=kept)
    kept.refresh_from_db()
    assert kept.rejudged == []
    rejected = quarantine_reject(actor=road.recipient_clerk, message=kept, reason="Không rõ")
    assert rejected.state == MailState.REJECTED


def test_rejudging_is_refused_when_the_mailbox_changed_hands(road: Road, scan: bytes) -> None:
    """R4.1: a message is judged again only for the agency it was kept for: once its mailbox
    belongs to another agency (or none) the re-judging is refused and nothing is filed."""
    kept = _kept_for_a_missing_key(road, scan)
    _key_added(road)
    road.recipient.mailbox = "cu.vanthu@example.invalid"
    road.recipient.save(update_fields=["mailbox"])
    road.sender.mailbox, old = RECIPIENT_MAILBOX, road.sender.mailbox
    road.sender.save(update_fields=["mailbox"])
    with pytest.raises(Conflict) as refused:
        quarantine_rejudge(actor=road.recipient_clerk, message=kept)
    assert refused.value.code == "mailbox_moved"
    assert Transmission.objects.filter(channel="mail").count() == 0
    road.sender.mailbox = old
    road.sender.save(update_fields=["mailbox"])
    with pytest.raises(Conflict):
        quarantine_rejudge(actor=road.recipient_clerk, message=kept)  # now no one's


def test_rejudging_verifies_at_the_original_arrival_time(road: Road, scan: bytes) -> None:
    """R4.1: the signature is checked as of when the message arrived, not when re-judged."""
    kept = _kept_for_a_missing_key(road, scan)
    MailMessage.objects.filter(pk=kept.pk).update(
        received_at=kept.received_at - timedelta(hours=5))
    kept.refresh_from_db()
    _key_added(road)
    filed = quarantine_rejudge(actor=road.recipient_clerk, message=kept)
    assert filed.verification is not None
    assert filed.verification.mail_received_at == kept.received_at


def test_the_quarantine_shows_a_message_being_rejudged(road: Road, scan: bytes) -> None:
    """R4.1: while a re-judging holds its claim the quarantine list and the message page
    show the message as being judged again (no second "Xét lại" offered), not as still held;
    a stale claim (a crashed run's) shows it held again."""
    from vanban.mailgate.services import rejudge

    kept = _kept_for_a_missing_key(road, scan)
    claim = rejudge._claim(road.recipient_clerk, kept)
    assert claim is not None
    client = Client()
    client.force_login(road.recipient_clerk)
    listing = client.get("/mailgate/quarantine/").content.decode()
    assert f'data-message="{kept.uid}" data-state="quarantined" data-rejudging="true"' in listing
    assert "Đang xét lại" in listing
    page = client.get(f"/mailgate/quarantine/{kept.uid}/").content.decode()
    assert 'data-testid="rejudging"' in page
    assert 'data-testid="rejudge-form"' not in page
    kept.refresh_from_db()
    stale = (kept.received_at - rejudge.CLAIM_STALE - timedelta(minutes=1)).isoformat()
    kept.rejudged = [{**claim, "at": stale}]
    kept.save(update_fields=["rejudged"])
    listing = client.get("/mailgate/quarantine/").content.decode()
    assert 'data-rejudging="true"' not in listing
    assert "Đang xét lại" not in listing
    page = client.get(f"/mailgate/quarantine/{kept.uid}/").content.decode()
    assert 'data-testid="rejudge-form"' in page
