"""The gateway's reader (R4.1, R10.2): every active clerk mailbox over IMAP, each unread message
judged and filed once, then marked read.

Messages are read in batches of :data:`BATCH`, each batch judged first and then filed in one
transaction (group commit, :func:`~vanban.mailgate.services.receive.mail_receive_many`). A
message is marked handled only after its row committed (one IMAP STORE per batch); a reader
stopped midway leaves the rest unread and the next pass reads them (a message filed but not
yet marked is found by its row and only marked). A message whose handling raises is left
unread and its failed passes counted; after ``VANBAN_MAIL_MAX_ATTEMPTS``, and at least
``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` after the first, it is kept in quarantine
(``internal_error``) and marked, so it is never re-read silently forever
(:mod:`~vanban.mailgate.services.attempts`). IDLE is used where the server offers it and one
mailbox is read; otherwise the gateway polls every ``VANBAN_MAIL_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from imap_tools import AND
from imap_tools.mailbox import BaseMailBox
from imap_tools.message import MailMessage as ImapMessage

from vanban.mailgate.services import checks, ports
from vanban.mailgate.services.attempts import (
    Key,
    attempt_failed,
    attempt_key,
    attempts_clear,
    attempts_give_up,
    is_outage,
)
from vanban.mailgate.services.receive import Outcome, Run, mail_receive_many

logger = logging.getLogger(__name__)
BATCH = 50


class RawMessage(ImapMessage):
    """A fetched message as its bytes: the gateway parses them itself, once."""

    def __init__(self, fetch_data: list[object]) -> None:
        raw, uid, flags = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid
        self._raw_flag_data = flags
        self.raw = bytes(raw)


@dataclass
class PassReport:
    """What one pass over one mailbox did."""

    mailbox: str
    read: int = 0
    filed: int = 0
    refused: int = 0
    duplicates: int = 0
    dsn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Count one message's outcome."""
        self.read += 1
        if outcome.duplicate:
            self.duplicates += 1
        elif outcome.message.state == "filed":
            self.filed += 1
        elif outcome.message.state == "dsn":
            self.dsn += 1
        else:
            self.refused += 1


# The gateway's own mark on a message it has handled (an IMAP keyword). Not \\Seen: a clerk who
# opens the official mailbox in a mail client marks messages read, and those must still be filed.
FILED = "$VanbanFiled"


def unread(box: BaseMailBox, batch: int = BATCH) -> Iterator[tuple[str, bytes]]:
    """(uid, raw bytes) of every message the gateway has not handled yet, fetched in bulk,
    leaving the read/unread state a person sees untouched."""
    box.email_message_class = RawMessage
    uids = box.uids(AND(no_keyword=FILED))
    for start in range(0, len(uids), batch):
        for message in box.fetch(AND(uid=uids[start:start + batch]), mark_seen=False,
                                 bulk=batch):
            if isinstance(message, RawMessage) and message.uid:
                yield message.uid, message.raw


def mailbox_pass(address: str, *,
                 after_each: Callable[[Outcome], None] | None = None) -> PassReport:
    """Read ``address`` once: judge and file every message not handled yet, mark it handled
    (:data:`FILED`) after its row committed, and count the pass as a check of the agency's
    inbox (R10.2).

    ``after_each`` is called after each message committed (before it is marked): tests
    stop the reader there to show a restart loses and repeats nothing.
    """
    report = PassReport(mailbox=address)
    run = Run.of(address)  # the agency, the limits, the key table: read once per pass
    with ports.imap_open(address) as box:
        checks.mail_check_record(address)
        pass_ = _Pass(box=box, address=address, run=run, report=report,
                      after_each=after_each)
        batch: list[tuple[str, bytes]] = []
        for uid, raw in unread(box):
            batch.append((uid, raw))
            if len(batch) >= BATCH:
                _handle(pass_, batch)
                batch = []
        if batch:
            _handle(pass_, batch)
    return report


@dataclass
class _Pass:
    """One pass over one mailbox: the open box, the run, the report, and the messages whose
    failure this pass counted."""

    box: BaseMailBox
    address: str
    run: Run
    report: PassReport
    after_each: Callable[[Outcome], None] | None = None
    counted: set[Key] = field(default_factory=set)  # failed this pass: counted once


def _handle(pass_: _Pass, batch: list[tuple[str, bytes]]) -> None:
    """Judge and file one batch (one transaction, :func:`mail_receive_many`), then mark what
    committed as handled with one STORE, even when ``after_each`` stops the pass midway. A
    batch that fails as a whole is left unread and reported; the pass reads the next one."""
    address, report = pass_.address, pass_.report
    handled: list[str] = []
    cleared: list[Key] = []
    try:
        outcomes: list[Outcome | Exception] = mail_receive_many(
            raws=[raw for _, raw in batch], mailbox=address, run=pass_.run)
    except Exception as err:  # the whole batch left unread: the pass goes on to the next
        logger.exception("mail gateway: a batch of %d from %s not handled", len(batch), address)
        if len(batch) > 1:  # a step shared by the batch failed: no one message's fault
            report.errors.extend(f"{uid}: {type(err).__name__}" for uid, _raw in batch)
            return
        outcomes = [err]  # a batch of one raises that message's own error
    try:
        for (uid, raw), found in zip(batch, outcomes, strict=True):
            outcome = _failed(pass_, uid, raw, found) if isinstance(found, Exception) \
                else found
            if outcome is None:  # left unread: the next pass
                continue
            cleared.append((outcome.message.message_id, outcome.message.body_sha256))
            if pass_.after_each is not None:
                pass_.after_each(outcome)
            handled.append(uid)
            report.add(outcome)
    finally:
        if handled:  # whatever committed is marked, even when the pass stops midway
            pass_.box.flag(handled, FILED, True)
        if cleared:  # handled: its failures, whoever counted them, are no longer counted
            _clear(address, cleared)


def _clear(address: str, keys: list[Key]) -> None:
    """Drop the attempts rows of every message the batch handled (one DELETE by keys), not
    only of those known to have failed: another gateway may have counted one after this pass
    began, or after it was kept. A failure here leaves a stale row that counts nothing (its
    message is marked and not read again): logged, never raised."""
    try:
        attempts_clear(address, keys)
    except Exception:
        logger.exception("mail gateway: attempts of %d messages of %s not cleared", len(keys),
                         address)


def _failed(pass_: _Pass, uid: str, raw: bytes, error: Exception) -> Outcome | None:
    """A message whose handling raised: an outage leaves it unread for the next pass; a fault
    of ours is logged and counted (once per pass, however many copies of it the mailbox
    holds), and once it is exhausted (``VANBAN_MAIL_MAX_ATTEMPTS``
    failed passes, the first at least ``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` ago) the message
    is kept in quarantine (``internal_error``) so the clerk sees it. None: left unread."""
    report = pass_.report
    if is_outage(error):
        report.errors.append(f"{uid}: {getattr(error, 'code', '') or type(error).__name__}")
        return None
    logger.error("mail gateway: message %s of %s not handled: %r", uid, pass_.address, error)
    outcome = None
    try:
        key = attempt_key(raw)
        if key in pass_.counted:  # a copy of a message counted this pass: once per pass
            report.errors.append(f"{uid}: {type(error).__name__}")
            return None
        pass_.counted.add(key)
        failure = attempt_failed(mailbox=pass_.address, raw=raw, error=error)
        if failure.exhausted:
            outcome = attempts_give_up(raw=raw, error=error, attempts=failure.attempts,
                                       run=pass_.run)
    except Exception:  # counting or keeping failed too: left unread, tried next pass
        logger.exception("mail gateway: message %s of %s could not be counted or kept", uid,
                         pass_.address)
    if outcome is None:
        report.errors.append(f"{uid}: {type(error).__name__}")
    return outcome


def gateway_pass() -> list[PassReport]:
    """One pass over every active clerk mailbox; a mailbox that cannot be read is reported
    and the others are still read."""
    reports = []
    for address in ports.clerk_addresses():
        try:
            reports.append(mailbox_pass(address))
        except Exception as err:
            logger.warning("mail gateway: cannot read %s: %s", address, err)
            reports.append(PassReport(mailbox=address, errors=[f"{type(err).__name__}: {err}"]))
    return reports


def poll_seconds() -> float:
    """Seconds between passes (``VANBAN_MAIL_POLL_SECONDS``, 60)."""
    return float(getattr(settings, "VANBAN_MAIL_POLL_SECONDS", 60))


def wait_for_mail(addresses: list[str], seconds: float) -> None:
    """Sleep until the next pass: IDLE on the one mailbox when the server offers it (a new
    message ends the wait at once), else a plain sleep."""
    if len(addresses) == 1:
        try:
            with ports.imap_open(addresses[0]) as box:
                if "IDLE" in box.client.capabilities:
                    box.idle.wait(timeout=max(int(seconds), 1))
                    return
        except Exception as err:
            logger.info("mail gateway: no IDLE (%s)", err)
    time.sleep(seconds)
