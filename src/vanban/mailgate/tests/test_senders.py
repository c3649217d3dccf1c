"""Who may send to an agency by mail (R4.1, R13.1): the signed identity must be the clerk
mailbox itself, and a mailbox the province disabled is no sender and is never read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from vanban.mail.models import DkimKey
from vanban.mail.services import mailbox_create, mailbox_disable
from vanban.mailgate.models import MailState
from vanban.mailgate.services import mail_receive
from vanban.mailgate.services.receive import UnknownMailbox
from vanban.mailgate.tests.conftest import RECIPIENT_MAILBOX, SENDER_DOMAIN, SENDER_MAILBOX, Road
from vanban.mailgate.tests.messages import build

pytestmark = pytest.mark.django_db


def _posing(road: Road, scan: bytes, *, identity: str = "") -> bytes:
    """A message "From: vanthu@…" as the domain's server signs it for whichever mailbox sent
    it: with the domain only (no i=), or naming the mailbox that really logged in."""
    return road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX,
                           files=[("cv.pdf", scan)]), identity=identity)


def test_a_domain_only_signature_does_not_prove_the_clerk_mailbox(road: Road,
                                                                   scan: bytes) -> None:
    """R4.1: a personal mailbox of the sender's domain sending "From: vanthu@…" gets the
    domain's signature (d=) but cannot name the clerk mailbox (i=): refused, with the reason."""
    outcome = mail_receive(raw=_posing(road, scan), mailbox=RECIPIENT_MAILBOX)
    assert outcome.message.state == MailState.QUARANTINED
    [found] = outcome.message.reasons
    assert found["code"] == "dkim_no_identity"
    assert "i=" in found["vi"]
    assert "i=" in found["en"]
    posing = _posing(road, scan, identity=f"canhan@{SENDER_DOMAIN}")
    assert [r["code"] for r in mail_receive(raw=posing, mailbox=RECIPIENT_MAILBOX)
            .message.reasons] == ["forged_from"]


def test_a_key_marked_domain_only_accepts_d_alone(road: Road, scan: bytes) -> None:
    """R4.1: a provincial server that signs with d= alone is accepted only when its key's
    table entry says so (identity not required)."""
    DkimKey.objects.filter(domain=SENDER_DOMAIN).update(identity_required=False)
    outcome = mail_receive(raw=_posing(road, scan), mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed


def test_the_clerks_own_signature_is_filed(road: Road, scan: bytes) -> None:
    """R4.1: i= naming the From mailbox exactly proves it."""
    outcome = mail_receive(raw=_posing(road, scan, identity=SENDER_MAILBOX),
                           mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed


@pytest.fixture
def accounts(tmp_path: Path) -> object:
    """The real passwd-file adapter on a file of this test (no Dovecot needed to provision)."""
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot",
                           VANBAN_MAIL_PASSWD_FILE=str(tmp_path / "users")):
        yield


def test_a_disabled_sender_mailbox_is_no_sender(road: Road, scan: bytes,
                                                accounts: object) -> None:
    """R13.1, R4.1: the directory still names the address, but its mailbox row is disabled:
    a message from it is refused with that reason, even with a good signature."""
    created = mailbox_create(actor=None, address=SENDER_MAILBOX, agency=road.sender)
    mailbox_disable(actor=None, mailbox=created.mailbox)
    outcome = mail_receive(raw=_posing(road, scan, identity=SENDER_MAILBOX),
                           mailbox=RECIPIENT_MAILBOX)
    assert outcome.message.state == MailState.QUARANTINED
    assert [r["code"] for r in outcome.message.reasons] == ["mailbox_disabled"]
    assert outcome.message.sender is None


def test_a_disabled_mailbox_is_not_read(road: Road, scan: bytes, accounts: object) -> None:
    """R13.1: nothing is filed from a clerk mailbox the province disabled (the gateway can no
    longer log in, and an import into it is refused as no agency's mailbox)."""
    from vanban.core.errors import NotFound
    from vanban.mailgate.services import ports

    created = mailbox_create(actor=None, address=RECIPIENT_MAILBOX, agency=road.recipient)
    mailbox_disable(actor=None, mailbox=created.mailbox)
    with pytest.raises(UnknownMailbox):
        mail_receive(raw=_posing(road, scan, identity=SENDER_MAILBOX),
                     mailbox=RECIPIENT_MAILBOX)
    with pytest.raises(NotFound):
        ports.credentials(RECIPIENT_MAILBOX)
    assert RECIPIENT_MAILBOX not in ports.clerk_addresses()
