"""Whose dossiers a reader of the statistics counts (the policy of ``onestop.rules``): the
one-stop officer, the head and the delegates count their own agency's desk; the province
administrator counts every desk."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.onestop import rules
from vanban.onestop.core.ontime import Period
from vanban.onestop.models import Dossier
from vanban.onestop.statistics.figures import GroupBy

FIRST_YEAR = 2015


def may_read(actor: Actor) -> bool:
    """Whether ``actor`` reads any desk's statistics."""
    if rules.is_province_admin(actor):
        return True
    agency = actor.agency_id
    return agency is not None and (rules.is_officer(actor, agency)
                                   or rules.is_leader(actor, agency))


def dossiers_for(actor: Actor) -> QuerySet[Dossier]:
    """The dossiers ``actor`` counts (none for anyone else)."""
    if rules.is_province_admin(actor):
        return Dossier.objects.all()
    if not may_read(actor):
        return Dossier.objects.none()
    return Dossier.objects.filter(desk_id=actor.agency_id)


@dataclass(frozen=True)
class Choice:
    """What the reader asked for: a year, a half (0 = the whole year), rows by."""

    year: int
    half: int
    group_by: GroupBy

    @property
    def period(self) -> Period:
        """The period chosen."""
        if self.half:
            return Period.half_year(self.year, self.half)
        return Period(Period.half_year(self.year, 1).start, Period.half_year(self.year, 2).end)

    @property
    def label(self) -> str:
        """How the period is named on the page and in the workbook."""
        if self.half:
            return f"6 tháng {'đầu' if self.half == 1 else 'cuối'} năm {self.year}"
        return f"Năm {self.year}"


def choice_of(year: str | None, half: str | None, group_by: str | None) -> Choice:
    """The reader's choice from the query string; by default the current half-year by
    procedure (``stats.rules``: calendar half-years)."""
    today = clock.local_now().date()
    try:
        chosen_year = int(year) if year else today.year
        chosen_half = int(half) if half not in (None, "") else (1 if today.month <= 6 else 2)
        by = GroupBy(group_by or GroupBy.PROCEDURE)
    except ValueError as err:
        raise ValidationFailed("Kỳ báo cáo hoặc cách nhóm không hợp lệ.",
                               "The period or the grouping is not valid.") from err
    if not FIRST_YEAR <= chosen_year <= today.year + 1 or chosen_half not in (0, 1, 2):
        raise ValidationFailed("Kỳ báo cáo không hợp lệ.", "The period is not valid.")
    return Choice(chosen_year, chosen_half, by)
