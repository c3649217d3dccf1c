"""A batch of messages that fails part way (R4.1): nothing is reported filed that did not
commit, a step shared by the batch that fails leaves each message to be filed on its own,
and the reader goes on to the next batch. Faults are injected where the database or the file
system would fail; everything else is the real gateway."""

from __future__ import annotations

import errno
import os
import resource
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import DatabaseError, connection

from vanban.exchange import arrivals_batch
from vanban.exchange.tests.conftest import make_pdf
from vanban.mailgate import reader
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import filing, judging, receive
from vanban.mailgate.services.receive import Outcome, Run, mail_receive_many
from vanban.mailgate.tests.conftest import RECIPIENT_MAILBOX, SENDER_MAILBOX, Live, Road
from vanban.mailgate.tests.messages import build
from vanban.security.intake import intake_files
from vanban.signatures.models import Verification
from vanban.storage.models import Blob

pytestmark = pytest.mark.django_db(transaction=True)


def _message(road: Road, subject: str, pdf: bytes) -> bytes:
    return road.mail(build(sender=SENDER_MAILBOX, to=RECIPIENT_MAILBOX, subject=subject,
                           files=[("cv.pdf", pdf)]))


def _filed_and_stored(outcomes: Sequence[Outcome | Exception]) -> list[bool]:
    """For each outcome: reported filed, and its row really committed."""
    return [isinstance(o, Outcome) and o.filed
            and MailMessage.objects.filter(pk=o.message.pk, state=MailState.FILED).exists()
            for o in outcomes]


def _files_fail_for_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the files of more than one message at once fails (too many open files)."""
    real = arrivals_batch.blob_files_put

    def too_many_at_once(items: Any) -> None:
        items = list(items)
        if len(items) > 2:  # more than one message's files (a PDF and the raw message)
            raise OSError(errno.EMFILE, "Too many open files")
        real(items)

    monkeypatch.setattr(filing, "blob_files_put", too_many_at_once)


def test_a_savepoint_that_cannot_roll_back_files_nothing_silently(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: when a message's savepoint cannot be rolled back (the connection broke), the
    batch's transaction is doomed; the messages filed before it in the batch are not reported
    filed on rows rolled back, but filed again one by one, and the pass keeps only verdicts
    that committed."""
    first = _message(road, "Thứ nhất", scan)
    second = _message(road, "Thứ hai", make_pdf("Cong van khac"))
    real = filing.file_one
    calls = {"n": 0}

    def breaks_on_the_second(item: Any, run: Run, made: dict[tuple[str, int], int]
                             ) -> Outcome:
        calls["n"] += 1
        if calls["n"] == 2:  # the connection breaks inside the second message's savepoint
            def cannot(sid: str) -> None:
                raise DatabaseError("server closed the connection unexpectedly")
            monkeypatch.setattr(connection, "savepoint_rollback", cannot)
            raise DatabaseError("server closed the connection unexpectedly")
        return real(item, run, made)

    monkeypatch.setattr(receive, "file_one", breaks_on_the_second)
    run = Run.of(RECIPIENT_MAILBOX)
    outcomes = mail_receive_many(raws=[first, second], mailbox=RECIPIENT_MAILBOX, run=run)
    monkeypatch.undo()
    assert _filed_and_stored(outcomes) == [True, True], outcomes
    assert MailMessage.objects.filter(state=MailState.FILED).count() == 2
    stored = {v for v in run.verdicts.values() if isinstance(v, int)}
    assert stored, run.verdicts
    assert set(Verification.objects.filter(pk__in=stored).values_list("pk", flat=True)) \
        == stored


def test_a_batch_whose_files_cannot_be_written_files_each_on_its_own(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: the batch's files failing together (too many open files) does not stop the
    mailbox: each message is filed on its own."""
    raws = [_message(road, f"Văn bản {n}", make_pdf(f"Cong van {n}")) for n in range(3)]
    alone = receive._each_alone
    fell_back: list[int] = []

    def one_by_one(messages: Any, run: Any) -> None:
        fell_back.append(sum(m.done is None for m in messages))
        alone(messages, run)

    intakes: list[int] = []

    def counted(**kwargs: Any) -> Any:
        intakes.append(1)
        return intake_files(**kwargs)

    _files_fail_for_the_batch(monkeypatch)
    monkeypatch.setattr(receive, "_each_alone", one_by_one)
    monkeypatch.setattr(judging, "intake_files", counted)
    outcomes = mail_receive_many(raws=raws, mailbox=RECIPIENT_MAILBOX)
    assert _filed_and_stored(outcomes) == [True, True, True], outcomes
    assert fell_back == [3]  # the one fallback took on the three messages left undone
    assert len(intakes) == 3  # from where they stood: judged and through the intake once


def test_a_shared_lookup_that_fails_leaves_each_message_its_own_error(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: the batch's one lookup of stored arrivals failing is not the batch's end: each
    message is handled alone, one that still fails keeps its own error."""
    good = _message(road, "Tốt", scan)
    bad = _message(road, "Hỏng", make_pdf("Cong van hong"))
    real = arrivals_batch.arrivals_stored

    def fails_for_many_or_the_bad(arrivals: Any) -> Any:
        if len(arrivals) > 1 or any(a.header.subject == "Hỏng" for a in arrivals):
            raise DatabaseError("lookup failed")
        return real(arrivals)

    monkeypatch.setattr(receive, "arrivals_stored", fails_for_many_or_the_bad)
    outcomes = mail_receive_many(raws=[good, bad], mailbox=RECIPIENT_MAILBOX)
    assert _filed_and_stored(outcomes[:1]) == [True]
    assert isinstance(outcomes[1], DatabaseError)


def test_a_batch_of_many_files_keeps_few_descriptors_open(tmp_path: Any) -> None:
    """R4.1: a batch's files are written with at most a few dozen descriptors open, so fifty
    messages of twenty attachments do not exhaust the process's limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_now = len(os.listdir("/proc/self/fd"))
    files = [(f"tep {n}".encode() * 50, "application/pdf") for n in range(300)]
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + arrivals_batch.FILES_OPEN + 30, hard))
    try:
        arrivals_batch.blob_files_put(files)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    from django.core.files.storage import storages

    from vanban.storage.models import blob_path

    storage = storages["default"]
    import hashlib

    assert all(storage.exists(blob_path(hashlib.sha256(d).hexdigest())) for d, _ in files)
    assert not Blob.objects.exists()  # files first; the rows are the transaction's


class Fault(RuntimeError):
    """A batch that fails as a whole."""


def test_the_reader_goes_on_after_a_failed_batch(live: Live,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a batch that fails as a whole is reported and left unread; the pass reads the
    next batch instead of stopping the mailbox."""
    road = live.road
    for n in range(3):
        live.deliver(road.mail(build(sender=road.sender_address, to=road.recipient_address,
                                     subject=f"Văn bản {n}", files=[("cv.pdf",
                                                                     make_pdf(f"CV {n}"))])))
    monkeypatch.setattr(reader, "BATCH", 1)
    real = receive.mail_receive_many
    calls = {"n": 0}

    def first_fails(**kwargs: Any) -> list[Outcome | Exception]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise Fault("the batch failed")
        return real(**kwargs)

    monkeypatch.setattr(reader, "mail_receive_many", first_fails)
    report = reader.mailbox_pass(road.recipient_address)
    assert (report.read, report.filed, len(report.errors)) == (2, 2, 1), report
    monkeypatch.undo()
    again = reader.mailbox_pass(road.recipient_address)
    assert (again.read, again.filed) == (1, 1)


def test_a_verdict_rolled_back_is_kept_and_names_the_message_filed(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: two messages of a batch carry the same PDF; the first one's filing is rolled
    back after its verdict was stored. The verdict stays in the examined cache (it was never
    stored), and the record the second message stores names the second message, not the
    first."""
    from vanban.signatures.verification import mail as mail_verification

    first = _message(road, "Thứ nhất", scan)
    second = _message(road, "Thứ hai", scan)
    real = filing.file_one
    calls = {"n": 0}

    def first_rolls_back(item: Any, run: Run, made: dict[tuple[str, int], int]) -> Outcome:
        calls["n"] += 1
        outcome = real(item, run, made)
        if calls["n"] == 1:
            raise DatabaseError("the first message's last write failed")
        return outcome

    mail_verification._examined.clear()
    monkeypatch.setattr(receive, "file_one", first_rolls_back)
    outcomes = mail_receive_many(raws=[first, second], mailbox=RECIPIENT_MAILBOX)
    monkeypatch.undo()
    assert isinstance(outcomes[0], DatabaseError)
    assert _filed_and_stored(outcomes[1:]) == [True]
    done = outcomes[1]
    assert isinstance(done, Outcome)
    record = Verification.objects.get(path="mail")
    assert record.mail_message_id == done.message.message_id
    # stored and committed: the cache no longer holds it
    assert not mail_verification._examined
    again = mail_receive_many(raws=[first], mailbox=RECIPIENT_MAILBOX)
    assert _filed_and_stored(again) == [True]
    assert Verification.objects.filter(path="mail").count() == 1


def test_a_verdict_in_a_transaction_rolled_back_stays_cached(
        road: Road, scan: bytes) -> None:
    """R4.1: a verdict whose record was rolled back is still the message's verdict when its
    filing is tried again (examined once per message)."""
    from django.db import transaction

    from vanban.core import clock
    from vanban.signatures.verification.mail import MailFacts, mail_examine, mail_record
    from vanban.storage.services import blob_put

    facts = MailFacts(message_id="<lui@snv>", mail_from=SENDER_MAILBOX,
                      received_at=clock.now(), dkim="pass d=snv s=tinh2026")
    found = mail_examine(data=scan, sender=road.sender, facts=facts)
    blob_put(data=scan, content_type=found.content_type)

    class Undone(Exception):
        """The filing's transaction rolled back after the record was written."""

    def filing_undone() -> None:
        with transaction.atomic():
            mail_record(found, road.sender)
            raise Undone

    with pytest.raises(Undone):
        filing_undone()
    assert not Verification.objects.filter(path="mail").exists()
    assert mail_examine(data=scan, sender=road.sender, facts=facts) is found


def test_a_record_stored_between_batches_does_not_fail_later_messages(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a message of the first batch is not filed; before the next batch a record of the
    same PDF is stored (a rejudge, an import). A later message with those bytes in the same
    pass is filed under that record instead of failing on the unique constraint."""
    run = Run.of(RECIPIENT_MAILBOX)
    first = _message(road, "Thứ nhất", scan)

    def fails(item: Any, run: Run, made: dict[tuple[str, int], int]) -> Outcome:
        raise DatabaseError("the first message's filing failed")

    monkeypatch.setattr(receive, "file_one", fails)
    assert isinstance(mail_receive_many(raws=[first], mailbox=RECIPIENT_MAILBOX, run=run)[0],
                      DatabaseError)
    monkeypatch.undo()
    _a_later_copy_files_under_a_record_stored_meanwhile(road, scan, run)


def test_the_same_scan_twice_in_a_failed_batch_is_filed_twice_on_one_record(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: two messages of a batch carry the same scan from the same sender and the batch's
    files fail together. In the fallback the first stores the verdict's record; the second
    is filed under that committed record instead of inserting it again and failing on the
    unique constraint."""
    first = _message(road, "Thứ nhất", scan)
    second = _message(road, "Thứ hai", scan)
    _files_fail_for_the_batch(monkeypatch)
    outcomes = mail_receive_many(raws=[first, second], mailbox=RECIPIENT_MAILBOX)
    monkeypatch.undo()
    assert _filed_and_stored(outcomes) == [True, True], outcomes
    record = Verification.objects.get(path="mail")
    assert [o.message.verification_id for o in outcomes if isinstance(o, Outcome)] \
        == [record.pk, record.pk]


def test_a_lone_message_whose_batch_fails_lets_the_pass_look_its_verdict_up_again(
        road: Road, scan: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """R4.1: a batch of one message fails as a whole (its files cannot be written) after its
    verdict was reached; before the next batch a record of the same PDF is stored (a rejudge,
    an import). A later message with those bytes in the same pass is filed under that record
    instead of inserting the verdict again and failing on the unique constraint."""
    run = Run.of(RECIPIENT_MAILBOX)
    first = _message(road, "Thứ nhất", scan)

    def no_files(items: Any) -> None:
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(filing, "blob_files_put", no_files)
    with pytest.raises(OSError, match="Too many open files"):
        mail_receive_many(raws=[first], mailbox=RECIPIENT_MAILBOX, run=run)
    monkeypatch.undo()
    assert not Verification.objects.filter(path="mail").exists()
    _a_later_copy_files_under_a_record_stored_meanwhile(road, scan, run)


def _a_later_copy_files_under_a_record_stored_meanwhile(road: Road, scan: bytes,
                                                        run: Run) -> None:
    """A record of ``scan`` is stored outside the pass (a rejudge, an import); a later message
    of the same pass with those bytes is filed under it, not inserting the verdict again."""
    from django.db import transaction

    from vanban.core import clock
    from vanban.signatures.verification.mail import MailFacts, mail_examine, mail_record
    from vanban.storage.services import blob_put

    found = mail_examine(data=scan, sender=road.sender, facts=MailFacts(
        message_id="<nhap@snv>", mail_from=SENDER_MAILBOX, received_at=clock.now(),
        dkim="pass d=snv s=tinh2026"))
    blob_put(data=scan, content_type=found.content_type)  # files before rows
    with transaction.atomic():
        stored = mail_record(found, road.sender)
    later = _message(road, "Thứ hai", scan)
    outcomes = mail_receive_many(raws=[later], mailbox=RECIPIENT_MAILBOX, run=run)
    assert _filed_and_stored(outcomes) == [True], outcomes
    done = outcomes[0]
    assert isinstance(done, Outcome)
    assert done.message.verification_id == stored.pk
