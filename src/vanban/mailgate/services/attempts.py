"""A message the gateway cannot handle is never re-read silently forever (R4.1, R10.2).

When handling a message raises (a fault of ours, say a library raising on odd input), nothing
of it is recorded and it stays unread, so the next pass tries again. Each failed pass is
counted here, in its own transaction; after ``VANBAN_MAIL_MAX_ATTEMPTS`` (3) failed passes,
and no sooner than ``VANBAN_MAIL_FAILURE_GRACE_SECONDS`` (1800) after the first, the message
is kept in quarantine like any refused message, with the reason ``internal_error``, so the
clerk sees it, and "Xét lại" files it once the fault is fixed. An outage (the scanner, the
database connection, the storage failing) is not the message's fault and is never counted,
nor is an error raised from one; the grace keeps an outage raising some other error (three
passes are three minutes at the default polling) from quarantining every waiting message.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q

from vanban.core import clock
from vanban.mailgate.core.judge import reason
from vanban.mailgate.core.message import ParsedMail, parse_message
from vanban.mailgate.models import MailAttempt
from vanban.mailgate.services.judging import Run
from vanban.mailgate.services.rows import Outcome, message_keep
from vanban.security.errors import ScannerUnavailable

logger = logging.getLogger(__name__)
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_GRACE_SECONDS = 1800
OUTAGES = (ScannerUnavailable, InterfaceError)
# SQLSTATE classes of an outage: connection, transaction rollback (serialization, deadlock),
# insufficient resources, operator intervention (shutdown). Any other OperationalError with a
# SQLSTATE is about this message (a row too big, a statement timeout) and counts.
OUTAGE_SQLSTATES = ("08", "40", "53", "57P")
SQLITE_OUTAGES = ("locked", "busy", "disk i/o", "unable to open", "disk is full")
Key = tuple[str, str]  # (Message-ID, body SHA-256)


def max_attempts() -> int:
    """Failed passes before a message is kept in quarantine (``VANBAN_MAIL_MAX_ATTEMPTS``)."""
    return max(int(getattr(settings, "VANBAN_MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)), 1)


def failure_grace() -> timedelta:
    """Least time from a message's first failed pass to its quarantine
    (``VANBAN_MAIL_FAILURE_GRACE_SECONDS``): a fault that lasts less is waited out."""
    seconds = float(getattr(settings, "VANBAN_MAIL_FAILURE_GRACE_SECONDS",
                            DEFAULT_GRACE_SECONDS))
    return timedelta(seconds=max(seconds, 0))


class Failure(NamedTuple):
    """One failed pass counted: the message's key, its failed passes so far, and whether it
    is now to be kept in quarantine (enough passes, over at least the grace)."""

    key: Key
    attempts: int
    exhausted: bool


def _chain(error: BaseException) -> list[BaseException]:
    """``error`` and the errors it was raised from or while handling (``__cause__``, else
    ``__context__`` unless suppressed), each once."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not e for e in seen):
        seen.append(current)
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)
    return seen


def _outage_itself(error: BaseException) -> bool:
    """Whether ``error`` by itself is a temporary outage. An OSError carrying an errno is a
    system call of ours failing (disk full, too many open files, a connection refused), not
    the message's fault; one without (a library's own, such as an unreadable image) counts."""
    if isinstance(error, OSError):
        return error.errno is not None
    if isinstance(error, OperationalError):
        state = _sqlstate(error)
        if state is not None:
            return state.startswith(OUTAGE_SQLSTATES)
        if any(isinstance(e, sqlite3.Error) for e in _chain(error)):
            # SQLite has no SQLSTATE: a lock, a busy or full disk is an outage; "string or
            # blob too big" and the like are this message's and count.
            return any(word in str(error).lower() for word in SQLITE_OUTAGES)
        return True  # a driver's error without one: the connection lost
    return isinstance(error, OUTAGES)


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a database error, from the driver's error it wraps; None where there
    is none (SQLite's "database is locked", a connection the driver lost), an outage."""
    for cause in _chain(error):
        state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(state, str) and state:
            return state
    return None


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` is a temporary outage rather than a fault with this message: itself
    or any error it wraps (a lost connection surfaces as ``BatchBroken`` from the
    OperationalError that doomed the filing transaction)."""
    return any(_outage_itself(e) for e in _chain(error))


def _read(raw: bytes) -> tuple[ParsedMail, str]:
    """The message's facts and the Message-ID the gateway keys it by, however broken it is
    (the reading never raises: whatever it cannot read is a defect)."""
    mail = parse_message(raw)
    return mail, mail.filed_id[:300]


def error_text(error: BaseException) -> str:
    """The error as stored: its type and message, each character that is not printable (a NUL
    byte PostgreSQL refuses in text, a line break, an escape echoed from the message) as a
    space, so storing it never fails and the count goes on."""
    text = f"{type(error).__name__}: {error}"
    return "".join(c if c.isprintable() else " " for c in text)[:500]


def attempt_key(raw: bytes) -> Key:
    """The key ``raw`` is counted under: its copies share it, and a pass counts it once."""
    mail, message_id = _read(raw)
    return message_id, mail.body_sha256


def attempt_failed(*, mailbox: str, raw: bytes, error: BaseException) -> Failure:
    """Count one failed pass over ``raw``, in its own transaction. Exhausted once it failed
    :func:`max_attempts` passes and :func:`failure_grace` has passed since the first."""
    mail, message_id = _read(raw)
    now = clock.now()
    text = error_text(error)
    with transaction.atomic():
        row, created = MailAttempt.objects.select_for_update().get_or_create(
            mailbox=mailbox.lower(), message_id=message_id, body_sha256=mail.body_sha256,
            defaults={"attempts": 1, "first_at": now, "last_at": now, "error": text})
        if not created:
            row.attempts += 1
            row.last_at = now
            row.error = text
            row.save(update_fields=["attempts", "last_at", "error"])
    exhausted = row.attempts >= max_attempts() and now - row.first_at >= failure_grace()
    return Failure((message_id, mail.body_sha256), row.attempts, exhausted)


def attempts_give_up(*, raw: bytes, error: BaseException, attempts: int, run: Run) -> Outcome:
    """Keep ``raw`` in quarantine with the reason ``internal_error`` (its raw blob, its row,
    its audit event, as any refused message) and drop its attempts row."""
    mail, message_id = _read(raw)
    found = reason("internal_error", type(error).__name__, limit=str(attempts))
    outcome = message_keep(raw, mail, message_id, run.recipient, reasons=[found])
    attempts_clear(run.recipient.mailbox, [(message_id, mail.body_sha256)])
    logger.error("mail gateway: %s of %s kept in quarantine after %d failed passes: %s",
                 message_id[:100], run.recipient.mailbox, attempts, type(error).__name__)
    return outcome


def attempts_clear(mailbox: str, keys: Iterable[Key]) -> None:
    """Drop the attempts rows of messages now handled."""
    query = Q()
    for message_id, body in keys:
        query |= Q(message_id=message_id, body_sha256=body)
    if query:
        MailAttempt.objects.filter(query, mailbox=mailbox.lower()).delete()
