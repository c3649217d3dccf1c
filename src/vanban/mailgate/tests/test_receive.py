"""Judging and filing one message (R4.1, R3.1, R16.1): the gateway's service and
``vanban mail import``, with real DKIM signatures, real PDFs and the demo PKI."""

from __future__ import annotations

import base64
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from vanban.exchange.models import Attachment, Delivery, Transmission
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import mail_receive
from vanban.mailgate.tests.conftest import (
    EVIL_DOMAIN,
    RECIPIENT_MAILBOX,
    SENDER_DOMAIN,
    SENDER_MAILBOX,
    Road,
)
from vanban.mailgate.tests.messages import build, cp1258_word
from vanban.signatures.models import Verification

pytestmark = pytest.mark.django_db


def _message(road: Road, files: list[tuple[str, bytes]], **kwargs: object) -> bytes:
    return road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=files,
                           **kwargs))  # type: ignore[arg-type]


def test_an_unsigned_scan_is_filed_by_the_mail_rule(road: Road, scan: bytes) -> None:
    """R4.1: an unsigned scanned PDF from the sender's registered mailbox with the province's
    DKIM signature enters the recipient's inbox; the verdict is the mail rule's, in the same
    verification record as other arrivals, with the mail fields; a repeat changes nothing."""
    raw = _message(road, [("cv-15.pdf", scan)], subject="Về việc báo cáo quý IV")
    outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed, outcome.message.reasons
    delivery = Delivery.objects.get(recipient=road.recipient)
    assert (delivery.channel, delivery.state) == ("mail", "01")
    transmission = delivery.transmission
    assert transmission.subject == "Về việc báo cáo quý IV"
    assert transmission.sender == road.sender
    assert transmission.verification_id is not None
    verification = Verification.objects.get(pk=transmission.verification_id)
    assert (verification.path, verification.channel, verification.verdict) == \
        ("mail", "mail", "valid")
    assert verification.mail_from == SENDER_MAILBOX
    assert verification.mail_message_id == outcome.message.message_id
    checks = {c["code"]: c for c in verification.checks}
    assert checks["signature_present"]["reason"] == "mail_rule"
    assert checks["mail_dkim"]["status"] == checks["mail_sender"]["status"] == "pass"
    row = MailMessage.objects.get()
    assert row.dkim.startswith("pass d=snv.bacgiang.vanban.test s=tinh2026")
    assert row.attachments[0]["sha256"] == transmission.file_sha256
    again = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert again.duplicate
    assert Transmission.objects.count() == MailMessage.objects.count() == 1


def test_one_message_to_two_of_our_agencies_reaches_both(road: Road, scan: bytes,
                                                         make_agency: Any) -> None:
    """R4.1: one message sent To two of our agencies' mailboxes is read in each mailbox and
    filed in each inbox; the copy in the second mailbox is not taken for a repeat of the
    first."""
    other = make_agency("000.00.09.H06", name="Sở Y tế tỉnh Bắc Giang", short_name="SYT",
                        mailbox="vanthu@syt.bacgiang.vanban.test")
    raw = road.mail(build(sender=SENDER_MAILBOX, to=f"{RECIPIENT_MAILBOX}, {other.mailbox}",
                          files=[("cv-16.pdf", scan)], subject="Về việc gửi hai nơi"))
    assert mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX).filed
    assert mail_receive(raw=raw, mailbox=other.mailbox).filed
    assert sorted(d.recipient_id for d in Delivery.objects.all()) == sorted(
        [road.recipient.pk, other.pk])


def test_a_copy_resent_to_another_agency_is_refused(road: Road, scan: bytes,
                                                    make_agency: Any) -> None:
    """R4.1: a message DKIM-signed for Sở Tài chính, resent unchanged into another agency's
    mailbox by someone who received it, still verifies but is not addressed there: refused
    with the reason, nothing filed."""
    other = make_agency("000.00.09.H06", name="Sở Y tế tỉnh Bắc Giang", short_name="SYT",
                        mailbox="vanthu@syt.bacgiang.vanban.test")
    raw = _message(road, [("cv-17.pdf", scan)], subject="Về việc chỉ gửi Sở Tài chính")
    outcome = mail_receive(raw=raw, mailbox=other.mailbox)
    assert not outcome.filed
    assert [r["code"] for r in outcome.message.reasons] == ["wrong_mailbox"]
    assert not Delivery.objects.exists()


def test_a_signed_pdf_is_verified_as_on_the_hub(road: Road, signed: bytes) -> None:
    """R4.1, R4.2: a signed PDF's signature is verified, signer = the sending agency."""
    outcome = mail_receive(raw=_message(road, [("qd.pdf", signed)]), mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed
    verification = outcome.message.verification
    assert verification is not None
    assert verification.verdict == "valid"
    checks = {c["code"]: c["status"] for c in verification.checks}
    assert checks["signature_present"] == checks["sender_certificate"] == "pass"


def _refused(road: Road, raw: bytes) -> list[str]:
    outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert outcome.message.state == MailState.QUARANTINED
    assert not Transmission.objects.exists()
    assert outcome.message.raw_sha256  # the raw message is kept
    return [r["code"] for r in outcome.message.reasons]


def test_forged_from(road: Road, scan: bytes) -> None:
    """R4.1: a message signed by another domain than its From is impersonation."""
    assert _refused(road, road.mail(
        build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=[("cv.pdf", scan)]),
        domain=EVIL_DOMAIN)) == ["forged_from"]


def test_forged_from_inside_the_domain(road: Road, scan: bytes) -> None:
    """R4.1: a signature by another mailbox of the sender's domain (i=) does not vouch for
    the clerk mailbox in From."""
    assert _refused(road, road.mail(
        build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=[("cv.pdf", scan)]),
        identity="canhan@snv.bacgiang.vanban.test")) == ["forged_from"]


def test_failing_dkim(road: Road, scan: bytes) -> None:
    """R4.1: a message changed after signing fails DKIM."""
    raw = _message(road, [("cv.pdf", scan)])
    assert _refused(road, raw + b"Them mot dong sau khi ky.\r\n") == ["dkim_failed"]


def test_missing_dkim(road: Road, scan: bytes) -> None:
    """R4.1: no DKIM signature, no filing."""
    raw = bytes(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=[("cv.pdf", scan)]))
    assert _refused(road, raw) == ["dkim_missing"]


def test_unknown_sender(road: Road, scan: bytes) -> None:
    """R4.1: a mailbox of the provincial domain that is no agency's clerk mailbox."""
    raw = road.mail(build(sender="canhan@snv.bacgiang.vanban.test", to=RECIPIENT_MAILBOX,
                          files=[("cv.pdf", scan)]))
    assert _refused(road, raw) == ["unknown_sender"]


def test_classified_marking(road: Road, scan: bytes) -> None:
    """R3.1: a classified marking refuses the message."""
    raw = _message(road, [("cv.pdf", scan)], subject="TỐI MẬT - Kế hoạch")
    assert _refused(road, raw) == ["classified"]


def test_same_pdf_twice_is_filed_once(road: Road, scan: bytes) -> None:
    """The same PDF attached twice becomes one file of the arrival; both hashes recorded."""
    outcome = mail_receive(raw=_message(road, [("a.pdf", scan), ("b.pdf", scan)]),
                           mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed
    assert Attachment.objects.filter(transmission=outcome.message.transmission).count() == 1
    assert len(outcome.message.attachments) == 2


@override_settings(VANBAN_MAIL_MAX_ATTACHMENT_BYTES=25 * 1024 * 1024)
def test_a_40_mb_attachment_is_refused(road: Road, scan: bytes) -> None:
    """A 40 MB attachment is refused by the gateway's size limit, with the reason; the
    message is kept as received."""
    big = base64.encodebytes(scan + b"%" + b"0" * (40 * 1024 * 1024)).replace(b"\n", b"\r\n")
    raw = (f"From: {SENDER_MAILBOX}\r\nTo: {RECIPIENT_MAILBOX}\r\nSubject: Ho so lon\r\n"
           "Message-ID: <lon@snv.bacgiang.vanban.test>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=zzz\r\n\r\n--zzz\r\n"
           "Content-Type: application/pdf; name=lon.pdf\r\n"
           "Content-Disposition: attachment; filename=lon.pdf\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n").encode() + big + b"--zzz--\r\n"
    assert _refused(road, road.keys.sign(raw, SENDER_DOMAIN)) == ["too_large"]
    assert MailMessage.objects.get().raw.size > 40 * 1024 * 1024


@override_settings(VANBAN_MAIL_MAX_ATTACHMENT_BYTES=1024 * 1024)
def test_an_attachment_over_the_limit_in_a_small_message(road: Road, scan: bytes) -> None:
    """An attachment over the limit is named in the reason."""
    big = scan + b"%" + b"0" * (1024 * 1024)
    refused = mail_receive(raw=_message(road, [("lon.pdf", big)]), mailbox=RECIPIENT_MAILBOX)
    assert [r["code"] for r in refused.message.reasons] == ["too_large"]
    assert "lon.pdf" in refused.message.reasons[0]["vi"]


def test_malformed_mime(road: Road) -> None:
    """A multipart without its closing boundary is refused with a reason, never a crash."""
    raw = (f"From: {SENDER_MAILBOX}\r\nTo: {RECIPIENT_MAILBOX}\r\nSubject: x\r\n"
           "Message-ID: <hong@snv.bacgiang.vanban.test>\r\nDate: Sat, 5 Dec 2026 08:00:00 +0700"
           "\r\nContent-Type: multipart/mixed; boundary=zzz\r\n\r\n--zzz\r\n"
           "Content-Type: application/pdf; name=a.pdf\r\n\r\n%PDF-1.4\r\n").encode()
    assert _refused(road, road.keys.sign(raw, SENDER_DOMAIN)) == ["malformed"]


def test_windows_1258_subject(road: Road, scan: bytes) -> None:
    """A subject in windows-1258 (RFC 2047) is filed with its Vietnamese text."""
    subject = "Về việc tăng cường quản lý văn bản điện tử"
    message = build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, files=[("cv.pdf", scan)])
    del message["Subject"]
    message["Subject"] = cp1258_word(subject)
    outcome = mail_receive(raw=road.mail(message), mailbox=RECIPIENT_MAILBOX)
    assert outcome.filed, outcome.message.reasons
    assert outcome.message.transmission is not None
    assert outcome.message.transmission.subject == subject


def test_import_command(road: Road, scan: bytes, tmp_path: Path) -> None:
    """``vanban mail import``: exit 0 filed, 1 refused with the reasons in the JSON, 2 usage."""
    good, bad = tmp_path / "good.eml", tmp_path / "bad.eml"
    good.write_bytes(_message(road, [("cv.pdf", scan)]))
    bad.write_bytes(bytes(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX,
                                files=[("cv.pdf", scan)])))
    out = StringIO()
    call_command("mail", "import", str(good), "--mailbox", RECIPIENT_MAILBOX, "--json",
                 stdout=out)
    assert json.loads(out.getvalue())["state"] == "filed"
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("mail", "import", str(bad), "--mailbox", RECIPIENT_MAILBOX, "--json",
                     stdout=out)
    assert refused.value.returncode == 1
    assert [r["code"] for r in json.loads(out.getvalue())["reasons"]] == ["dkim_missing"]
    for args in ([str(tmp_path / "none.eml"), "--mailbox", RECIPIENT_MAILBOX],
                 [str(good), "--mailbox", "khong@co.vanban.test"]):
        with pytest.raises(CommandError) as usage:
            call_command("mail", "import", *args, stdout=StringIO())
        assert usage.value.returncode == 2


def test_the_mail_apps_subcommands_are_wired(road: Road) -> None:
    """``vanban mail dkim list`` (the mail app's subcommand) runs through the one command."""
    out = StringIO()
    call_command("mail", "dkim", "list", "--json", stdout=out)
    assert SENDER_DOMAIN in out.getvalue()


def test_malware_is_refused(road: Road, scanner_on: Any) -> None:
    """R16.1: the PDF goes through the intake of every door: malware keeps the message in
    quarantine with the scanner's reason, audited; its raw message is kept as evidence but
    never served to the clerk."""
    from django.test import Client

    from vanban.audit.models import AuditEvent
    from vanban.security.tests.fixtures import infected_pdf

    codes = _refused(road, _message(road, [("nhiem.pdf", infected_pdf())]))
    assert codes == ["malware"]
    kept = MailMessage.objects.get()
    assert "mã độc" in kept.reasons[0]["vi"]
    assert AuditEvent.objects.filter(action="security.malware_found").exists()
    client = Client()
    client.force_login(road.recipient_clerk)
    page = client.get(f"/mailgate/quarantine/{kept.uid}/")
    assert page.status_code == 200
    assert f"/mailgate/quarantine/{kept.uid}/eml/" not in page.content.decode()
    refused = client.get(f"/mailgate/quarantine/{kept.uid}/eml/")
    assert refused.status_code == 302
    assert "Content-Disposition" not in refused


def test_a_scanner_outage_records_nothing(road: Road, scan: bytes, scanner_down: str) -> None:
    """R16.1: with the scanner down nothing is accepted unscanned and nothing is recorded: the
    message stays unread for the next pass."""
    from vanban.security.errors import ScannerUnavailable

    with pytest.raises(ScannerUnavailable):
        mail_receive(raw=_message(road, [("cv.pdf", scan)]), mailbox=RECIPIENT_MAILBOX)
    assert not MailMessage.objects.exists()
    assert not Transmission.objects.exists()


def test_a_pass_counts_as_the_gateways_check(road: Road) -> None:
    """R10.2: a gateway pass over the clerk mailbox counts as an inbox check in the
    twice-daily report, recorded as the gateway's (no clerk's name on it); passes a minute
    apart make one row, half an hour later another."""
    from datetime import datetime, timedelta

    from vanban.checks.models import InboxCheck
    from vanban.checks.selectors import check_report
    from vanban.core import clock
    from vanban.mailgate.services import mail_check_record

    morning = datetime(2026, 12, 7, 9, 0, tzinfo=clock.VN_TZ)  # a Monday
    with clock.frozen(morning):
        assert mail_check_record(RECIPIENT_MAILBOX) is not None
    with clock.frozen(morning + timedelta(minutes=1)):
        assert mail_check_record(RECIPIENT_MAILBOX) is None
    with clock.frozen(morning + timedelta(minutes=31)):
        assert mail_check_record(RECIPIENT_MAILBOX) is not None
    assert InboxCheck.objects.filter(agency=road.recipient, kind="mail_gateway",
                                     user=None).count() == 2
    assert not InboxCheck.objects.filter(user=road.recipient_clerk).exists()
    assert mail_check_record("khong@co.vanban.test") is None
    with clock.frozen(morning + timedelta(hours=12)):
        report = check_report(road.recipient_clerk, start=morning.date(), end=morning.date())
    assert report.rows[0].cells[0].status == "done"
    first = report.rows[0].cells[0].first
    assert first is not None
    assert first.checker == "Cổng thư tự động"


def test_a_dsn_is_handed_to_the_sending_side(road: Road) -> None:
    """A delivery status notification is never a document: it goes to the sending side's
    matcher and is kept as a DSN, not quarantined."""
    raw = (f"From: MAILER-DAEMON@{SENDER_DOMAIN}\r\nTo: {RECIPIENT_MAILBOX}\r\n"
           "Subject: Delivery Status Notification\r\nMessage-ID: <dsn-1@relay>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
           " boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nDelivered.\r\n--b\r\n"
           "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay\r\n\r\n"
           "Final-Recipient: rfc822; x@y.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
           "--b--\r\n").encode()
    outcome = mail_receive(raw=raw, mailbox=RECIPIENT_MAILBOX)
    assert outcome.message.state == MailState.DSN
    assert not Transmission.objects.exists()
