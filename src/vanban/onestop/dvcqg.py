"""The national public-service portal's edge (Cổng DVCQG, spec §9; issue 12 point 6): the dossiers'
state changes, in DVCQG's shape and in the order they happened, for a later connector to send.

The source is the append-only history (``DossierEvent``): every transition is one event, and
each event with a DVCQG status is one record. The cursor is the event's id: a connector keeps
the last cursor it sent and asks for what follows, so each record is sent once. An id is
taken when a transaction writes the event, not when it commits, so a slow transaction could
commit an id lower than one already exported: the export leaves out events younger than
``VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS`` (60 s), longer than any one-stop transaction runs.

Settings (a Django setting, else the environment variable): ``VANBAN_ONESTOP_DVCQG_REFUSAL``
(``dvcqg.map``): the DVCQG status of a refusal after appraisal, 3 (Không được tiếp nhận, the
default) or 8 (Dừng xử lý); ``VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS`` (60).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.onestop.core.dvcqg_map import Change, Status, record
from vanban.onestop.core.states import Action
from vanban.onestop.models import DossierEvent

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


def _setting(name: str, default: float) -> float:
    """A Django setting of the name, else the environment variable, else ``default``."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or default
    return float(value)


def refusal_status() -> int:
    """``dvcqg.map``: the status of a refusal after appraisal (3 unless the setting says 8)."""
    return int(_setting("VANBAN_ONESTOP_DVCQG_REFUSAL", Status.NOT_ACCEPTED))


def settle() -> timedelta:
    """How old an event must be before it is exported."""
    return timedelta(seconds=_setting("VANBAN_ONESTOP_DVCQG_SETTLE_SECONDS", 60))


@dataclass(frozen=True)
class Batch:
    """Records after a cursor, and the cursor to ask from next time."""

    records: list[dict[str, Any]]
    cursor: int


def _unit_name(event: DossierEvent) -> str:
    if event.to_unit is not None:
        return event.to_unit.name
    if event.to_agency is not None:
        return event.to_agency.name
    return event.dossier.desk.name


def _by(moment: datetime | None, event: DossierEvent) -> datetime | None:
    """A dossier's time as the event saw it: empty when it came later."""
    return moment if moment is not None and moment <= event.at else None


def _change(event: DossierEvent) -> Change:
    """The record of ``event`` with the dossier's values as they were then: the due time the
    event wrote, acceptance and finishing times only when they came before it (a status sent
    late never carries a later acceptance, due time or end)."""
    dossier = event.dossier
    procedure = dossier.procedure
    return Change(
        sequence=event.pk, code=dossier.code or "", procedure_code=procedure.code,
        state=event.to_state, at=event.at, channel=dossier.channel,
        received_at=_by(dossier.accepted_at, event) or dossier.received_at,
        due_at=event.due_at, finished_at=_by(dossier.finished_at, event),
        limit_value=procedure.limit_value, limit_unit=procedure.limit_unit,
        unit=_unit_name(event), result_code=procedure.result_type_code)


def _events(since: int, limit: int) -> Iterator[DossierEvent]:
    """The events after ``since`` in id order, up to the first one younger than the settle
    time: the cursor never passes an event left out (an ``at`` filter would skip a young
    event and hand out a cursor beyond it)."""
    upto = clock.now() - settle()
    rows = (DossierEvent.objects.filter(id__gt=since)
            .select_related("dossier__procedure", "dossier__desk", "to_unit", "to_agency")
            .order_by("id")[:limit])
    for event in rows:
        if event.at > upto:
            return
        yield event


NOT_REPORTED = frozenset({Action.SEND_TO_AGENCY.value})
"""Events that change nothing a DVCQG record carries: sending the dossier to another agency's
desk keeps its state (the other desk reports its own dossier), and its receiving agency is
not the unit handling this one. No status record is made of them."""
NEVER_REPORTED = frozenset({Action.TAKEN_BY_AGENCY.value})
"""R11.1(a): the other desk took the forwarded dossier in and reports it as its own; this
desk's dossier, never accepted (no code, no clock), ends as *transferred* with no national
status (onestop.md names none)."""


def dvcqg_export(*, since: int = 0, limit: int = DEFAULT_LIMIT) -> Batch:
    """The DVCQG records of the events after ``since`` (at most ``limit`` events read)."""
    if since < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            f"Con trỏ phải ≥ 0 và số bản ghi từ 1 đến {MAX_LIMIT}.",
            f"The cursor must be ≥ 0 and the limit between 1 and {MAX_LIMIT}.")
    refusal = refusal_status()
    cursor = since
    out: list[dict[str, Any]] = []
    for event in _events(since, limit):
        cursor = event.pk
        if ((event.action in NOT_REPORTED and event.from_state == event.to_state)
                or event.action in NEVER_REPORTED):
            continue
        found = record(_change(event), refused_after_appraisal=refusal)
        if found is not None:
            out.append(found)
    return Batch(out, cursor)


class Out(Protocol):
    """Where the command writes (a management command's stdout, a StringIO in tests)."""

    def write(self, text: str, /) -> object:
        """Write ``text``."""
        ...


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``vanban onestop dvcqg-export`` (a subcommand of the one-stop command)."""
    parser.add_argument("--since", type=int, default=0,
                        help="con trỏ lần trước (mặc định 0) / the last cursor sent (default 0)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help=f"số sự kiện tối đa / most events read (≤ {MAX_LIMIT})")
    parser.add_argument("--json", action="store_true",
                        help="mỗi dòng một bản ghi JSON / one JSON record per line")


def handle(options: dict[str, Any], out: Out) -> None:
    """Write the batch: JSON lines with ``--json`` (the next cursor last, as
    ``{"next_cursor": N}``), else a table for a person."""
    batch = dvcqg_export(since=int(options.get("since") or 0),
                         limit=int(options.get("limit") or DEFAULT_LIMIT))
    if options.get("json"):
        for row in batch.records:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.write(json.dumps({"next_cursor": batch.cursor}) + "\n")
        return
    for row in batch.records:
        out.write(f"{row['cursor']:>8}  {row['MaHoSo'] or '-':<28} {row['TrangThaiHoSo']:>2} "
                  f"{row['TenTrangThai']:<36} {row['ThoiGian']}\n")
    out.write(f"Bản ghi / records: {len(batch.records)}; "
              f"con trỏ tiếp theo / next cursor: {batch.cursor}\n")
