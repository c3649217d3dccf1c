"""Re-assigning an incoming document (R8.1): the open lines are withdrawn, kept and shown as
history; a new top-level assignment takes over, with a reason written as a direction."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.exchange.models import Delivery
from vanban.incoming.models import IncomingState
from vanban.workflow import rules, selectors
from vanban.workflow.models import AssignmentLine, LineRole, Opinion, OpinionKind
from vanban.workflow.services import (
    assignment_create,
    assignment_forward,
    assignment_reassign,
    incoming_complete,
    incoming_start,
    line_done,
)
from vanban.workflow.tests.conftest import line


@pytest.fixture
def units(budget, planning):
    """Phòng QLNS (first assigned) and Phòng KHTC (the document is moved to)."""
    return budget, planning


@pytest.fixture
def staff(specialist, specialist2):
    """A specialist of QLNS and one of KHTC."""
    return specialist, specialist2


def _assign_to_budget(head: Any, document: Any, budget: Any, specialist: Any,
                      unit_leader: Any) -> Any:
    """The head gives QLNS the lead; QLNS's leader passes it on to its specialist."""
    assignment = assignment_create(actor=head, document=document,
                                   lines=[line(LineRole.LEAD, unit=budget, days=5)])
    unit_line = assignment.lines.get()
    assignment_forward(actor=unit_leader, line=unit_line,
                       lines=[line(LineRole.LEAD, user=specialist)])
    return unit_line


def test_reassign_moves_the_work(head, hub_document, units, staff, unit_leader):
    """R8.1: re-assigning withdraws the open lines (the unit's and the one passed on), keeps them,
    creates the new lines with their deadlines, writes the reason as a direction and an audit
    event; the old holders lose the task and cannot start, complete, pass on nor report done,
    the new lead can complete; no new status goes to the sender."""
    budget, planning = units
    specialist, specialist2 = staff
    unit_line = _assign_to_budget(head, hub_document, budget, specialist, unit_leader)
    assert [x.incoming_id for x in selectors.my_tasks(specialist)] == [hub_document.pk] * 2
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "04"
    old_ids = sorted(AssignmentLine.objects.values_list("pk", flat=True))

    assignment = assignment_reassign(
        actor=head, document=hub_document, reason="Giao nhầm đơn vị.",
        lines=[line(LineRole.LEAD, unit=planning, days=3)])

    new_line = assignment.lines.get()
    assert new_line.deadline is not None
    assert new_line.deadline.isoformat() == "2026-11-05"
    old = AssignmentLine.objects.filter(pk__in=old_ids)
    assert old.count() == 2  # kept, never deleted
    assert all(x.withdrawn_at is not None and x.withdrawn_by_id == head.pk for x in old)
    assert selectors.my_tasks(specialist) == []
    assert selectors.my_tasks(unit_leader) == []
    assert [x.pk for x in selectors.my_tasks(specialist2)] == [new_line.pk]
    lines = selectors.lines_of(hub_document)
    assert not rules.is_lead_holder(specialist, lines)
    assert rules.is_lead_holder(specialist2, lines)
    unit_line.refresh_from_db()
    assert not rules.may_forward(unit_leader, unit_line, hub_document.agency_id)
    with pytest.raises(Forbidden):
        incoming_start(actor=specialist, document=hub_document)
    with pytest.raises(Forbidden):
        incoming_complete(actor=specialist, document=hub_document)
    with pytest.raises(Forbidden):
        line_done(actor=specialist, line=old.get(assignment__parent__isnull=False))
    with pytest.raises(Forbidden):
        assignment_forward(actor=unit_leader, line=unit_line,
                           lines=[line(LineRole.LEAD, user=specialist)])
    with pytest.raises(Conflict):  # even the head cannot report a withdrawn line done
        line_done(actor=head, line=unit_line)

    reason = Opinion.objects.get()
    assert reason.kind == OpinionKind.DIRECTION
    assert reason.text == "Phân công lại: Giao nhầm đơn vị."
    event = json.loads(AuditEvent.objects.get(action="workflow.reassign").data)
    assert event["withdrawn_lines"] == old_ids
    assert event["lines"][0]["unit"] == planning.pk
    assert event["reason"] == reason.text
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.ASSIGNED
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "04"

    incoming_complete(actor=specialist2, document=hub_document)
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.COMPLETED
    assert all(x.done_at is None for x in AssignmentLine.objects.filter(pk__in=old_ids))


def test_reassign_keeps_processing_and_done_lines(head, hub_document, units, staff):
    """R8.1: once the lead started (05) the document stays in progress and no status is sent
    again; a co-operating line already done stays done, not withdrawn; the overdue list drops
    the withdrawn line."""
    budget, planning = units
    specialist, specialist2 = staff
    assignment = assignment_create(actor=head, document=hub_document,
                                   lines=[line(LineRole.LEAD, unit=budget, days=1),
                                          line(LineRole.COOPERATE, user=specialist2)])
    incoming_start(actor=specialist, document=hub_document)
    coop = assignment.lines.get(role=LineRole.COOPERATE)
    line_done(actor=specialist2, line=coop)
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "05"
    statuses = AuditEvent.objects.filter(action__startswith="incoming.").count()
    from vanban.core import clock
    from vanban.workflow.tests.conftest import MONDAY

    with clock.frozen(MONDAY.replace(day=5)):  # Thursday: the lead's Tuesday deadline passed
        assert selectors.overdue_report(head, hub_document.agency_id)
        assignment_reassign(actor=head, document=hub_document, reason="Trưởng phòng nghỉ phép.",
                            lines=[line(LineRole.LEAD, unit=planning, days=5)])
        assert selectors.overdue_report(head, hub_document.agency_id) == []
    hub_document.refresh_from_db()
    assert hub_document.state == IncomingState.PROCESSING
    assert Delivery.objects.get(pk=hub_document.delivery_id).state == "05"
    assert AuditEvent.objects.filter(action__startswith="incoming.").count() == statuses
    coop.refresh_from_db()
    assert coop.done_at is not None
    assert coop.withdrawn_at is None
    assert AssignmentLine.objects.filter(withdrawn_at__isnull=False).count() == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(head, paper, units, reason):
    """R8.1: a re-assignment without a reason is refused, in Vietnamese and in English, and
    changes nothing."""
    budget, planning = units
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    with pytest.raises(ValidationFailed) as err:
        assignment_reassign(actor=head, document=paper, reason=reason,
                            lines=[line(LineRole.LEAD, unit=planning)])
    assert err.value.message("vi") == "Cần nhập lý do phân công lại."
    assert err.value.message("en") == "A reason for the re-assignment is required."
    assert not AssignmentLine.objects.filter(withdrawn_at__isnull=False).exists()


def test_specialist_cannot_reassign(head, paper, units, specialist, clerk):
    """R8.1: only the head or a delegate re-assigns; the lead specialist and the clerk are
    refused and the refusals are audited."""
    budget, planning = units
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    for actor in (specialist, clerk):
        with pytest.raises(Forbidden):
            assignment_reassign(actor=actor, document=paper, reason="Tự chuyển.",
                                lines=[line(LineRole.LEAD, unit=planning)])
    assert AuditEvent.objects.filter(action="workflow.reassign.denied").count() == 2
    assert not AssignmentLine.objects.filter(withdrawn_at__isnull=False).exists()


def test_completed_or_unassigned_cannot_be_reassigned(head, paper, units):
    """R8.1: a completed document cannot be re-assigned; one never assigned is assigned
    first; a second plain assignment is still refused."""
    budget, planning = units
    with pytest.raises(Conflict) as err:
        assignment_reassign(actor=head, document=paper, reason="Thử.",
                            lines=[line(LineRole.LEAD, unit=planning)])
    assert err.value.code == "not_assigned"
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    with pytest.raises(Conflict):
        assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=planning)])
    incoming_complete(actor=head, document=paper)
    with pytest.raises(Conflict) as err:
        assignment_reassign(actor=head, document=paper, reason="Giao lại.",
                            lines=[line(LineRole.LEAD, unit=planning)])
    assert err.value.code == "completed"
    assert not AssignmentLine.objects.filter(withdrawn_at__isnull=False).exists()


def test_reassign_twice(head, paper, units, staff):
    """R8.1: a document can be re-assigned again; only the latest assignment's lead leads."""
    budget, planning = units
    specialist, specialist2 = staff
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    assignment_reassign(actor=head, document=paper, reason="Lần 1.",
                        lines=[line(LineRole.LEAD, unit=planning)])
    assignment_reassign(actor=head, document=paper, reason="Lần 2.",
                        lines=[line(LineRole.LEAD, user=specialist)])
    lines = selectors.lines_of(paper)
    assert [x.withdrawn_at is not None for x in lines] == [True, True, False]
    assert rules.is_lead_holder(specialist, lines)
    assert not rules.is_lead_holder(specialist2, lines)
    assert Opinion.objects.count() == 2


def test_reassign_over_the_api(head, hub_document, units, staff):
    """R8.1: POST /api/v1/workflow/incoming/<id>/reassign/ re-assigns; the lines show the
    withdrawn one; a missing reason is 400, a specialist is 403."""
    budget, planning = units
    specialist, specialist2 = staff
    assignment_create(actor=head, document=hub_document,
                      lines=[line(LineRole.LEAD, unit=budget)])
    url = f"/api/v1/workflow/incoming/{hub_document.pk}/reassign/"
    head_api, specialist_api = APIClient(), APIClient()
    head_api.force_authenticate(head)
    specialist_api.force_authenticate(specialist)
    body = {"lines": [{"role": "lead", "unit_id": planning.pk, "working_days": 5}],
            "reason": "Chuyển phòng KHTC chủ trì."}
    assert specialist_api.post(url, body, format="json").status_code == 403
    assert head_api.post(url, {"lines": body["lines"]}, format="json").status_code == 400
    response = head_api.post(url, body, format="json")
    assert response.status_code == 201, response.content
    lines = response.json()["lines"]
    assert [x["withdrawn_at"] is not None for x in lines] == [True, False]
    assert lines[1]["unit_id"] == planning.pk
    assert lines[1]["deadline"] == "2026-11-09"
    assert response.json()["opinions"][0]["text"] == "Phân công lại: Chuyển phòng KHTC chủ trì."
    tasks = APIClient()
    tasks.force_authenticate(specialist2)
    assert [t["id"] for t in tasks.get("/api/v1/workflow/tasks/").json()["results"]] == [
        lines[1]["id"]]


def test_reassign_from_the_page(head, paper, units, staff):
    """R8.1: the head sees the «Phân công lại» form once assigned; posting it without a reason
    shows the error, with one re-assigns; the page and the handling slip show the old line
    struck through as withdrawn; the old holder's page has no more buttons, a specialist's POST
    is 403."""
    budget, planning = units
    specialist, specialist2 = staff
    assignment_create(actor=head, document=paper, lines=[line(LineRole.LEAD, unit=budget)])
    page = Client(HTTP_ACCEPT_LANGUAGE="vi")
    page.force_login(head)
    url = f"/work/incoming/{paper.pk}/"
    html = page.get(url).content.decode()
    assert 'data-testid="reassign-form"' in html
    assert 'data-testid="assign-form"' not in html
    form = {"lead": f"u:{planning.pk}", "lead_days": "5", "reason": ""}
    response = page.post(f"{url}reassign/", form, HTTP_REFERER=url, follow=True)
    assert "Cần nhập lý do phân công lại." in response.content.decode()
    assert not AssignmentLine.objects.filter(withdrawn_at__isnull=False).exists()
    mine = Client()
    mine.force_login(specialist)
    assert 'data-testid="start"' in mine.get(url).content.decode()
    assert mine.post(f"{url}reassign/", {**form, "reason": "x"}).status_code == 403

    response = page.post(f"{url}reassign/", {**form, "reason": "Phòng QLNS quá tải."})
    assert response.status_code == 302
    html = page.get(url).content.decode()
    assert html.count('data-testid="withdrawn-line"') == 1
    assert "Đã thu hồi phân công" in html
    assert "<s>Phòng Quản lý ngân sách</s>" in html
    assert "Phân công lại: Phòng QLNS quá tải." in html
    old_page = mine.get(url).content.decode()
    assert 'data-testid="start"' not in old_page
    assert 'data-testid="complete"' not in old_page
    assert selectors.my_tasks(specialist) == []
    assert [x.unit_id for x in selectors.my_tasks(specialist2)] == [planning.pk]
    pdf = page.get(f"{url}slip.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.content, capture_output=True,
                          check=True).stdout.decode()
    assert "Đã thu hồi phân công" in text
    assert "Phòng Kế hoạch - Tài chính" in text
