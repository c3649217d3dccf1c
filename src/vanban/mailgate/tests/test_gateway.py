"""The gateway against the real test servers (R4.1, R9.1, R10.2, R13.1): reading the clerk
mailboxes over IMAP, two agencies exchanging documents by mail both ways, a restart midway
through 500 messages, the R10.2 check, and the clerk's rejection mailed back."""

from __future__ import annotations

import email
import email.policy
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from imap_tools import AND

from vanban.audit.models import AuditEvent
from vanban.checks.models import InboxCheck
from vanban.core.roles import Role
from vanban.exchange.core import states
from vanban.exchange.models import Delivery, Transmission
from vanban.exchange.services.outbox import outbox_run
from vanban.exchange.tests.conftest import make_pdf
from vanban.mail.dkim import dkim_verify
from vanban.mailgate import reader
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.reader import FILED
from vanban.mailgate.services import ports
from vanban.mailgate.services.receive import Outcome
from vanban.mailgate.tests.conftest import Live
from vanban.mailgate.tests.messages import build

pytestmark = pytest.mark.django_db


def _message(live: Live, subject: str, pdf: bytes, *, signed: bool = True) -> bytes:
    road = live.road
    message = build(sender=road.sender_address, to=road.recipient_address, subject=subject,
                    files=[("cv.pdf", pdf)])
    return road.mail(message) if signed else bytes(message)


def _unread(live: Live, address: str) -> int:
    """Messages the gateway has not handled yet."""
    with ports.imap_open(address) as box:
        return len(box.uids(AND(no_keyword=FILED)))


def test_a_pass_files_refuses_and_marks_handled(live: Live) -> None:
    """R4.1, R10.2: one pass over the clerk mailbox files the good message, keeps the unsigned
    one in quarantine, marks both handled, and counts as the clerk's inbox check; a second pass
    finds nothing new."""
    live.deliver(_message(live, "Về việc A", make_pdf("A")))
    live.deliver(_message(live, "Về việc B", make_pdf("B"), signed=False))
    address = live.road.recipient_address
    report = reader.mailbox_pass(address)
    assert (report.read, report.filed, report.refused) == (2, 1, 1)
    assert _unread(live, address) == 0
    assert reader.mailbox_pass(address).read == 0
    delivery = Delivery.objects.get(recipient=live.road.recipient)
    assert (delivery.channel, delivery.state) == ("mail", "01")
    check = InboxCheck.objects.get(agency=live.road.recipient)
    assert (check.kind, check.user) == ("mail_gateway", None)  # R10.2: never a person's name
    assert check.waiting == 0  # counted before the pass filed anything


def test_a_message_a_person_already_read_is_still_filed(live: Live) -> None:
    """R4.1: a clerk who opens the official mailbox in a mail client marks messages read; the
    gateway files them all the same (its own keyword marks what it handled, never \\Seen),
    and leaves the read state the person sees as it was."""
    live.deliver(_message(live, "Về việc đã đọc", make_pdf("R")))
    address = live.road.recipient_address
    with ports.imap_open(address) as box:
        box.flag(box.uids(), "\\Seen", True)  # read in webmail before the gateway's pass
    report = reader.mailbox_pass(address)
    assert (report.read, report.filed) == (1, 1)
    with ports.imap_open(address) as box:
        assert len(box.uids("UNSEEN")) == 0
        assert len(box.uids("SEEN")) == 1


def test_two_agencies_exchange_by_mail_both_ways(live: Live) -> None:
    """R4.1, R9.1: Sở Nội vụ sends a signed document to Sở Tài chính, whose route is its
    mailbox; the gateway files it in Sở Tài chính's inbox with the mail verification; the
    DSN marks Sở Nội vụ's delivery delivered. Then the other way round."""
    from vanban.mail.tests.test_sending import send

    road = live.road
    for source, target, clerk in ((road.sender, road.recipient, road.sender_clerk),
                                  (road.recipient, road.sender, road.recipient_clerk)):
        source.connected, target.connected = True, False
        source.save(update_fields=["connected"])
        target.save(update_fields=["connected"])
        transmission = send(clerk, source, [target], subject=f"Từ {source.short_name}")
        assert outbox_run().sent == 1
        live.servers.wait_messages(target.mailbox, live.passwords[target.mailbox], 1)
        assert reader.mailbox_pass(target.mailbox).filed == 1
        arrived = Delivery.objects.get(recipient=target, channel="mail", state="01",
                                       transmission__channel="mail")
        assert arrived.transmission.sender == source
        assert arrived.transmission.code_notation == transmission.code_notation
        assert arrived.transmission.subject == f"Từ {source.short_name}"
        verification = arrived.transmission.verification
        assert verification is not None
        assert (verification.path, verification.verdict) == ("mail", "valid")
        assert {c["code"]: c["status"] for c in verification.checks}["sender_certificate"] \
            == "pass"
        live.servers.wait_messages(source.mailbox, live.passwords[source.mailbox], 1)
        assert reader.mailbox_pass(source.mailbox).dsn == 1
        sent = Delivery.objects.get(transmission=transmission)
        assert sent.state == states.State.ARRIVED
        assert sent.received_at is not None


class Stop(Exception):
    """The reader killed after N filings."""


@pytest.mark.slow
def test_a_restart_midway_through_500_messages(live: Live) -> None:
    """R4.1: the gateway stopped after 200 of 500 messages (after a filing committed, before
    the message was marked read) and started again: every message filed once or refused with
    a reason, none lost, none twice."""
    pdf = make_pdf("Cong van")
    total = 500
    for n in range(total):  # every fifth signed and filed, the others refused (no DKIM)
        live.deliver(_message(live, f"Văn bản {n}", pdf + f"% {n}\n".encode(),
                              signed=n % 5 == 0))
    seen: list[Outcome] = []

    def stop_after_200(outcome: Outcome) -> None:
        seen.append(outcome)
        if len(seen) == 200:
            raise Stop

    address = live.road.recipient_address
    with pytest.raises(Stop):
        reader.mailbox_pass(address, after_each=stop_after_200)
    report = reader.mailbox_pass(address)
    assert report.read == total - 199  # the 200th again (not yet marked read), and the rest
    assert report.duplicates == 1
    rows = MailMessage.objects.filter(mailbox=address)
    assert rows.count() == total
    filed = total // 5
    assert rows.filter(state=MailState.FILED).count() == filed
    assert all(r.reasons for r in rows.filter(state=MailState.QUARANTINED))
    assert rows.filter(state=MailState.QUARANTINED).count() == total - filed
    assert Transmission.objects.filter(channel="mail").count() == filed
    assert Delivery.objects.filter(recipient=live.road.recipient).count() == filed
    assert _unread(live, address) == 0


def test_the_clerk_rejects_and_the_sender_is_told(
        live: Live, django_capture_on_commit_callbacks: Any) -> None:
    """R4.1: the quarantine list is the receiving clerk's; "Từ chối" with a reason keeps it,
    audits it and mails it back to the sender from the clerk mailbox, DKIM-signed."""
    road = live.road
    live.deliver(_message(live, "Thư không ký", make_pdf("X"), signed=False))
    reader.mailbox_pass(road.recipient_address)
    message = MailMessage.objects.get(state=MailState.QUARANTINED)
    client = Client()
    client.force_login(road.recipient_clerk)
    page = client.get("/mailgate/quarantine/")
    assert page.status_code == 200
    assert str(message.uid) in page.content.decode()
    assert 'data-reason="dkim_missing"' in client.get(
        f"/mailgate/quarantine/{message.uid}/").content.decode()
    other = Client()
    other.force_login(road.sender_clerk)
    assert other.get(f"/mailgate/quarantine/{message.uid}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/mailgate/quarantine/{message.uid}/reject/",
                             {"reason": "Thư không có chữ ký DKIM, đề nghị gửi lại."})
    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.state == MailState.REJECTED
    assert message.rejected_by == road.recipient_clerk
    assert message.reply_message_id, message.reply_error
    assert AuditEvent.objects.filter(action="mailgate.reject", object_id=str(message.uid)).exists()
    reply = live.servers.wait_messages(road.sender_address, live.passwords[road.sender_address],
                                       1)[0]
    assert dkim_verify(reply).status == "pass"
    parsed: Any = email.message_from_bytes(reply, policy=email.policy.default)
    assert str(parsed["In-Reply-To"]).strip() == message.message_id
    assert "đề nghị gửi lại" in parsed.get_body(preferencelist=("plain",)).get_content()


def test_only_the_clerk_sees_the_quarantine(live: Live, make_user: Any) -> None:
    """The agency's specialist is refused (audited); the clerk sees an empty list."""
    specialist = make_user(live.road.recipient, roles=[Role.SPECIALIST])
    client = Client()
    client.force_login(specialist)
    assert client.get("/mailgate/quarantine/").status_code == 403
    assert AuditEvent.objects.filter(action="mailgate.quarantine_view.denied").exists()


def test_gateway_command_once(live: Live) -> None:
    """``vanban mail gateway --once``: one pass over every clerk mailbox and the outbox."""
    live.deliver(_message(live, "Về việc C", make_pdf("C")))
    out = StringIO()
    call_command("mail", "gateway", "--once", stdout=out)
    assert f"{live.road.recipient_address}: read=1 filed=1" in out.getvalue()
    assert f"{live.road.sender_address}: read=0" in out.getvalue()
    assert "outbox:" in out.getvalue()


def test_idle_ends_the_wait_when_mail_arrives(live: Live) -> None:
    """IDLE where the server offers it: a new message ends the wait at once instead of the
    polling interval."""
    import threading
    import time

    address = live.road.recipient_address
    raw = _message(live, "Về việc D", make_pdf("D"))
    timer = threading.Timer(0.5, live.deliver, args=(raw,))
    started = time.monotonic()
    timer.start()
    try:
        reader.wait_for_mail([address], 20)
    finally:
        timer.join()
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_a_stop_inside_a_committed_batch_files_nothing_twice(live: Live) -> None:
    """R4.1: messages are filed fifty to a transaction; a reader stopped in the middle of a
    batch whose transaction committed (messages 76 to 100 filed but not yet marked read) and
    started again recognises those by their rows, files the rest once and loses none."""
    pdf = make_pdf("Cong van")
    total = 120
    for n in range(total):  # every third signed and filed, the others refused (no DKIM)
        live.deliver(_message(live, f"Văn bản {n}", pdf + f"% {n}\n".encode(),
                              signed=n % 3 == 0))
    seen: list[Outcome] = []

    def stop_after_75(outcome: Outcome) -> None:
        seen.append(outcome)
        if len(seen) == 75:
            raise Stop

    address = live.road.recipient_address
    with pytest.raises(Stop):
        reader.mailbox_pass(address, after_each=stop_after_75)
    assert MailMessage.objects.filter(mailbox=address).count() == reader.BATCH * 2
    report = reader.mailbox_pass(address)
    assert report.read == total - 74
    assert report.duplicates == reader.BATCH * 2 - 74
    rows = MailMessage.objects.filter(mailbox=address)
    assert rows.count() == total
    filed = total // 3
    assert rows.filter(state=MailState.FILED).count() == filed
    assert Transmission.objects.filter(channel="mail").count() == filed
    assert Delivery.objects.filter(recipient=live.road.recipient).count() == filed
    assert _unread(live, address) == 0
