"""Filing a batch of messages together (R4.1): the group commit of the gateway's pass keeps
every rule of one message — each filed once, refusals kept with their reasons, the same PDF
verified once — and an arrival stored before its row is never filed twice."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.exchange.models import Delivery, Transmission
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services.receive import Outcome, mail_receive, mail_receive_many
from vanban.mailgate.tests.conftest import RECIPIENT_MAILBOX, SENDER_MAILBOX, Road
from vanban.mailgate.tests.messages import build
from vanban.signatures.models import Verification

pytestmark = pytest.mark.django_db


def _message(road: Road, pdf: bytes, *, signed: bool = True, subject: str = "Công văn"
             ) -> bytes:
    message = build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, subject=subject,
                    files=[("cv.pdf", pdf)])
    return road.mail(message) if signed else bytes(message)


def test_a_batch_files_each_message_once(road: Road, scan: bytes) -> None:
    """R4.1: in one batch two good messages carrying the same PDF are filed (one verdict
    shared), a copy of the first is a duplicate, an unsigned one is kept with its reason."""
    first = _message(road, scan, subject="Thứ nhất")
    second = _message(road, scan, subject="Thứ hai")
    unsigned = _message(road, scan, signed=False, subject="Không ký DKIM")
    outcomes = mail_receive_many(raws=[first, second, first, unsigned],
                                 mailbox=RECIPIENT_MAILBOX)
    assert all(isinstance(o, Outcome) for o in outcomes), outcomes
    done = [o for o in outcomes if isinstance(o, Outcome)]
    assert [(o.message.state, o.duplicate) for o in done] == [
        (MailState.FILED, False), (MailState.FILED, False), (MailState.FILED, True),
        (MailState.QUARANTINED, False)]
    assert done[2].message.pk == done[0].message.pk
    assert [r["code"] for r in done[3].message.reasons] == ["dkim_missing"]
    assert Transmission.objects.filter(channel="mail").count() == 2
    assert Delivery.objects.filter(recipient=road.recipient).count() == 2
    assert Verification.objects.filter(path="mail").count() == 1
    assert done[0].message.verification_id == done[1].message.verification_id
    again = mail_receive_many(raws=[first, second, unsigned], mailbox=RECIPIENT_MAILBOX)
    assert all(isinstance(o, Outcome) and o.duplicate for o in again)
    assert MailMessage.objects.count() == 3


def test_an_arrival_stored_before_its_row_is_filed_once(road: Road, scan: bytes) -> None:
    """R4.1: a message whose arrival committed without its row (a gateway stopped between
    the two) is filed on the next read under the same transmission, never a second one."""
    raw = _message(road, scan)
    first = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert first.filed
    transmission_id = first.message.transmission_id
    MailMessage.objects.filter(pk=first.message.pk).delete()
    again = mail_receive_many(raws=[raw], mailbox=RECIPIENT_MAILBOX)[0]
    assert isinstance(again, Outcome)
    assert again.filed
    assert not again.duplicate
    assert again.message.transmission_id == transmission_id
    assert Transmission.objects.filter(channel="mail").count() == 1
    assert Delivery.objects.filter(recipient=road.recipient).count() == 1


def test_a_verdict_is_examined_once_per_message(road: Road, scan: bytes,
                                                django_capture_on_commit_callbacks: Any
                                                ) -> None:
    """R4.1: the mail-path verdict on a message whose filing did not commit is reused when
    the message is read again (a later pass, another time), and dropped once stored."""
    from datetime import timedelta

    from vanban.core import clock
    from vanban.signatures.verification.mail import MailFacts, mail_examine

    facts = MailFacts(message_id="<once@snv>", mail_from=SENDER_MAILBOX,
                      received_at=clock.now(), dkim="pass d=snv s=tinh2026")
    first = mail_examine(data=scan, sender=road.sender, facts=facts)
    later = MailFacts(message_id=facts.message_id, mail_from=facts.mail_from,
                      received_at=facts.received_at + timedelta(minutes=1), dkim=facts.dkim)
    assert mail_examine(data=scan, sender=road.sender, facts=later) is first
    other = MailFacts(message_id="<another@snv>", mail_from=facts.mail_from,
                      received_at=facts.received_at, dkim=facts.dkim)
    assert mail_examine(data=scan, sender=road.sender, facts=other) is not first
    assert first.verdict == "valid"
    from django.db import transaction

    from vanban.signatures.verification.mail import mail_record
    from vanban.storage.services import blob_put

    blob_put(data=scan, content_type=first.content_type)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stored = mail_record(first, road.sender)
    assert stored.mail_message_id == "<once@snv>"
    assert mail_examine(data=scan, sender=road.sender, facts=later) is not first
