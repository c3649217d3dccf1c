"""Receiving messages (R4.1, R3.1, R16.1): what the gateway does with every message it reads,
and what ``vanban mail import`` does with one file. A batch is parsed, judged and prepared
(:mod:`.judging`), refusals kept at once (:mod:`.rows`), and the rest filed together
(:mod:`.filing`).

Once per message: the (mailbox, Message-ID, body SHA-256) row is written only after the
filing committed, and the arrival port is idempotent on the same key, so a gateway stopped at
any point files nothing twice and loses nothing when it reads the mailbox again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from vanban.exchange.arrivals_batch import arrivals_stored
from vanban.mailgate.core.judge import max_message_bytes, too_large
from vanban.mailgate.core.message import ParsedMail, parse_message
from vanban.mailgate.models import MailMessage, MailState
from vanban.mailgate.services import ports
from vanban.mailgate.services.filing import (
    BatchBroken,
    Filed,
    file_judged,
    file_one,
    filings_commit,
    resolved,
    verdict_forget,
)
from vanban.mailgate.services.judging import (
    Judged,
    Ready,
    Run,
    UnknownMailbox,
    filing_prepare,
    judge,
    max_attachment_bytes,
    message_key,
    pdf_keys,
    receiving_agency,
    verdicts_read,
)
from vanban.mailgate.services.rows import (
    Outcome,
    attachment_rows,
    handled_before,
    message_keep,
)

logger = logging.getLogger(__name__)


def mail_receive(*, raw: bytes, mailbox: str, run: Run | None = None) -> Outcome:
    """Judge ``raw`` read from ``mailbox`` and file it or keep it in quarantine, once.

    Raises :class:`UnknownMailbox` for a mailbox of no agency and
    :class:`~vanban.security.errors.ScannerUnavailable` when the scanner is down (nothing is
    recorded: the message is read again on the next pass). ``run``: the pass it belongs to.
    """
    found = mail_receive_many(raws=[raw], mailbox=mailbox, run=run)[0]
    if isinstance(found, Exception):
        raise found
    return found


def mail_receive_many(*, raws: Sequence[bytes], mailbox: str, run: Run | None = None
                      ) -> list[Outcome | Exception]:
    """:func:`mail_receive` for a batch of messages read together, in order: each outcome,
    or the error that left that message unhandled (it is read again on the next pass).

    Group commit: every message is read, judged and examined first, outside any
    transaction (a refusal is kept in quarantine at once, as one message would be); the files
    of the messages to file are written together; then all of them are filed in one
    transaction (each in a savepoint, so one failing message leaves the others filed).

    One fallback: if a step shared by the batch fails (looking up the rows, verdicts or
    arrivals stored, writing the files, or the transaction as a whole), each message not yet
    done is taken on alone from where it stood (:func:`_each_alone`): what the batch did
    for it stays done (a refusal kept, a message judged and examined is not judged again),
    and a message that fails alone keeps its own error. Once per message holds as for one:
    a message's rows commit together or not at all, and a message is reported filed only
    after its rows committed.
    """
    run = run or Run.of(mailbox)
    messages = [_Message(raw=raw, oversize=len(raw) > max_message_bytes(run.limit))
                for raw in raws]
    try:
        _handle(messages, run)
    except Exception:
        if len(messages) == 1:  # the batch's error is the message's own
            _forget(messages[0], run)
            raise
        logger.exception("mail gateway: a batch of %d could not be handled together; "
                         "handling each on its own", len(messages))
        _each_alone(messages, run)
    return [m.done if m.done is not None else _unhandled(m.message_id) for m in messages]


@dataclass(eq=False)
class _Message:
    """One message of a batch and how far it got: parsed, ready to file (judged, through the
    intake, its verdict reached), done (an outcome, or the error that left it unhandled)."""

    raw: bytes
    oversize: bool
    mail: ParsedMail | None = None
    ready: Ready | None = None
    done: Outcome | Exception | None = None

    @property
    def message_id(self) -> str:
        """The Message-ID, or one made of the body's hash when the message has none."""
        if self.mail is None:
            return "?"
        return self.mail.filed_id


def _each_alone(messages: Sequence[_Message], run: Run) -> None:
    """The batch's one fallback: every message not done taken on as a batch of one, so a
    step that fails for one message fails only that message."""
    for message in messages:
        if message.done is not None:
            continue
        try:
            _handle([message], run)
        except Exception as err:  # this message only: read again on the next pass
            _forget(message, run)
            message.done = err


def _forget(message: _Message, run: Run) -> None:
    """A message left unhandled after it got its verdict: the pass looks that verdict up
    again (:func:`verdict_forget`) rather than insert it blindly for a later message with
    these bytes, since a record may be stored meanwhile."""
    if message.ready is not None:
        verdict_forget(message.ready, run)


def _handle(messages: Sequence[_Message], run: Run) -> None:
    """Take ``messages`` as far as they go together, each from where it stands: parse, look
    up the rows and verdicts stored (one query each), judge and prepare, then file the ready
    ones together (:func:`_file`). Sets ``done`` on every message it finishes; raises when a
    step shared by them fails, leaving what it did in place."""
    address = run.recipient.mailbox.lower()
    fresh: list[tuple[_Message, ParsedMail]] = []
    for message in messages:
        if message.done is not None or message.ready is not None:
            continue
        if message.mail is None:
            try:
                message.mail = parse_message(message.raw, headers_only=message.oversize)
            except Exception as err:  # this message only: left unread
                message.done = err
                continue
        fresh.append((message, message.mail))
    existing = {(m.message_id, m.body_sha256): m for m in MailMessage.objects.filter(
        mailbox=address, message_id__in={m.message_id for m, _ in fresh})} if fresh else {}
    verdicts_read(pdf_keys([mail for m, mail in fresh if not m.oversize], run), run)
    later: list[tuple[_Message, ParsedMail, _Message]] = []  # a second copy: after the first
    seen: dict[tuple[str, str], _Message] = {}
    for message, mail in fresh:
        key = (message.message_id, mail.body_sha256)
        if key in existing:
            message.done = Outcome(message=existing[key], duplicate=True)
        elif key in seen:
            later.append((message, mail, seen[key]))
        else:
            seen[key] = message
            try:
                found = _prepare(message.raw, message.oversize, mail, message.message_id, run)
            except Exception as err:  # ScannerUnavailable or a fault of ours: left unread
                message.done = err
                continue
            if isinstance(found, Ready):
                message.ready = found
            else:
                message.done = found
    _file([m for m in messages if m.ready is not None and m.done is None], run)
    for message, mail, first in later:
        message.done = handled_before(address, message.message_id, mail) \
            or _copy_error(first, message.message_id)


def _file(messages: Sequence[_Message], run: Run) -> None:
    """File the ready ``messages`` together (:func:`filings_commit`), after one query for the
    arrivals already stored; a message whose rows a concurrent pass wrote first is that
    pass's duplicate."""
    ready = [m.ready for m in messages if m.ready is not None]
    if not ready:
        return
    stored = arrivals_stored([r.item.arrival for r in ready])  # one query, not one each
    ready = [replace(r, stored=stored.get(r.item.arrival.message_key)) for r in ready]
    for message, item, outcome in zip(messages, ready, filings_commit(ready, run, file_one),
                                      strict=True):
        message.done = resolved(item, run, outcome)


def _copy_error(first: _Message, message_id: str) -> Exception:
    """Why a second copy is left unhandled: its first copy's error (the scanner down stays an
    outage for both, never counted against the copy), else the copy's own."""
    return first.done if isinstance(first.done, Exception) else _unhandled(message_id)


def _unhandled(message_id: str) -> Exception:
    return RuntimeError(f"message {message_id[:100]} was not handled")


def _prepare(raw: bytes, oversize: bool, mail: ParsedMail, message_id: str,
             run: Run) -> Outcome | Ready:
    """One message up to its filing: a refusal, a DSN or an oversize message is kept at
    once; a message to file comes back :class:`Ready`."""
    recipient = run.recipient
    if oversize:
        return message_keep(raw, mail, message_id, recipient,
                     reasons=too_large(mail, max_attachment_bytes=run.limit))
    if mail.dsn:
        ports.dsn_handle(raw, mailbox=recipient.mailbox.lower())
        return message_keep(raw, mail, message_id, recipient, state=MailState.DSN)
    judged = judge(raw, mail, message_id, run)
    found = filing_prepare(raw, judged, run, lookup=False) if not judged.reasons \
        else judged.reasons
    if isinstance(found, Ready):
        return found
    return message_keep(raw, mail, message_id, recipient, reasons=found, dkim=judged.dkim,
                 sender=judged.sender)


__all__ = ["BatchBroken", "Filed", "Judged", "Outcome", "Ready", "Run", "UnknownMailbox",
           "attachment_rows", "file_judged", "filing_prepare", "judge", "mail_receive",
           "mail_receive_many", "max_attachment_bytes", "message_key", "receiving_agency"]
