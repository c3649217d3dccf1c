"""A message whose header block holds a line that is not a header (R4.1): judged and kept in
quarantine with a reason, never an error that leaves it to be read again on every pass."""

from __future__ import annotations

import pytest

from vanban.exchange.models import Transmission
from vanban.mailgate.models import MailState
from vanban.mailgate.services import mail_receive
from vanban.mailgate.tests.conftest import RECIPIENT_MAILBOX, SENDER_MAILBOX, Road
from vanban.mailgate.tests.messages import build

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("where", ["inside", "first"])
def test_a_line_that_is_not_a_header_is_quarantined(road: Road, scan: bytes, where: str) -> None:
    """R4.1: the DKIM check cannot split such a header block (a line with no colon inside it,
    or a continuation line first); the message is refused with a reason and its raw bytes
    kept, and reading it again is a duplicate."""
    signed = road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX,
                             files=[("cv.pdf", scan)]))
    sep = b"\r\n" if b"\r\n" in signed else b"\n"
    raw = signed.replace(b"Subject:", b"khong phai dong tieu de" + sep + b"Subject:", 1) \
        if where == "inside" else b" x" + sep + signed
    assert raw != signed
    outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert outcome.message.state == MailState.QUARANTINED
    assert outcome.message.raw_sha256
    assert not Transmission.objects.exists()
    assert outcome.message.reasons
    assert mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX).duplicate
