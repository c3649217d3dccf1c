"""Assigning a registered incoming document and following it to completion (R8.1).

The head or a delegate assigns one lead, co-operating and for-information units or people, each
line with a deadline in working days (the agency's calendar: public holidays, Tết, make-up days)
or an explicit date; a unit's leader passes the unit's line on to specialists. Status 04, 05 and
06 go back to the sender through :mod:`vanban.incoming.services.progress`.

A document is assigned once (:func:`assignment_create`); to change who handles it the head or a
delegate re-assigns it (:func:`assignment_reassign`): the open lines are withdrawn (kept, marked
with time and author) and a new top-level assignment takes their place, with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.directory.models import Unit
from vanban.directory.selectors import work_calendar
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.incoming.services import progress
from vanban.registry.models import Document
from vanban.workflow import rules, selectors
from vanban.workflow.models import Assignment, AssignmentLine, LineRole
from vanban.workflow.services.opinions import _clean, opinion_append

OBJECT_TYPE = "workflow.assignment"
MAX_WORKING_DAYS = 365


@dataclass(frozen=True)
class LineInput:
    """One line to create: a unit or a person (``user``), its role, and a deadline given as
    working days from today or as a date (neither: the lead's deadline, none for information)."""

    role: str
    unit: Unit | None = None
    user: object | None = None
    working_days: int | None = None
    deadline: date | None = None


def _refuse(actor: Actor | None, action: str, error: DomainError,
            document: IncomingDocument) -> DomainError:
    return audit_refusal(actor=actor, error=error, action=action,
                         object_type="incoming.document", object_id=document.pk,
                         agency_code=document.agency.code)


def _require_visible(actor: Actor | None, action: str, document: IncomingDocument) -> None:
    if selectors.incoming_visible(actor).filter(pk=document.pk).first() is None:
        raise _refuse(actor, action, not_found("văn bản đến", "Incoming document"), document)


def _deadline(item: LineInput, agency_id: int, start: date) -> tuple[date | None, int | None]:
    if item.working_days is not None:
        if not 0 < item.working_days <= MAX_WORKING_DAYS:
            raise ValidationFailed(
                f"Số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}.",
                f"The number of working days must be between 1 and {MAX_WORKING_DAYS}.",
                code="bad_days")
        return (work_calendar(agency_id).add_working_days(start, item.working_days),
                item.working_days)
    if item.deadline is not None and item.deadline < start:
        raise ValidationFailed(f"Hạn xử lý {item.deadline:%d/%m/%Y} đã qua.",
                               f"The deadline {item.deadline:%d/%m/%Y} is in the past.",
                               code="past_deadline")
    return item.deadline, None


def _validate(document: IncomingDocument, items: Sequence[LineInput], *,
              need_lead: bool, unit_id: int | None) -> None:
    if not items:
        raise ValidationFailed("Chưa chọn đơn vị hoặc người xử lý.",
                               "No unit or person was chosen.", code="no_lines")
    leads = [x for x in items if x.role == LineRole.LEAD]
    if need_lead and not leads:  # nothing preselected: an unchosen lead assigns nobody
        raise ValidationFailed("Chưa chọn đơn vị hoặc người chủ trì.",
                               "No lead unit or person was chosen.", code="no_lead")
    if len(leads) > 1:
        raise ValidationFailed("Cần đúng một đơn vị hoặc người chủ trì.",
                               "Exactly one lead unit or person is needed.", code="one_lead")
    seen: set[str] = set()
    for item in items:
        if item.role not in LineRole.values or (item.unit is None) == (item.user is None):
            raise ValidationFailed("Dòng phân công không hợp lệ.", "Invalid assignment line.",
                                   code="bad_line")
        key = f"u{item.unit.pk}" if item.unit is not None else f"p{getattr(item.user, 'pk', 0)}"
        if key in seen:
            raise ValidationFailed("Một đơn vị hoặc người chỉ được chọn một lần.",
                                   "A unit or person may be chosen only once.",
                                   code="duplicate_line")
        seen.add(key)
        agency_id = item.unit.agency_id if item.unit is not None else getattr(
            item.user, "agency_id", None)
        if agency_id != document.agency_id or (
                unit_id is not None and getattr(item.user, "unit_id", None) != unit_id):
            raise not_found("đơn vị hoặc cán bộ", "Unit or staff member")


def _create(actor: Actor, document: IncomingDocument, items: Sequence[LineInput],
            parent: AssignmentLine | None) -> tuple[Assignment, list[AssignmentLine]]:
    start = selectors.today()
    assignment = Assignment.objects.create(incoming=document, parent=parent,
                                           assigned_by_id=rules.actor_pk(actor),
                                           assigned_at=clock.now())
    lead = next((x for x in items if x.role == LineRole.LEAD), None)
    lead_deadline = _deadline(lead, document.agency_id, start)[0] if lead else None
    default = lead_deadline or (parent.deadline if parent else None)
    lines = []
    for item in items:
        deadline, days = _deadline(item, document.agency_id, start)
        if deadline is None and item.role != LineRole.INFORM:
            deadline = default
        if parent is not None and parent.deadline and deadline and deadline > parent.deadline:
            raise ValidationFailed(
                f"Hạn {deadline:%d/%m/%Y} vượt hạn của đơn vị ({parent.deadline:%d/%m/%Y}).",
                f"The deadline {deadline:%d/%m/%Y} is after the unit's "
                f"({parent.deadline:%d/%m/%Y}).", code="after_parent")
        lines.append(AssignmentLine.objects.create(
            assignment=assignment, incoming=document, role=item.role, unit=item.unit,
            user_id=getattr(item.user, "pk", None), deadline=deadline, working_days=days))
    return assignment, lines


def _lines_data(lines: Sequence[AssignmentLine]) -> list[dict[str, object]]:
    return [{"role": x.role, "unit": x.unit_id, "user": x.user_id,
             "deadline": x.deadline.isoformat() if x.deadline else None,
             "working_days": x.working_days} for x in lines]


def assignment_create(*, actor: Actor, document: IncomingDocument, lines: Sequence[LineInput],
                      direction: str = "") -> Assignment:
    """The head or a delegate assigns the document (R8.1); 04 goes to the sender."""
    action = "workflow.assign"
    _require_visible(actor, action, document)
    if not rules.is_director(actor, document.agency_id):
        raise _refuse(actor, action, forbidden(), document)
    _validate(document, lines, need_lead=True, unit_id=None)
    text = _clean(direction) if direction.strip() else ""
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update(of=("self",)).select_related(
            "agency").get(pk=document.pk)
        if document.state == IncomingState.COMPLETED:
            raise Conflict("Văn bản đã hoàn thành xử lý.", "The document is already completed.",
                           code="completed")
        if Assignment.objects.filter(incoming=document, parent__isnull=True).exists():
            raise Conflict("Văn bản đã được phân công.", "The document is already assigned.",
                           code="already_assigned")
        assignment, created = _create(actor, document, lines, None)
        if text:
            opinion_append(actor=actor, document=document, text=text, kind="direction")
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=assignment.pk, agency_code=document.agency.code,
                     data={"incoming_id": document.pk, "lines": _lines_data(created)})
        lead = next(x for x in created if x.role == LineRole.LEAD)
        progress.incoming_mark_assigned(actor=actor, document=document, due_date=lead.deadline)
    return assignment


REASON_PREFIX = "Phân công lại: "


def _reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationFailed("Cần nhập lý do phân công lại.",
                               "A reason for the re-assignment is required.",
                               code="missing_reason")
    return _clean(REASON_PREFIX + reason.strip())


def assignment_reassign(*, actor: Actor, document: IncomingDocument, lines: Sequence[LineInput],
                        reason: str) -> Assignment:
    """The head or a delegate re-assigns a document that is not completed (R8.1): the open lines
    (of the current assignment and those passed on from them) are withdrawn, never deleted, and
    a new top-level assignment is created; the reason is written as a direction. No status goes
    to the sender: the document stays assigned (04) or in progress (05)."""
    action = "workflow.reassign"
    _require_visible(actor, action, document)
    if not rules.is_director(actor, document.agency_id):
        raise _refuse(actor, action, forbidden(), document)
    text = _reason(reason)
    _validate(document, lines, need_lead=True, unit_id=None)
    with transaction.atomic():
        document = IncomingDocument.objects.select_for_update(of=("self",)).select_related(
            "agency").get(pk=document.pk)
        if document.state == IncomingState.COMPLETED:
            raise Conflict("Văn bản đã hoàn thành xử lý.", "The document is already completed.",
                           code="completed")
        if not Assignment.objects.filter(incoming=document, parent__isnull=True).exists():
            raise Conflict("Văn bản chưa được phân công; hãy phân công trước.",
                           "The document is not assigned yet; assign it first.",
                           code="not_assigned")
        now = clock.now()
        open_lines = AssignmentLine.objects.filter(incoming=document, done_at__isnull=True,
                                                   withdrawn_at__isnull=True)
        withdrawn = sorted(open_lines.values_list("pk", flat=True))
        open_lines.update(withdrawn_at=now, withdrawn_by_id=rules.actor_pk(actor))
        assignment, created = _create(actor, document, lines, None)
        lead = next(x for x in created if x.role == LineRole.LEAD)
        due_replaced = progress.incoming_lead_deadline_set(document=document,
                                                           due_date=lead.deadline)
        opinion = opinion_append(actor=actor, document=document, text=text, kind="direction")
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=assignment.pk, agency_code=document.agency.code,
                     data={"incoming_id": document.pk, "withdrawn_lines": withdrawn,
                           "lines": _lines_data(created), "reason": text,
                           "opinion_id": opinion.pk, "due_date_replaced": due_replaced})
    return assignment


def assignment_forward(*, actor: Actor, line: AssignmentLine, lines: Sequence[LineInput],
                       direction: str = "") -> Assignment:
    """A unit's leader passes the unit's line on to specialists of the unit (R8.1)."""
    action = "workflow.forward"
    document = line.incoming
    _require_visible(actor, action, document)
    if not rules.may_forward(actor, line, document.agency_id):
        raise _refuse(actor, action, forbidden(), document)
    if any(x.unit is not None for x in lines):
        raise ValidationFailed("Chỉ chuyển tiếp cho cán bộ, không cho đơn vị.",
                               "A line is passed on to people, not units.", code="people_only")
    _validate(document, lines, need_lead=False, unit_id=line.unit_id)
    text = _clean(direction) if direction.strip() else ""
    with transaction.atomic():
        # The document's lock orders this against a re-assignment withdrawing the line.
        document = IncomingDocument.objects.select_for_update(of=("self",)).select_related(
            "agency").get(pk=document.pk)
        if document.state == IncomingState.COMPLETED:
            raise Conflict("Văn bản đã hoàn thành xử lý.", "The document is already completed.",
                           code="completed")
        line.refresh_from_db(fields=["done_at", "withdrawn_at"])
        if line.withdrawn_at is not None:
            raise _withdrawn()
        if line.done_at is not None:
            raise Conflict("Phần việc này đã xong.", "This part is already done.", code="done")
        assignment, created = _create(actor, document, lines, line)
        if text:
            opinion_append(actor=actor, document=document, text=text,
                           kind="direction" if rules.is_director(actor, document.agency_id)
                           else "opinion")
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE,
                     object_id=assignment.pk, agency_code=document.agency.code,
                     data={"incoming_id": document.pk, "parent_line": line.pk,
                           "lines": _lines_data(created)})
    return assignment


def note_lead_activity(*, actor: Actor, document: IncomingDocument) -> bool:
    """The lead started (a button or its first opinion): its lines are marked started and 05
    goes to the sender once. Caller's transaction; False when the actor is not the lead."""
    lines = selectors.lines_of(document)
    mine = [x for x in rules.lead_lines(lines) if rules.holds(actor, x) and x.started_at is None]
    if not rules.is_lead_holder(actor, lines):
        return False
    now = clock.now()
    for line in mine:
        line.started_at = now
        line.save(update_fields=["started_at"])
    progress.incoming_mark_processing(actor=actor, document=document)
    return True


def incoming_start(*, actor: Actor, document: IncomingDocument) -> IncomingDocument:
    """"Bắt đầu xử lý": the lead (or a director) starts; 05 goes to the sender."""
    action = "workflow.start"
    _require_visible(actor, action, document)
    lines = selectors.lines_of(document)
    director = rules.is_director(actor, document.agency_id)
    if not (director or rules.is_lead_holder(actor, lines)):
        raise _refuse(actor, action, forbidden(), document)
    document.refresh_from_db(fields=["state"])
    if document.state != IncomingState.ASSIGNED:
        raise Conflict("Chỉ bắt đầu xử lý văn bản đã phân công, chưa xử lý.",
                       "Only an assigned document not yet in progress can be started.",
                       code="wrong_state")
    with transaction.atomic():
        if not note_lead_activity(actor=actor, document=document):
            progress.incoming_mark_processing(actor=actor, document=document)
    document.refresh_from_db()
    return document


def incoming_complete(*, actor: Actor, document: IncomingDocument,
                      reply_document: Document | None = None) -> IncomingDocument:
    """"Hoàn thành": only the lead (or the head/delegate) completes; 06 goes to the sender,
    linking the reply document if there is one. The lead lines are closed with it; every other
    line (co-operating, for information) completes alone, by its holder (:func:`line_done`)."""
    action = "workflow.complete"
    _require_visible(actor, action, document)
    lines = selectors.lines_of(document)
    director = rules.is_director(actor, document.agency_id)
    if not (director or rules.is_lead_holder(actor, lines)):
        raise _refuse(actor, action, forbidden(), document)
    with transaction.atomic():
        # Under the document's lock: a re-assignment may have withdrawn the lead meanwhile.
        IncomingDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
        current = selectors.lines_of(document)
        if not (director or rules.is_lead_holder(actor, current)):
            raise _withdrawn()
        leads = [x.pk for x in rules.lead_lines(current) if x.done_at is None]
        AssignmentLine.objects.filter(pk__in=leads, done_at__isnull=True,
                                      withdrawn_at__isnull=True).update(
            done_at=clock.now(), done_by_id=rules.actor_pk(actor))
        return progress.incoming_mark_completed(actor=actor, document=document,
                                                reply_document=reply_document)


def line_done(*, actor: Actor, line: AssignmentLine) -> AssignmentLine:
    """A co-operating unit or person (or a specialist given part of it) reports its part done.
    The document itself is completed by the lead (:func:`incoming_complete`)."""
    action = "workflow.line_done"
    document = line.incoming
    _require_visible(actor, action, document)
    if not (rules.holds(actor, line) or rules.is_director(actor, document.agency_id)):
        raise _refuse(actor, action, forbidden(), document)
    if line.withdrawn_at is not None:
        raise _withdrawn()
    if line.done_at is not None:
        raise Conflict("Phần việc này đã xong.", "This part is already done.", code="done")
    with transaction.atomic():
        line.done_at, line.done_by_id = clock.now(), rules.actor_pk(actor)
        # Conditional: a re-assignment may have withdrawn the line meanwhile.
        if not AssignmentLine.objects.filter(pk=line.pk, done_at__isnull=True,
                                             withdrawn_at__isnull=True).update(
                done_at=line.done_at, done_by_id=line.done_by_id):
            line.refresh_from_db(fields=["done_at", "done_by", "withdrawn_at"])
            if line.withdrawn_at is not None:
                raise _withdrawn()
            raise Conflict("Phần việc này đã xong.", "This part is already done.", code="done")
        audit_append(actor=actor, action=action, object_type="workflow.line", object_id=line.pk,
                     agency_code=document.agency.code, data={"incoming_id": document.pk})
    return line


def _withdrawn() -> Conflict:
    return Conflict("Phân công này đã được thu hồi.", "This assignment was withdrawn.",
                    code="withdrawn")
