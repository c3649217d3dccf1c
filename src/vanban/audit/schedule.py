"""Seals on a schedule (R14.3): by count, by time, and when a process ends cleanly.

A seal signs the chain head; rows after the last seal are what a person with database access
could rewrite unnoticed, so that tail is kept short:

* **count**: every ``VANBAN_AUDIT_SEAL_EVERY``-th event is sealed by its own append
  (:func:`vanban.audit.services.audit_appended`);
* **time**: once ``VANBAN_AUDIT_SEAL_SECONDS`` have passed since this process last sealed and it
  appends again, the head is sealed after that commit; a timer thread does it for a process
  that went quiet, and ``vanban audit checkpoint tick`` (cron, systemd timer) for an
  installation whose processes ended without a clean exit;
* **exit**: a process that appended events seals the head when it ends (``atexit``; SIGTERM is
  turned into a clean exit where nobody else handles it).

The same moments run the *tick hooks* other apps register (the evidence log signs a tree head,
the exchange pushes checkpoints to witnesses), so the audit app stays below them.
A scheduled seal appends no event of its own: it would need sealing in turn.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from django.conf import settings
from django.db import IntegrityError, transaction

from vanban.audit import chain, keys
from vanban.audit.models import AuditSeal
from vanban.core import clock

logger = logging.getLogger(__name__)

Hook = Callable[[], object]
_hooks: dict[str, Hook] = {}
_state = {"appended": False, "dirty": False, "next_due": 0.0, "installed": False}
_lock = threading.Lock()


@dataclass(frozen=True)
class Schedule:
    """The promise the verifier holds the log to: a seal at least every ``every`` events and,
    for events older than ``seconds`` × 2 (one period of slack for the timer), a seal after
    them. Zero turns a rule off."""

    every: int
    seconds: float

    @classmethod
    def from_settings(cls) -> Schedule:
        """The installation's schedule."""
        return cls(every=int(getattr(settings, "VANBAN_AUDIT_SEAL_EVERY", 0)),
                   seconds=float(getattr(settings, "VANBAN_AUDIT_SEAL_SECONDS", 0)))


def register_tick_hook(name: str, hook: Hook) -> None:
    """Run ``hook`` at every scheduled checkpoint moment (from an app's ``ready()``)."""
    _hooks[name] = hook


def seal_head() -> AuditSeal | None:
    """Seal the committed chain head unless it is empty or already sealed (no event added)."""
    with transaction.atomic():
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
            row = cursor.fetchone()
        if row is None or int(row[0]) == 0:
            return None
        seq, head_hash = int(row[0]), str(row[1])
        existing = AuditSeal.objects.filter(seq=seq).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return seal(seq=seq, head_hash=head_hash)
        except IntegrityError:  # another process sealed the same head a moment ago
            return AuditSeal.objects.filter(seq=seq).first()


def seal(*, seq: int, head_hash: str) -> AuditSeal:
    """Sign (seq, hash, now) with the seal key (``hash`` is the chain's hash at ``seq``)."""
    at = clock.now()
    signature = keys.sign(chain.seal_message(seq=seq, head_hash=head_hash,
                                             at_iso=chain.iso_utc(at)))
    return AuditSeal.objects.create(seq=seq, hash=head_hash, at=at, key_id=keys.key_id(),
                                    signature=signature)


def tick(*, hooks: bool = True) -> AuditSeal | None:
    """One scheduled moment: run the other apps' hooks (they may append events: the evidence
    log records its new tree head), then seal the head. A failing hook is logged, never raised:
    a peer that is down must not stop sealing."""
    for name, hook in list(_hooks.items()) if hooks else ():
        try:
            hook()
        except Exception:
            logger.exception("checkpoint hook %s failed", name)
    sealed = seal_head()
    with _lock:
        _state["next_due"] = time.monotonic() + Schedule.from_settings().seconds
    return sealed


def note_append() -> None:
    """Called by every append: remembers that this process wrote (for the exit seal) and, when
    the time rule is due, seals after the surrounding transaction commits."""
    seconds = Schedule.from_settings().seconds
    now = time.monotonic()
    with _lock:
        first = not _state["appended"]
        _state["appended"] = _state["dirty"] = True
        if seconds <= 0:
            return
        if first:
            _state["next_due"] = now + seconds
            return
        if now < float(_state["next_due"]):
            return
        _state["next_due"] = now + seconds
    transaction.on_commit(_tick_quietly)


def _tick_quietly() -> None:
    """The time rule's seal, on the committing request's thread: the seal only. The other
    apps' hooks (a tree head, pushes to witnesses over the network) run in the timer thread,
    ``vanban audit checkpoint tick`` and at exit, never while a user waits."""
    try:
        tick(hooks=False)
    except Exception:
        logger.exception("scheduled audit seal failed")


def at_exit() -> None:
    """Seal what this process appended (clean shutdown of ``serve``, workers, commands)."""
    if not _state["appended"]:
        return
    try:
        tick()
    except Exception:  # the database may be gone already: the next process seals
        logger.warning("could not seal the audit log at exit", exc_info=True)


def install_exit_hooks() -> None:
    """Register :func:`at_exit`; make SIGTERM a clean exit when nothing else handles it; start
    the timer that seals a quiet process's last events (:func:`_timer`)."""
    with _lock:
        if _state["installed"] or not getattr(settings, "VANBAN_AUDIT_SEAL_AT_EXIT", True):
            return
        _state["installed"] = True
    atexit.register(at_exit)
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    seconds = Schedule.from_settings().seconds
    if seconds > 0:
        threading.Thread(target=_timer, args=(seconds,), name="vanban-audit-seal",
                         daemon=True).start()


def _timer(seconds: float) -> None:
    """Every period, tick if this process appended since the last tick: the time rule then holds
    for a long-running server that goes quiet (no next append to trigger the seal)."""
    from django.db import close_old_connections

    while True:
        time.sleep(seconds)
        with _lock:
            dirty = bool(_state["dirty"])
            _state["dirty"] = False
        if not dirty:
            continue
        try:
            tick()
        except Exception:
            logger.exception("timed audit seal failed")
        finally:
            close_old_connections()


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM: leave through ``SystemExit`` so the exit hooks run."""
    raise SystemExit(128 + signum)
