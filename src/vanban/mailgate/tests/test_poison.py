"""A message the gateway cannot handle is never re-read silently forever (R4.1, R10.2): its
failed passes are counted, and after ``VANBAN_MAIL_MAX_ATTEMPTS``, the first at least
``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` ago, it is kept in quarantine with the reason
``internal_error``, where the clerk sees it and "Xét lại" files it once the fault is fixed.
Real Dovecot, as the other gateway tests; the fault is injected with monkeypatch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from imap_tools import AND

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.exchange.models import Transmission
from vanban.exchange.tests.conftest import make_pdf
from vanban.mailgate import reader
from vanban.mailgate.models import MailAttempt, MailMessage, MailState
from vanban.mailgate.reader import FILED
from vanban.mailgate.services import judging, ports, quarantine_rejudge
from vanban.mailgate.services.attempts import attempt_failed, failure_grace, max_attempts
from vanban.mailgate.tests.conftest import Live
from vanban.mailgate.tests.messages import build
from vanban.security.errors import ScannerUnavailable

pytestmark = pytest.mark.django_db

MARK = "POISON-7"  # in the subject of the message the fault strikes


@pytest.fixture(autouse=True)
def no_grace(settings: Any) -> None:
    """These tests run their passes in quick succession: no grace unless a test sets one."""
    settings.VANBAN_MAIL_FAILURE_GRACE_SECONDS = 0


def _message(live: Live, subject: str) -> bytes:
    road = live.road
    return road.mail(build(sender=road.sender_address, to=road.recipient_address,
                           subject=subject, files=[("cv.pdf", make_pdf(subject))]))


def _unread(live: Live) -> int:
    with ports.imap_open(live.road.recipient_address) as box:
        return len(box.uids(AND(no_keyword=FILED)))


def _fault(monkeypatch: pytest.MonkeyPatch, *, passes: int | None = None) -> dict[str, int]:
    """DKIM checking raises on the marked message (as a library raising on odd input), on
    every pass or only the first ``passes`` times."""
    real = ports.dkim_check
    calls = {"n": 0}

    def faulty(raw: bytes, keys: Any = None) -> Any:
        if MARK.encode() in raw:
            calls["n"] += 1
            if passes is None or calls["n"] <= passes:
                raise ValueError("cannot split a header line")
        return real(raw, keys)

    monkeypatch.setattr(ports, "dkim_check", faulty)
    return calls


def test_a_message_failing_every_pass_is_quarantined_on_the_nth(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1, R10.2: a message whose handling raises on every pass is left unread and counted,
    not kept before the Nth failed pass; on the Nth it is kept in quarantine with the reason
    ``internal_error`` (the exception type as detail, an audit event), its attempts row is
    dropped and it is marked handled. The other messages of its batch are filed on the first
    pass. "Xét lại" after the fault is fixed files it."""
    live.deliver(_message(live, "Truoc"))
    live.deliver(_message(live, f"Van ban {MARK}"))
    live.deliver(_message(live, "Sau"))
    _fault(monkeypatch)
    address = live.road.recipient_address
    limit = max_attempts()
    assert limit == 3
    first = reader.mailbox_pass(address)
    assert (first.read, first.filed, len(first.errors)) == (2, 2, 1), first
    assert "ValueError" in first.errors[0]
    for attempt in range(1, limit):
        if attempt > 1:
            again = reader.mailbox_pass(address)
            assert (again.read, len(again.errors)) == (0, 1), again
        row = MailAttempt.objects.get(mailbox=address.lower())
        assert row.attempts == attempt
        assert row.error.startswith("ValueError: cannot split")
        assert row.first_at <= row.last_at
        assert not MailMessage.objects.filter(state=MailState.QUARANTINED).exists()
        assert _unread(live) == 1
    last = reader.mailbox_pass(address)
    assert (last.read, last.refused, last.errors) == (1, 1, []), last
    kept = MailMessage.objects.get(state=MailState.QUARANTINED)
    assert [r["code"] for r in kept.reasons] == ["internal_error"]
    assert kept.reasons[0]["detail"] == "ValueError"
    assert f"{limit} lần" in kept.reasons[0]["vi"]
    assert f"{limit} times" in kept.reasons[0]["en"]
    assert AuditEvent.objects.filter(action="mailgate.quarantined",
                                     object_id=str(kept.uid)).exists()
    assert not MailAttempt.objects.exists()
    assert _unread(live) == 0
    assert reader.mailbox_pass(address).read == 0
    assert MailMessage.objects.filter(state=MailState.FILED).count() == 2

    monkeypatch.undo()  # the fault is fixed
    filed = quarantine_rejudge(actor=live.road.recipient_clerk, message=kept)
    assert filed.state == MailState.FILED
    assert filed.transmission_id is not None
    assert Transmission.objects.count() == 3


def test_a_transient_fault_files_the_message_once_on_the_next_pass(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a fault on the first pass only: the second pass files the message once, keeps no
    quarantine row and drops its attempts row."""
    live.deliver(_message(live, f"Van ban {MARK}"))
    calls = _fault(monkeypatch, passes=1)
    address = live.road.recipient_address
    first = reader.mailbox_pass(address)
    assert (first.read, len(first.errors)) == (0, 1), first
    assert MailAttempt.objects.get().attempts == 1
    second = reader.mailbox_pass(address)
    assert (second.read, second.filed, second.errors) == (1, 1, []), second
    assert calls["n"] == 2
    assert not MailAttempt.objects.exists()
    assert list(MailMessage.objects.values_list("state", flat=True)) == [MailState.FILED]
    assert Transmission.objects.count() == 1
    assert _unread(live) == 0


def test_the_scanner_down_never_quarantines(live: Live,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1, R10.2: the scanner being down is an outage, not the message's fault: N+1 passes
    leave the message unread, uncounted and unkept; once the scanner is back it is filed."""
    live.deliver(_message(live, "Van ban cho quet"))

    def down(**kwargs: Any) -> Any:
        raise ScannerUnavailable()

    monkeypatch.setattr(judging, "intake_files", down)
    address = live.road.recipient_address
    for _ in range(max_attempts() + 1):
        report = reader.mailbox_pass(address)
        assert (report.read, report.errors) == (0, [report.errors[0]]), report
        assert report.errors[0].endswith("scanner_unavailable")
    assert not MailAttempt.objects.exists()
    assert not MailMessage.objects.exists()
    assert _unread(live) == 1
    monkeypatch.undo()
    back = reader.mailbox_pass(address)
    assert (back.read, back.filed) == (1, 1), back


def test_a_message_the_parser_raises_on_is_kept_after_the_set_number_of_passes(
        live: Live, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """R4.1, R10.2: ``VANBAN_MAIL_MAX_ATTEMPTS`` sets the number of failed passes; a message
    the gateway's parser raises on (alone in its batch, so the batch raises its error) is kept
    on that pass under its own Message-ID, read from its headers, with its attachments listed."""
    from vanban.mailgate.core.message import parse_message
    from vanban.mailgate.services import receive

    settings.VANBAN_MAIL_MAX_ATTEMPTS = 2
    live.deliver(_message(live, f"Van ban {MARK}"))

    def raising(raw: bytes, *, headers_only: bool = False) -> Any:
        if MARK.encode() in raw:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return parse_message(raw, headers_only=headers_only)

    monkeypatch.setattr(receive, "parse_message", raising)
    address = live.road.recipient_address
    assert reader.mailbox_pass(address).read == 0
    assert MailAttempt.objects.get().error.startswith("UnicodeDecodeError")
    kept = reader.mailbox_pass(address)
    assert (kept.read, kept.refused) == (1, 1), kept
    row = MailMessage.objects.get(state=MailState.QUARANTINED)
    assert row.reasons[0]["code"] == "internal_error"
    assert row.reasons[0]["detail"] == "UnicodeDecodeError"
    assert "2 lần" in row.reasons[0]["vi"]
    assert not row.message_id.endswith("@no-message-id>")
    assert [a["name"] for a in row.attachments] == ["cv.pdf"]
    assert not MailAttempt.objects.exists()
    assert _unread(live) == 0


def test_the_grace_holds_a_message_back_when_its_attempts_come_early(
        live: Live, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """R4.1, R10.2: an outage raising an error not known as one fails every message on every
    pass; a pass a minute reaches ``VANBAN_MAIL_MAX_ATTEMPTS`` in minutes. With the default
    grace (``VANBAN_MAIL_FAILURE_GRACE_SECONDS``, 30 minutes) the message stays unread and
    counted until 30 minutes after its first failed pass, and only then is kept in quarantine."""
    del settings.VANBAN_MAIL_FAILURE_GRACE_SECONDS  # the default
    assert failure_grace() == timedelta(minutes=30)
    live.deliver(_message(live, f"Van ban {MARK}"))
    _fault(monkeypatch)
    address = live.road.recipient_address
    start = clock.now()
    passes = max_attempts() + 2
    for minute in range(passes):  # a pass a minute, past the attempts
        with clock.frozen(start + timedelta(minutes=minute)):
            report = reader.mailbox_pass(address)
        assert (report.read, len(report.errors)) == (0, 1), report
    row = MailAttempt.objects.get()
    assert (row.attempts, row.first_at) == (passes, start)
    with clock.frozen(start + timedelta(minutes=30) - timedelta(seconds=1)):
        assert reader.mailbox_pass(address).read == 0
    assert not MailMessage.objects.exists()
    assert _unread(live) == 1
    with clock.frozen(start + timedelta(minutes=30)):
        last = reader.mailbox_pass(address)
    assert (last.read, last.refused, last.errors) == (1, 1, []), last
    kept = MailMessage.objects.get(state=MailState.QUARANTINED)
    assert [r["code"] for r in kept.reasons] == ["internal_error"]
    assert not MailAttempt.objects.exists()
    assert _unread(live) == 0


def test_a_message_is_exhausted_only_by_both_the_passes_and_the_grace(settings: Any) -> None:
    """R4.1, R10.2: a message is kept in quarantine only when it failed
    ``VANBAN_MAIL_MAX_ATTEMPTS`` passes and its first failed pass is at least
    ``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` old: few passes over a long time, or many passes in
    a short time, are not enough."""
    settings.VANBAN_MAIL_FAILURE_GRACE_SECONDS = 600
    error = ValueError("cannot split a header line")
    start = clock.now()
    slow = b"Message-ID: <cham@snv>\r\nSubject: cham\r\n\r\nnoi dung\r\n"
    fast = b"Message-ID: <nhanh@snv>\r\nSubject: nhanh\r\n\r\nnoi dung\r\n"
    seen = []
    for raw, offsets in ((slow, (0, 3600, 3601)), (fast, (0, 1, 2, 599, 600))):
        for offset in offsets:
            with clock.frozen(start + timedelta(seconds=offset)):
                found = attempt_failed(mailbox="VanThu@STC.example", raw=raw, error=error)
            seen.append((found.attempts, found.exhausted))
    assert seen == [(1, False), (2, False), (3, True),
                    (1, False), (2, False), (3, False), (4, False), (5, True)]
    assert MailAttempt.objects.filter(mailbox="vanthu@stc.example").count() == 2


def _passes_leave_it_uncounted(live: Live) -> None:
    """N+1 passes over the one waiting message: each leaves it unread, uncounted, unkept."""
    address = live.road.recipient_address
    for _ in range(max_attempts() + 1):
        report = reader.mailbox_pass(address)
        assert (report.read, len(report.errors)) == (0, 1), report
        assert not MailAttempt.objects.exists()
    assert not MailMessage.objects.exists()
    assert _unread(live) == 1


def test_a_connection_lost_while_filing_is_an_outage(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1, R10.2: the database connection lost during the filing transaction dooms it; the
    batch of one raises ``BatchBroken`` with the OperationalError as its cause. That is an
    outage, never counted against the message; once the database is back it is filed."""
    from django.db import OperationalError

    from vanban.mailgate.services import filing, receive

    live.deliver(_message(live, "Van ban mat ket noi"))

    def lost(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(receive, "file_one", lost)
    monkeypatch.setattr(filing, "_broken", lambda: True)
    _passes_leave_it_uncounted(live)
    monkeypatch.undo()
    back = reader.mailbox_pass(live.road.recipient_address)
    assert (back.read, back.filed) == (1, 1), back


def test_a_message_delivered_twice_with_the_scanner_down_is_never_counted(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1, R10.2: the second copy of a message in a pass shares its first copy's fate: with
    the scanner down neither copy is counted, however many passes; once it is back the message
    is filed once and its copy is a duplicate."""
    raw = _message(live, "Van ban gui hai lan")
    live.deliver(raw)
    live.deliver(raw)

    def down(**kwargs: Any) -> Any:
        raise ScannerUnavailable()

    monkeypatch.setattr(judging, "intake_files", down)
    address = live.road.recipient_address
    for _ in range(max_attempts() + 1):
        report = reader.mailbox_pass(address)
        assert report.read == 0, report
        assert [e.endswith("scanner_unavailable") for e in report.errors] == [True, True]
    assert not MailAttempt.objects.exists()
    assert not MailMessage.objects.exists()
    assert _unread(live) == 2
    monkeypatch.undo()
    back = reader.mailbox_pass(address)
    assert (back.read, back.filed, back.duplicates) == (2, 1, 1), back
    assert Transmission.objects.count() == 1


def test_a_fault_is_counted_once_per_pass_however_many_copies(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1, R10.2: a message delivered twice whose handling raises is counted once per pass,
    not once per copy, so it is kept only after ``VANBAN_MAIL_MAX_ATTEMPTS`` passes; its copy
    is then the kept message's duplicate."""
    raw = _message(live, f"Van ban {MARK}")
    live.deliver(raw)
    live.deliver(raw)
    _fault(monkeypatch)
    address = live.road.recipient_address
    for attempt in range(1, max_attempts()):
        report = reader.mailbox_pass(address)
        assert (report.read, len(report.errors)) == (0, 2), report
        assert MailAttempt.objects.get().attempts == attempt
    last = reader.mailbox_pass(address)
    assert (last.read, last.refused) == (1, 1), last
    assert MailMessage.objects.get().state == MailState.QUARANTINED
    after = reader.mailbox_pass(address)
    assert (after.read, after.duplicates) == (1, 1), after
    assert not MailAttempt.objects.exists()
    assert _unread(live) == 0


@pytest.mark.parametrize("number", ["ENOSPC", "EMFILE"])
def test_a_storage_error_is_an_outage(live: Live, monkeypatch: pytest.MonkeyPatch,
                                      number: str) -> None:
    """R4.1, R10.2: writing the message's files failing (disk full, too many open files) is
    an outage of ours, not the message's fault: never counted, never quarantined; once the
    storage is back the message is filed."""
    import errno
    import os

    from vanban.mailgate.services import filing

    live.deliver(_message(live, "Van ban dia day"))
    code = getattr(errno, number)

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(filing, "blob_files_put", full)
    _passes_leave_it_uncounted(live)
    monkeypatch.undo()
    back = reader.mailbox_pass(live.road.recipient_address)
    assert (back.read, back.filed) == (1, 1), back


def test_an_error_text_with_a_nul_byte_is_counted(settings: Any) -> None:
    """R4.1, R10.2: an error whose text holds a NUL byte or other control characters (odd
    input echoed back) is still counted: PostgreSQL refuses NUL in text, which would leave the
    message re-read forever; the text is stored without them."""
    raw = b"Message-ID: <nul@snv>\r\nSubject: nul\r\n\r\nnoi dung\r\n"
    error = ValueError("bad header\x00\x01 line\x1b[31m\nnext")
    for attempt in (1, 2):
        assert attempt_failed(mailbox="vanthu@stc.example", raw=raw,
                              error=error).attempts == attempt
    text = MailAttempt.objects.get().error
    assert text.startswith("ValueError: bad header")
    assert text.isprintable(), text
    assert text.endswith("line [31m next")


def test_an_attempts_row_written_after_the_pass_began_is_cleared(live: Live) -> None:
    """R4.1: a second gateway counting a message after this pass loaded its pending list (or
    a row left over after giving up) leaves a row this pass did not load; once the message is
    handled its row is dropped all the same, not left stale forever."""
    raw = _message(live, "Van ban hai cong")
    live.deliver(raw)
    address = live.road.recipient_address

    def other_gateway(outcome: Any) -> None:  # counts it while this pass files it
        attempt_failed(mailbox=address, raw=raw, error=ValueError("the other gateway"))

    report = reader.mailbox_pass(address, after_each=other_gateway)
    assert (report.read, report.filed) == (1, 1), report
    assert not MailAttempt.objects.exists()


def _wrapped(cause: BaseException) -> BaseException:
    """A database error as Django raises it: its own class, the driver's error as cause."""
    from django.db import OperationalError

    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(("sqlstate", "outage"), [
    ("08006", True),   # connection failure
    ("40001", True),   # serialization failure
    ("40P01", True),   # deadlock
    ("53100", True),   # disk full
    ("57P01", True),   # admin shutdown
    ("54000", False),  # program limit exceeded: this message's row is too big
    ("57014", False),  # query canceled (a statement timeout on this message)
    ("55000", False),  # object not in prerequisite state
])
def test_a_database_error_is_an_outage_by_its_sqlstate_class(sqlstate: str,
                                                            outage: bool) -> None:
    """R4.1, R10.2: PostgreSQL reports message-specific errors as OperationalError too; only
    the classes of an outage (08 connection, 40 rollback, 53 resources, 57P operator
    intervention) are never counted, anything else counts against the message."""
    import psycopg

    from vanban.mailgate.services.attempts import is_outage

    cause = psycopg.errors.lookup(sqlstate)("the server said no")
    assert cause.sqlstate == sqlstate
    assert is_outage(_wrapped(cause)) is outage


def test_a_database_error_without_sqlstate_is_an_outage() -> None:
    """R4.1, R10.2: SQLite's "database is locked" and a connection the driver lost (no
    SQLSTATE) stay outages, as does one wrapped in ``BatchBroken``."""
    import sqlite3

    import psycopg

    from vanban.mailgate.services.attempts import is_outage
    from vanban.mailgate.services.filing import BatchBroken

    for cause in (sqlite3.OperationalError("database is locked"),
                  psycopg.OperationalError("consuming input failed: server closed the "
                                           "connection unexpectedly")):
        assert is_outage(_wrapped(cause))
        broken = BatchBroken("the transaction cannot commit")
        broken.__cause__ = _wrapped(cause)
        assert is_outage(broken)
    assert not is_outage(ValueError("cannot split a header line"))


def test_a_dsn_kept_after_failing_is_handed_to_the_dsn_handler_when_rejudged(
        live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a delivery status notification whose handling keeps failing is kept in
    quarantine (``internal_error``); "Xét lại" once the fault is fixed hands it to the DSN
    handler, as a pass does, and records it as a DSN, never judging it as a document."""
    address = live.road.recipient_address
    raw = (f"From: MAILER-DAEMON@{live.road.sender_address.partition('@')[2]}\r\n"
           f"To: {address}\r\nSubject: Delivery Status Notification\r\n"
           "Message-ID: <dsn-poison@relay>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: text/plain\r\n\r\nDelivered.\r\n--b\r\n"
           "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay\r\n\r\n"
           "Final-Recipient: rfc822; x@y.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
           "--b--\r\n").encode()
    live.deliver(raw)
    handed: list[str] = []

    def faulty(raw: bytes, *, mailbox: str) -> None:
        raise ValueError("the DSN matcher raised")

    monkeypatch.setattr(ports, "dsn_handle", faulty)
    for _ in range(max_attempts()):
        reader.mailbox_pass(address)
    kept = MailMessage.objects.get()
    assert (kept.state, kept.reasons[0]["code"]) == (MailState.QUARANTINED, "internal_error")
    monkeypatch.setattr(ports, "dsn_handle",
                        lambda raw, *, mailbox: handed.append(mailbox))
    row = quarantine_rejudge(actor=live.road.recipient_clerk, message=kept)
    assert handed == [address.lower()]
    assert row.state == MailState.DSN
    assert row.rejudged[-1]["outcome"] == MailState.DSN.value
    assert MailMessage.objects.get().state == MailState.DSN
    assert not Transmission.objects.exists()
    assert AuditEvent.objects.filter(action="mailgate.rejudge",
                                     object_id=str(row.uid)).exists()
    assert row.reasons == []


def test_the_rejudge_page_tells_a_dsn_was_handed_on(
        live: Live, monkeypatch: pytest.MonkeyPatch, client: Any) -> None:
    """R4.1: "Xét lại" on a kept DSN tells the clerk it went to the sending side's matcher,
    not that it is still kept."""
    from django.urls import reverse

    from vanban.mailgate.core.judge import reason
    from vanban.mailgate.core.message import parse_message
    from vanban.mailgate.services.rows import message_keep

    address = live.road.recipient_address
    raw = (f"From: MAILER-DAEMON@relay.test\r\nTo: {address}\r\nSubject: DSN\r\n"
           "Message-ID: <dsn-page@relay>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
           "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay"
           "\r\n\r\nFinal-Recipient: rfc822; x@y.test\r\nAction: delivered\r\n"
           "Status: 2.0.0\r\n--b--\r\n").encode()
    run = judging.Run.of(address)
    kept = message_keep(raw, parse_message(raw), "<dsn-page@relay>", run.recipient,
                        reasons=[reason("internal_error", "ValueError", limit="3")]).message
    monkeypatch.setattr(ports, "dsn_handle", lambda raw, *, mailbox: None)
    client.force_login(live.road.recipient_clerk)
    page = client.post(reverse("mailgate:rejudge", args=[kept.uid]), follow=True)
    assert "báo cáo chuyển phát (DSN)" in page.content.decode()
    assert MailMessage.objects.get(pk=kept.pk).state == MailState.DSN


@pytest.mark.parametrize(("text", "outage"), [
    ("database is locked", True),
    ("database table is locked", True),
    ("disk I/O error", True),
    ("unable to open database file", True),
    ("database or disk is full", True),
    ("string or blob too big", False),  # this message's data
    ("too many SQL variables", False),
])
def test_a_sqlite_error_is_an_outage_only_for_a_lock_or_the_disk(text: str,
                                                                outage: bool) -> None:
    """R4.1, R10.2: SQLite gives no SQLSTATE; only a lock, a busy or full disk is an outage,
    an error this message's data caused counts against it (never re-read silently)."""
    import sqlite3

    from vanban.mailgate.services.attempts import is_outage

    assert is_outage(_wrapped(sqlite3.OperationalError(text))) is outage
