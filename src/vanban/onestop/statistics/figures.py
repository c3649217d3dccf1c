"""The period's figures counted in the database: one ``GROUP BY`` with conditional counts over
the dossiers, by the rules of :mod:`vanban.onestop.core.ontime` (a test compares the two on the
same dossiers). 500,000 dossiers take well under two seconds on PostgreSQL (bench/onestop.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.onestop.core.ontime import LATE_SUPPLEMENTS, VN_TZ, Period, Tally
from vanban.onestop.models import (
    Dossier,
    DossierState,
    Extension,
    Procedure,
    SupplementRequest,
    SupplementStage,
)

RESULT = (DossierState.RESULT_READY, DossierState.RETURNED)
REFUSED = (DossierState.REFUSED, DossierState.REFUSED_AFTER_APPRAISAL)
WITHDRAWN = (DossierState.STOPPED,)  # stopped = the withdrawal was carried out (Mẫu 05)
# A refusal stays one once the desk returns it (refused_after_appraisal → returned): the reason,
# written only by a refusal, is what does not change on return.
IS_REFUSED = Q(state__in=REFUSED) | (Q(state=DossierState.RETURNED) & ~Q(refusal_reason=""))


class GroupBy(StrEnum):
    """What a row of the report is."""

    PROCEDURE = "procedure"
    AGENCY = "agency"
    SECTOR = "sector"
    CHANNEL = "channel"


# Counted on the dossier's own column (one scan, no join); rows are merged and named after.
_COLUMN: dict[GroupBy, str] = {
    GroupBy.PROCEDURE: "procedure_id",
    GroupBy.AGENCY: "desk_id",
    GroupBy.SECTOR: "procedure_id",
    GroupBy.CHANNEL: "channel",
}


@dataclass
class Rated:
    """The applicants' ratings (1–5) of the dossiers finished within the period: how many and
    their sum."""

    count: int = 0
    points: int = 0

    def add(self, other: Rated) -> None:
        """Adds ``other`` to this one."""
        self.count += other.count
        self.points += other.points

    @property
    def average(self) -> float | None:
        """The average score, two decimals; none without ratings."""
        return round(self.points / self.count, 2) if self.count else None


@dataclass(frozen=True)
class Row:
    """One row of the report: a label, its figures and its ratings."""

    key: tuple[Any, ...]
    label: str
    tally: Tally
    rated: Rated = field(default_factory=Rated)


class LocalDay(TruncDate):
    """The day in Vietnam of a time (``TruncDate`` in ``VN_TZ``). On SQLite, the built-in
    ``date(…, '+7 hours')`` instead of Django's Python function called per row, which made the
    statistics of a year take seconds there; Vietnam keeps UTC+7 all year (no summer time since
    1975), so the fixed offset is the zone."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, tzinfo=VN_TZ)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.lhs)
        # Whole seconds first: SQLite's date() rounds the fraction to milliseconds, so
        # 16:59:59.9995 UTC would land on the next day in Vietnam.
        return f"date(substr({sql}, 1, 19), '+7 hours')", params


def _annotated(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Each dossier's judged due time, done time and pending supplement request.

    The pending request comes by a LEFT JOIN, not a subquery per row, so PostgreSQL can count
    in parallel workers; a dossier has at most one pending request after appraisal (it waits
    in *supplement_requested* until that one is answered).
    """
    return dossiers.annotate(
        pending=FilteredRelation("supplement_requests", condition=Q(
            supplement_requests__stage=SupplementStage.APPRAISAL,
            supplement_requests__fulfilled_at__isnull=True)),
    ).annotate(
        judged_due=Coalesce("original_due_at", "due_at", output_field=DateTimeField()),
        done_at=Coalesce("finished_at", "returned_at", output_field=DateTimeField()),
        awaiting_since=Case(When(state=DossierState.SUPPLEMENT_REQUESTED,
                                 then=F("pending__requested_at")),
                            default=None, output_field=DateTimeField()),
    ).annotate(
        done_day=LocalDay("done_at"),
        due_day=LocalDay("judged_due"),
    )


def _conditions(period: Period, as_of: datetime) -> dict[str, Q]:
    """The conditions each count is made of, for dossiers already known to be in the period
    (accepted before its end, not done before its start); see ``core/ontime.py``."""
    done_in = Q(done_at__isnull=False) & Q(done_at__lt=period.end)
    twice = Q(supplement_count__gte=LATE_SUPPLEMENTS)
    late = done_in & (twice | Q(done_at__gt=F("judged_due")))
    early = done_in & ~twice & Q(judged_due__isnull=False) & Q(done_day__lt=F("due_day"))
    open_ = Q(done_at__isnull=True) | Q(done_at__gte=period.end)
    awaiting = (Q(done_at__isnull=True) & Q(awaiting_since__isnull=False)
                & Q(awaiting_since__lte=as_of))
    overdue = open_ & (twice | (~awaiting & Q(judged_due__lt=as_of))
                       | (awaiting & Q(awaiting_since__gt=F("judged_due"))))
    return {
        "carried_over": Q(accepted_at__lt=period.start),
        "new": Q(accepted_at__gte=period.start),
        "done": done_in, "late": late, "early": early, "open": open_, "overdue": overdue,
        "refused": done_in & IS_REFUSED,
        "withdrawn": done_in & Q(state__in=WITHDRAWN),
    }


def _tally(row: dict[str, Any]) -> Tally:
    return Tally(
        carried_over=row["carried_over"], new=row["new"], early=row["early"],
        on_time=row["done"] - row["early"] - row["late"], late=row["late"],
        within=row["open"] - row["overdue"], overdue=row["overdue"], refused=row["refused"],
        withdrawn=row["withdrawn"])


@contextmanager
def _plain_plans() -> Iterator[None]:
    """A transaction without PostgreSQL's JIT: fifty conditional counts make it compile for
    seconds what runs in well under one; the plain interpreter is faster for these queries
    (bench/onestop.py)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _counted(dossiers: QuerySet[Dossier], period: Period, as_of: datetime,
             column: str) -> tuple[dict[Any, Tally], dict[Any, Rated]]:
    """The figures and ratings per value of ``column``: one aggregate over the accepted
    dossiers of the period, one over those finished in it without being accepted (refused at
    intake, or withdrawn and stopped before acceptance). A rating counts in the period its
    dossier was finished in, whenever given (joined, one row per dossier at most); the
    applicant may rate every finished dossier, so a dossier stopped before acceptance counts
    among the ratings, though not among the refusals."""
    conditions = _conditions(period, as_of)
    counts: dict[str, Any] = {name: Count("pk", filter=q) for name, q in conditions.items()}
    counts.update(rated=Count("rating", filter=conditions["done"]),
                  points=Sum("rating__score", filter=conditions["done"]))
    accepted = (_annotated(dossiers.filter(accepted_at__isnull=False,
                                           accepted_at__lt=period.end))
                .filter(Q(done_at__isnull=True) | Q(done_at__gte=period.start))
                .values(column).annotate(**counts).order_by())  # unsorted: one scan, hashed
    refusals = (dossiers.filter(accepted_at__isnull=True,
                                state__in=(DossierState.REFUSED, DossierState.STOPPED),
                                finished_at__gte=period.start, finished_at__lt=period.end)
                .values(column).annotate(n=Count("pk", filter=Q(state=DossierState.REFUSED)),
                                         rated=Count("rating"),
                                         points=Sum("rating__score")).order_by())
    rated: dict[Any, Rated] = {}
    with _plain_plans():
        out = {}
        for found in accepted:
            out[found[column]] = _tally(found)
            rated[found[column]] = Rated(found["rated"], found["points"] or 0)
        for found in refusals:
            out.setdefault(found[column], Tally()).refused += found["n"]
            rated.setdefault(found[column], Rated()).add(
                Rated(found["rated"], found["points"] or 0))
        for key, n in _made_in(dossiers, period, column, SupplementRequest.objects.filter(
                stage=SupplementStage.APPRAISAL), "requested_at"):
            out.setdefault(key, Tally()).supplement_requests += n
        for key, n in _made_in(dossiers, period, column, Extension.objects.all(), "issued_at"):
            out.setdefault(key, Tally()).extended += n
    return out, rated


def _made_in(dossiers: QuerySet[Dossier], period: Period, column: str,
             made: QuerySet[Any], when: str) -> list[tuple[Any, int]]:
    """Supplement requests or Mẫu 04 letters made within the period, of the dossiers present
    in it, counted per value of the dossier's ``column`` (in the period they were made, not
    per dossier present)."""
    present = (dossiers.filter(accepted_at__isnull=False, accepted_at__lt=period.end)
               .annotate(ended=Coalesce("finished_at", "returned_at",
                                        output_field=DateTimeField()))
               .filter(Q(ended__isnull=True) | Q(ended__gte=period.start)).values("pk"))
    rows = (made.filter(dossier__in=present,
                        **{f"{when}__gte": period.start, f"{when}__lt": period.end})
            .values(f"dossier__{column}").annotate(n=Count("pk")).order_by())
    return [(row[f"dossier__{column}"], row["n"]) for row in rows]


def _named(group_by: GroupBy, raw: dict[Any, Tally], rated: dict[Any, Rated]) -> list[Row]:
    """Raw per-column figures and ratings merged into the report's rows, with their labels."""
    found = {*raw, *rated}
    if group_by == GroupBy.CHANNEL:
        return [Row((value,), str(value), raw.get(value, Tally()), rated.get(value, Rated()))
                for value in found]
    if group_by == GroupBy.AGENCY:
        names = dict(Agency.objects.filter(pk__in=found).values_list("pk", "name"))
        return [Row((pk,), names.get(pk, ""), raw.get(pk, Tally()), rated.get(pk, Rated()))
                for pk in found]
    merged: dict[tuple[Any, ...], Row] = {}
    for pk, agency_id, code, name, sector in Procedure.objects.filter(
            pk__in=found).values_list("pk", "agency_id", "code", "name", "sector").order_by(
            "version"):
        key, label = ((agency_id, code), name) if group_by == GroupBy.PROCEDURE else (
            (sector,), sector)
        row = merged.setdefault(key, Row(key, label, Tally()))
        row.tally.add(raw.get(pk, Tally()))
        row.rated.add(rated.get(pk, Rated()))
        merged[key] = Row(key, label, row.tally, row.rated)  # the newest version's name
    return list(merged.values())


def figures(dossiers: QuerySet[Dossier], period: Period, *, group_by: GroupBy,
            now: datetime | None = None) -> list[Row]:
    """The period's figures of ``dossiers``, one row per ``group_by`` value, largest first."""
    as_of = min(period.end, now or clock.now())
    column = _COLUMN[group_by]
    raw, rated = _counted(dossiers, period, as_of, column)
    rows = [row for row in _named(group_by, raw, rated) if row.tally != Tally()]
    rows.sort(key=lambda row: (-row.tally.received, row.label))
    return rows


def total(rows: Sequence[Row]) -> Tally:
    """The sum of ``rows``."""
    out = Tally()
    for row in rows:
        out.add(row.tally)
    return out


def rated_total(rows: Sequence[Row]) -> Rated:
    """The ratings of ``rows`` together."""
    out = Rated()
    for row in rows:
        out.add(row.rated)
    return out
