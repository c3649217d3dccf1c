"""Quarantine: files that arrived while the scanner was down wait here, never accepted unscanned
(R16.1), and ``vanban security rescan`` decides them once it is back.

The bytes lie under ``VANBAN_QUARANTINE_DIR`` (0700 folder, 0600 files), outside the blob store,
so no page or API can serve them. A file found clean is **released through the same service
that received it**: the row names that service's release function, which calls the service
again with the same actor and inputs; the service's intake sees the files as already scanned
(:func:`~vanban.security.cleared.cleared`) and everything else (checks, storing, numbering,
audit) runs exactly as for an immediate accept. The release and the row's new state commit in
one transaction. An infected file is refused and audited; its bytes are deleted.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.core.roles import Actor
from vanban.security.cleared import cleared
from vanban.security.errors import ScannerUnavailable, Unscannable
from vanban.security.models import Quarantine, QuarantineState
from vanban.security.scanner import get_scanner

log = logging.getLogger(__name__)
OBJECT_TYPE = "security.quarantine"
Release = Callable[..., dict[str, Any]]


def quarantine_dir() -> Path:
    """Where held bytes live (``VANBAN_QUARANTINE_DIR``, default ``VANBAN_HOME/quarantine``)."""
    configured = str(getattr(settings, "VANBAN_QUARANTINE_DIR", "") or "")
    return Path(configured) if configured else Path(settings.VANBAN_HOME) / "quarantine"


def _path(sha256: str) -> Path:
    return quarantine_dir() / sha256[:2] / sha256


def _write(data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    path = _path(sha256)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    quarantine_dir().chmod(0o700)
    if not path.exists():
        temporary = path.with_suffix(".part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    return sha256


def _read(sha256: str) -> bytes:
    data = _path(sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(f"quarantined file {sha256} changed on disk")
    return data


def _forget(row: Quarantine) -> None:
    """Delete the row's bytes unless another held row still needs the same file."""
    needed = {entry["sha256"]
              for files in Quarantine.objects.filter(state=QuarantineState.HELD)
              .exclude(pk=row.pk).values_list("files", flat=True) for entry in files}
    for entry in row.files:
        if entry["sha256"] not in needed:
            _path(entry["sha256"]).unlink(missing_ok=True)


def quarantine_hold(*, door: str, hold: Any, actor: Actor | None, agency_code: str,
                    files: Sequence[tuple[bytes, str]], detail: str = "") -> Quarantine:
    """Keep ``files`` and what finishes the action (``hold``: a release path and its data)."""
    _release_function(hold.action)  # fails now, not when the file is found clean
    entries = [{"sha256": _write(data), "size": len(data), "name": name} for data, name in files]
    with transaction.atomic():
        row = Quarantine.objects.create(
            door=str(door), action=hold.action, actor_id=getattr(actor, "pk", None),
            agency_code=agency_code, data=dict(hold.data), files=entries,
            created_at=clock.now())
        audit_append(actor=actor, action="security.quarantine_hold", object_type=OBJECT_TYPE,
                     object_id=row.uid, agency_code=agency_code,
                     data={"door": str(door), "files": entries, "action": hold.action,
                           "detail": detail[:300]})
    log.warning("security: scanner unavailable, %s file(s) held in quarantine %s (%s)",
                len(entries), row.uid, detail)
    return row


@dataclass
class RescanReport:
    """What one pass over the quarantine did."""

    released: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    waiting: int = 0  # still held: the scanner is still down

    @property
    def decided(self) -> int:
        return len(self.released) + len(self.refused) + len(self.failed)


def quarantine_rescan(*, limit: int = 100) -> RescanReport:
    """Scan what is held, oldest first; release the clean, refuse the infected.

    Stops at the first scanner failure: everything not decided stays held for the next pass.
    """
    report = RescanReport()
    held = list(Quarantine.objects.filter(state=QuarantineState.HELD)[:limit])
    scanner = get_scanner()
    if scanner is None:  # no scanner configured: nothing can be judged, nothing is released
        report.waiting = len(held)
        return report
    for index, row in enumerate(held):
        try:
            verdicts = [(entry, scanner.scan(_read(entry["sha256"]))) for entry in row.files]
        except ScannerUnavailable as err:
            log.warning("security: rescan stopped, scanner unavailable: %s", err.detail)
            Quarantine.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            report.waiting = len(held) - index
            return report
        except (Unscannable, OSError) as err:
            _settle(row, QuarantineState.REFUSED, reason=str(err)[:500])
            report.refused.append(str(row.uid))
            continue
        infected = [(entry, v) for entry, v in verdicts if v.infected]
        if infected:
            _refuse_infected(row, infected)
            report.refused.append(str(row.uid))
        else:
            state = _release(row)
            if state == QuarantineState.RELEASED:
                report.released.append(str(row.uid))
            elif state == QuarantineState.FAILED:
                report.failed.append(str(row.uid))
    return report


_last_pass = [0.0]  # monotonic time of the last pass started by rescan_if_due, per process


def quarantine_rescan_if_due(*, every: float | None = None) -> RescanReport | None:
    """For long-running loops (``vanban exchange worker``): a pass at most every ``every``
    seconds (``VANBAN_QUARANTINE_RESCAN_SECONDS``, default 60) and only when something is held,
    so an idle installation pays one indexed query a minute."""
    interval = float(every if every is not None
                     else getattr(settings, "VANBAN_QUARANTINE_RESCAN_SECONDS", 60))
    now = time.monotonic()
    if now - _last_pass[0] < interval:
        return None
    _last_pass[0] = now
    if not Quarantine.objects.filter(state=QuarantineState.HELD).exists():
        return None
    return quarantine_rescan()


def _refuse_infected(row: Quarantine, infected: list[tuple[dict[str, Any], Any]]) -> None:
    """Audit each detection and refuse the row, in one transaction."""
    try:
        with transaction.atomic():
            _claim(row)
            for entry, verdict in infected:
                audit_append(actor=_actor(row), action="security.malware_found",
                             object_type="security.file", object_id=entry["sha256"],
                             agency_code=row.agency_code,
                             data={"door": row.door, "sha256": entry["sha256"],
                                   "name": entry["name"], "signature": verdict.signature,
                                   "engine": verdict.engine, "quarantine": str(row.uid)})
            _mark(row, QuarantineState.REFUSED, reason=infected[0][1].signature)
    except _Decided:
        return
    _forget(row)


class _Decided(Exception):
    """Another process decided this row meanwhile (two rescans at once)."""


def _claim(row: Quarantine) -> None:
    """Lock the row for this transaction; only a row still held may be decided."""
    if not Quarantine.objects.select_for_update().filter(
            pk=row.pk, state=QuarantineState.HELD).exists():
        raise _Decided(str(row.uid))


def _settle(row: Quarantine, state: str, *, reason: str = "",
            result: dict[str, Any] | None = None) -> None:
    try:
        with transaction.atomic():
            _claim(row)
            _mark(row, state, reason=reason, result=result)
    except _Decided:
        return
    _forget(row)


def _mark(row: Quarantine, state: str, *, reason: str = "",
          result: dict[str, Any] | None = None) -> None:
    """The row's decision and its audit event, in the caller's transaction."""
    row.state = state
    row.reason = reason[:500]
    row.result = result or {}
    row.decided_at = clock.now()
    row.attempts += 1
    row.save(update_fields=["state", "reason", "result", "decided_at", "attempts"])
    audit_append(actor=_actor(row), action=f"security.quarantine_{state}",
                 object_type=OBJECT_TYPE, object_id=row.uid, agency_code=row.agency_code,
                 data={"door": row.door, "reason": row.reason, "result": row.result,
                       "files": [e["sha256"] for e in row.files]})


def _release(row: Quarantine) -> str:
    """Finish the held action through its own service, in one transaction with the row (locked,
    so two rescans never finish it twice). Returns the row's new state, or "" if another
    process decided it first."""

    try:
        release = _release_function(row.action)
        with transaction.atomic(), cleared([e["sha256"] for e in row.files]):
            _claim(row)
            parts = [_read(entry["sha256"]) for entry in row.files]
            result = release(actor=_actor(row), parts=parts, data=dict(row.data))
            _mark(row, QuarantineState.RELEASED, result=result)
    except _Decided:
        return ""
    except DomainError as err:  # the action is no longer possible (state changed, rights…)
        _settle(row, QuarantineState.FAILED, reason=f"{err.code}: {err.vi} / {err.en}")
        return QuarantineState.FAILED
    except Exception as err:  # a row that cannot be finished must not block the ones after it
        log.exception("security: releasing quarantine %s failed", row.uid)
        _settle(row, QuarantineState.FAILED, reason=f"{type(err).__name__}: {err}")
        return QuarantineState.FAILED
    _forget(row)
    return QuarantineState.RELEASED


def _release_function(path: str) -> Release:
    """``vanban.<module>:<function>`` → the function (only vanban's own modules)."""
    module, _, name = path.partition(":")
    if not module.startswith("vanban.") or not name:
        raise ImportError(f"not a vanban release function: {path}")
    function: Release = getattr(importlib.import_module(module), name)
    return function


def _actor(row: Quarantine) -> Any:
    if row.actor_id is None:
        return None
    return get_user_model().objects.filter(pk=row.actor_id).first()
