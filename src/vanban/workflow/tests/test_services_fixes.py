"""Fixes of the daily loop (issue 13, observed 4 and 9): each line completes alone, the header's
deadline follows a re-assignment, and an assignment without a chosen lead is refused."""

from __future__ import annotations

from datetime import date

import pytest

from vanban.core.errors import ValidationFailed
from vanban.workflow import rules, selectors
from vanban.workflow.models import AssignmentLine, LineRole
from vanban.workflow.services import (
    assignment_create,
    assignment_reassign,
    incoming_complete,
    line_done,
)
from vanban.workflow.tests.conftest import line


def test_completing_the_lead_leaves_the_cooperating_line_open(  # noqa: PLR0917
        head, paper, budget, planning, specialist, specialist2):
    """R8.1: the lead completes the document; the co-operating unit's line stays open until
    its own holder reports it done (each line completes alone)."""
    assignment_create(actor=head, document=paper, lines=[
        line(LineRole.LEAD, unit=budget, days=5), line(LineRole.COOPERATE, unit=planning)])
    incoming_complete(actor=specialist, document=paper)
    lead = AssignmentLine.objects.get(incoming=paper, role=LineRole.LEAD)
    coop = AssignmentLine.objects.get(incoming=paper, role=LineRole.COOPERATE)
    assert lead.done_at is not None
    assert lead.done_by_id == specialist.pk
    assert coop.done_at is None
    line_done(actor=specialist2, line=coop)
    coop.refresh_from_db()
    assert coop.done_by_id == specialist2.pk


def test_header_deadline_follows_the_reassignment(head, paper, budget, planning):
    """R8.1: after a re-assignment the handling deadline is the new lead's, not the withdrawn
    one (the withdrawn line keeps its own as history)."""
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget,
                                                              days=5)])
    assert rules.handling_deadline(selectors.lines_of(paper)) == date(2026, 11, 9)
    assignment_reassign(actor=head, document=paper, reason="Chuyển KHTC chủ trì.",
                        lines=[line(LineRole.LEAD, unit=planning, days=2)])
    lines = selectors.lines_of(paper)
    assert rules.handling_deadline(lines) == date(2026, 11, 4)
    assert [x.deadline for x in lines if x.withdrawn_at] == [date(2026, 11, 9)]


def test_handling_deadline_without_assignment_is_none(paper):
    """Not assigned yet: no handling deadline of the agency's own."""
    assert rules.handling_deadline(selectors.lines_of(paper)) is None


def test_assignment_without_a_lead_is_refused(head, paper, planning):
    """R8.1: nothing is preselected, so a form with only co-operating units is refused with a
    message that names what is missing; the document stays unassigned."""
    with pytest.raises(ValidationFailed) as err:
        assignment_create(actor=head, document=paper,
                          lines=[line(LineRole.COOPERATE, unit=planning)])
    assert err.value.code == "no_lead"
    assert "chủ trì" in err.value.vi
    assert not AssignmentLine.objects.filter(incoming=paper).exists()


def test_units_and_people_come_from_separate_lists(  # noqa: PLR0917
        head, paper, budget, planning, specialist, clerk):
    """R8.1: the co-operating and for-information choices may come as separate lists of units
    and of people (a page offers them apart); the same target in both counts once."""
    from django.http import QueryDict

    from vanban.workflow.forms import lines_from

    post = QueryDict(mutable=True)
    post.update({"lead": f"u:{budget.pk}", "lead_days": "5"})
    post.setlist("cooperate_units", [f"u:{planning.pk}"])
    post.setlist("cooperate_people", [f"p:{specialist.pk}", f"p:{specialist.pk}"])
    post.setlist("inform_people", [f"p:{clerk.pk}"])
    lines = lines_from(post, paper.agency_id)
    assert [(x.role, x.unit, x.user) for x in lines] == [
        (LineRole.LEAD, budget, None), (LineRole.COOPERATE, planning, None),
        (LineRole.COOPERATE, None, specialist), (LineRole.INFORM, None, clerk)]
    assignment_create(actor=head, document=paper, lines=lines)
    assert AssignmentLine.objects.filter(incoming=paper).count() == 4
