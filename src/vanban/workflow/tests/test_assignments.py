"""Assignment, passing on, start and completion of incoming documents (R8.1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core import clock
from vanban.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from vanban.directory.calendar import calendar_day_set
from vanban.exchange.models import Delivery
from vanban.incoming.models import IncomingState
from vanban.workflow import selectors
from vanban.workflow.models import AssignmentLine, LineRole
from vanban.workflow.services import (
    assignment_create,
    assignment_forward,
    incoming_complete,
    incoming_start,
    line_done,
    opinion_write,
)
from vanban.workflow.tests.conftest import line


def _assign(head: Any, document: Any, budget: Any, planning: Any = None, **kwargs: Any) -> Any:
    lines = [line(LineRole.LEAD, unit=budget, days=kwargs.pop("days", 5))]
    if planning is not None:
        lines.append(line(LineRole.COOPERATE, unit=planning))
    return assignment_create(actor=head, document=document, lines=lines, **kwargs)


def test_assign_computes_deadline_in_working_days(head, paper, budget, planning, clerk):
    """R8.1: 5 working days from Monday 02/11/2026 is Monday 09/11; the co-operating unit gets
    the lead's deadline, the unit for information none; the document is assigned."""
    assignment = assignment_create(actor=head, document=paper, direction="Giao QLNS chủ trì.",
                                   lines=[line(LineRole.LEAD, unit=budget, days=5),
                                          line(LineRole.COOPERATE, unit=planning),
                                          line(LineRole.INFORM, user=clerk)])
    lines = {x.role: x for x in assignment.lines.all()}
    assert lines[LineRole.LEAD].deadline == date(2026, 11, 9)
    assert lines[LineRole.LEAD].working_days == 5
    assert lines[LineRole.COOPERATE].deadline == date(2026, 11, 9)
    assert lines[LineRole.INFORM].deadline is None
    paper.refresh_from_db()
    assert paper.state == IncomingState.ASSIGNED
    assert paper.due_date == date(2026, 11, 9)
    assert paper.opinions.get().kind == "direction"
    assert AuditEvent.objects.filter(action="workflow.assign").count() == 1


def test_deadline_skips_tet_2026(head, paper, budget):
    """R8.1: assigned on Thursday 12/02/2026 with 3 working days, the deadline skips the weekend
    and Tết (14–22/02/2026): Friday 13, Monday 23, Tuesday 24 → 24/02/2026."""
    with clock.frozen(datetime.fromisoformat("2026-02-12T10:00:00+07:00")):
        assignment = _assign(head, paper, budget, days=3)
    assert assignment.lines.get().deadline == date(2026, 2, 24)


def test_make_up_saturday_counts(head, paper, budget, agency):
    """R8.1: a make-up Saturday (ngày làm bù) declared by the agency is a working day."""
    calendar_day_set(actor=head, agency=agency, day=date(2026, 11, 7), working=True,
                     note="Làm bù")
    assignment = _assign(head, paper, budget, days=5)
    # Tue 3, Wed 4, Thu 5, Fri 6, Sat 7 (make-up): the fifth working day is Saturday 07/11.
    assert assignment.lines.get().deadline == date(2026, 11, 7)


def test_statuses_reach_the_sender(head, hub_document, budget, specialist, unit_leader):
    """R8.1: 04 on assignment, 05 when the lead starts, 06 on completion with the reply,
    each on the sender's delivery row."""
    delivery = hub_document.delivery
    assert delivery is not None
    assert delivery.state == "03"
    _assign(head, hub_document, budget)
    assert Delivery.objects.get(pk=delivery.pk).state == "04"
    incoming_start(actor=specialist, document=hub_document)
    assert Delivery.objects.get(pk=delivery.pk).state == "05"
    hub_document.refresh_from_db()
    incoming_complete(actor=unit_leader, document=hub_document)
    assert Delivery.objects.get(pk=delivery.pk).state == "06"
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.COMPLETED
    assert hub_document.completed_at is not None
    assert not AssignmentLine.objects.filter(incoming=hub_document, done_at__isnull=True).exists()


def test_first_opinion_of_the_lead_means_processing(head, hub_document, budget, specialist):
    """R8.1: the lead's first opinion sends 05 (once)."""
    _assign(head, hub_document, budget)
    opinion_write(actor=specialist, document=hub_document, text="Đã nghiên cứu, đang dự thảo.")
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "05"
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.PROCESSING
    opinion_write(actor=specialist, document=hub_document, text="Bổ sung số liệu.")
    assert AuditEvent.objects.filter(action="incoming.processing").count() == 1


def test_completion_links_the_reply(head, hub_document, budget, specialist, agency,  # noqa: PLR0917
                                    clerk):
    """R8.1: 06 links the reply outgoing document of the same agency."""
    from vanban.exchange.tests.conftest import ready_document

    reply = ready_document(clerk, agency, [hub_document.issuer], subject="Trả lời Sở Nội vụ")
    _assign(head, hub_document, budget)
    incoming_complete(actor=specialist, document=hub_document, reply_document=reply)
    hub_document.refresh_from_db()
    assert hub_document.reply_document == reply
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "06"


def test_specialist_cannot_assign(specialist, paper, budget, clerk):
    """R8.1: only the head or a delegate assigns; the refusal is audited."""
    with pytest.raises(NotFound):  # a specialist who holds no line does not even see it
        _assign(specialist, paper, budget)
    with pytest.raises(Forbidden):  # the clerk sees it (registered it) but does not assign
        _assign(clerk, paper, budget)
    assert AuditEvent.objects.filter(action="workflow.assign.denied").count() == 2


def test_other_agency_gets_not_found(stranger, paper, budget):
    """R8.1: another agency's head cannot see nor assign the document."""
    with pytest.raises(NotFound):
        _assign(stranger, paper, budget)
    with pytest.raises(NotFound):
        selectors.incoming_get(stranger, paper.pk)


def test_lines_stay_inside_the_agency(head, paper, other_agency):
    """R8.1: a unit of another agency cannot be given a line."""
    from vanban.directory.models import Unit

    foreign = Unit.objects.create(agency=other_agency, code="X", name="Phòng khác",
                                  created_at=clock.now())
    with pytest.raises(NotFound):
        _assign(head, paper, foreign)


def test_exactly_one_lead(head, paper, budget, planning):
    """R8.1: one lead, no more, no less."""
    with pytest.raises(ValidationFailed):
        assignment_create(actor=head, document=paper,
                          lines=[line(LineRole.COOPERATE, unit=budget, days=2)])
    with pytest.raises(ValidationFailed):
        assignment_create(actor=head, document=paper,
                          lines=[line(LineRole.LEAD, unit=budget, days=2),
                                 line(LineRole.LEAD, unit=planning, days=2)])


def test_only_the_lead_completes(head, paper, budget, planning, specialist,  # noqa: PLR0917
                                 specialist2):
    """R8.1: a co-operating unit's specialist cannot complete; the lead can."""
    _assign(head, paper, budget, planning)
    with pytest.raises(Forbidden):
        incoming_complete(actor=specialist2, document=paper)
    coop = AssignmentLine.objects.get(incoming=paper, role=LineRole.COOPERATE)
    line_done(actor=specialist2, line=coop)  # its own part, yes
    incoming_complete(actor=specialist, document=paper)
    paper.refresh_from_db()
    assert paper.state == IncomingState.COMPLETED
    with pytest.raises(Conflict):
        incoming_complete(actor=head, document=paper)


def test_unit_leader_passes_on_to_specialist(head, paper, budget, unit_leader,  # noqa: PLR0917
                                             specialist,
                                             specialist2):
    """R8.1: the unit's leader passes the unit's line on to a specialist of the unit (child
    assignment pointing at the parent line); the specialist then holds the lead."""
    assignment = _assign(head, paper, budget, days=5)
    unit_line = assignment.lines.get()
    with pytest.raises(Forbidden):
        assignment_forward(actor=specialist, line=unit_line,
                           lines=[line(LineRole.LEAD, user=specialist, days=2)])
    with pytest.raises(NotFound):  # not a member of the unit
        assignment_forward(actor=unit_leader, line=unit_line,
                           lines=[line(LineRole.LEAD, user=specialist2, days=2)])
    with pytest.raises(ValidationFailed):  # after the unit's own deadline
        assignment_forward(actor=unit_leader, line=unit_line,
                           lines=[line(LineRole.LEAD, user=specialist, days=10)])
    child = assignment_forward(actor=unit_leader, line=unit_line, direction="Giao đ/c xử lý.",
                               lines=[line(LineRole.LEAD, user=specialist, days=3)])
    assert child.parent == unit_line
    assert child.lines.get().deadline == date(2026, 11, 5)
    tasks = selectors.my_tasks(specialist)
    assert {t.pk for t in tasks} >= {child.lines.get().pk}
    incoming_complete(actor=specialist, document=paper)


def test_overdue_report(head, paper, budget, planning, specialist):
    """R8.1: the head sees overdue and due-soon lines per unit/person."""
    _assign(head, paper, budget, planning, days=1)
    with clock.frozen(datetime.fromisoformat("2026-11-05T09:00:00+07:00")):
        report = selectors.overdue_report(head, paper.agency_id)
        assert {load.name for load in report} == {budget.name, planning.name}
        assert all(len(load.overdue) == 1 for load in report)
        assert selectors.is_overdue(report[0].overdue[0])
    report = selectors.overdue_report(head, paper.agency_id)
    assert all(len(load.due_soon) == 1 and not load.overdue for load in report)
    incoming_complete(actor=specialist, document=paper)
    assert selectors.overdue_report(head, paper.agency_id) == []


def test_assign_twice_is_a_conflict(head, paper, budget):
    """R8.1: the document is assigned once; passing on is for the units."""
    _assign(head, paper, budget)
    with pytest.raises(Conflict):
        _assign(head, paper, budget)
