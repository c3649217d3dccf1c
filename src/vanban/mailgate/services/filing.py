"""Committing filings (R4.1): the files of prepared messages first, then one transaction
holding a savepoint per filing, so one failing message leaves the others filed and nothing is
reported filed before its rows committed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import IntegrityError, transaction

from vanban.exchange.arrivals_batch import arrival_store, blob_files_put, blob_rows_put
from vanban.mailgate.core.judge import Reason
from vanban.mailgate.models import MailState
from vanban.mailgate.services.judging import Judged, Ready, Run, filing_prepare, mail_facts
from vanban.mailgate.services.rows import Outcome, handled_before, message_row
from vanban.signatures.verification.mail import MailExamined, mail_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filed:
    """The records of a filed message."""

    verification_id: int
    transmission_id: int


def file_judged(raw: bytes, judged: Judged, run: Run) -> Filed | list[Reason]:
    """Intake (once: its verdict goes along to the arrival port), verification, the arrival
    port; the reasons instead when the intake or the port refuses the message. The records
    are written in one transaction (:func:`filings_commit`); raises what kept them from it."""
    found = filing_prepare(raw, judged, run)
    if not isinstance(found, Ready):
        return found
    filed = filings_commit([found], run, file_rows)[0]
    if isinstance(filed, Exception):
        raise filed
    return filed


def file_rows(ready: Ready, run: Run, made: dict[tuple[str, int], int]) -> Filed:
    """The records of one filing, in the caller's transaction: the verification (unless
    stored), the arrival's rows (unless stored). ``made``: verdicts stored in this
    transaction, by (SHA-256, sender), for the pass to reuse once it commits. A record an
    earlier transaction of the pass committed (``run.verdicts``) wins over the verdict
    reached before it: inserting that verdict again would fail on the unique constraint."""
    sender = ready.item.arrival.sender
    key = (ready.main.sha256, sender.pk)
    known = made.get(key, run.verdicts.get(key))
    verdict = known if isinstance(known, int) else ready.verdict
    if isinstance(verdict, MailExamined):
        verdict = mail_record(verdict, sender, new=key in run.looked,
                              facts=mail_facts(ready.judged, run)).pk
        made[key] = verdict
    if ready.stored is not None:
        return Filed(verification_id=verdict, transmission_id=ready.stored.transmission.pk)
    result = arrival_store(ready.item, verification_id=verdict,
                           verified_sha256=ready.main.sha256)
    return Filed(verification_id=verdict, transmission_id=result.transmission.pk)


class BatchBroken(RuntimeError):
    """The batch's transaction can no longer commit (a savepoint could not be rolled back,
    or the connection is gone): it is rolled back, nothing in it is reported filed, and the
    one fallback (``receive._each_alone``) files every message of it on its own."""


def _broken() -> bool:
    """Whether the current transaction is doomed: Django rolls back an atomic block marked
    ``needs_rollback`` without raising, so filing on in it would report rows never stored."""
    connection = transaction.get_connection()
    return bool(connection.needs_rollback or connection.closed_in_transaction
                or connection.connection is None or not connection.is_usable())


Written = TypeVar("Written")


def filings_commit(ready: Sequence[Ready], run: Run,
            write: Callable[[Ready, Run, dict[tuple[str, int], int]], Written]
            ) -> list[Written | Exception]:
    """Commit prepared filings, the one way the gateway does: their files first (durable
    before any row), then one transaction holding the blob rows and a savepoint per filing in
    which ``write`` writes its records. Each result, or the error that rolled back that
    filing alone, is returned only once the transaction committed, and the verdicts stored in
    it are kept for the pass only then (a verdict stored in a savepoint rolled back is
    forgotten). Raises, nothing reported, when the files fail or the transaction can no
    longer commit."""
    blobs = [b for r in ready for b in r.blobs()]
    blob_files_put(blobs)
    out: list[Written | Exception] = []
    made: dict[tuple[str, int], int] = {}
    with transaction.atomic():
        blob_rows_put(blobs)
        for item in ready:
            before = dict(made)
            try:
                with transaction.atomic():
                    out.append(write(item, run, made))
            except Exception as err:  # this filing only: rolled back to its savepoint
                if _broken():
                    raise BatchBroken(f"message {item.judged.message_id[:100]}: {err!r}"
                                      ) from err
                made.clear()
                made.update(before)  # a verdict stored in the savepoint is gone too
                verdict_forget(item, run)
                logger.warning("mail gateway: %s not filed: %s",
                               item.judged.message_id[:100], err)
                out.append(err)
        if _broken():  # leaving the block would roll it back without a word
            raise BatchBroken("the transaction cannot commit")
    run.verdicts.update(made)
    return out


def verdict_forget(item: Ready, run: Run) -> None:
    """After a failed filing, look its verdict up again rather than insert it blindly: a
    record stored meanwhile (a rejudge, an import) must not fail every later message with
    these bytes."""
    sender = item.item.arrival.sender
    run.looked.discard((item.main.sha256, sender.pk))


def resolved(ready: Ready, run: Run, outcome: Outcome | Exception) -> Outcome | Exception:
    """A message whose rows a concurrent pass wrote first is that pass's (a duplicate)."""
    if not isinstance(outcome, IntegrityError):
        return outcome
    return handled_before(run.recipient.mailbox, ready.judged.message_id,
                           ready.judged.mail) or outcome


def file_one(ready: Ready, run: Run, made: dict[tuple[str, int], int]) -> Outcome:
    """One message's records and its row, in the caller's transaction."""
    filed = file_rows(ready, run, made)
    judged = ready.judged
    return message_row(judged.mail, judged.message_id, run.recipient,
                raw_sha256=ready.item.raw_sha256, state=MailState.FILED, dkim=judged.dkim,
                sender=judged.sender, verification_id=filed.verification_id,
                transmission_id=filed.transmission_id)
