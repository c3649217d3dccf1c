"""Processing an accepted dossier (R11.2, R11.3): transfer to the first step, hand-overs between
units and, for joint (liên thông) procedures, to another agency and back; supplements after
appraisal (the clock restarts at the full supplement, Art. 19.5); approval; result; return;
the apology and the once-only new appointment (Mẫu 04, Art. 19.6); withdrawal (Mẫu 05).

Each transition is one event of the dossier's history (the control sheet Mẫu 06 and the
national portal export read it) and one audit event, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor
from vanban.onestop.core.clock import (
    Pause,
    appointment,
    clock_start,
    due_at,
    in_working_hours,
    supplement_closes_at,
)
from vanban.onestop.core.states import Action, State, next_state
from vanban.onestop.models import (
    Dossier,
    DossierFile,
    DossierStep,
    Extension,
    FileStage,
    SupplementRequest,
    SupplementStage,
    Withdrawal,
)
from vanban.onestop.services.common import (
    actor_id,
    atomic_refusing,
    locked,
    open_step,
    require_approver,
    require_handler,
    require_officer,
    text,
    transition,
)
from vanban.onestop.services.intake import Paper, store_papers, supplement_items
from vanban.onestop.services.timing import calendar_of, limit_of, rules_of, step_deadline


def _start(step: DossierStep, at: datetime, *, dossier: Dossier,
           holder_id: int | None = None) -> DossierStep:
    step.started_at = at
    if holder_id is not None:
        step.holder_id = holder_id
    if step.procedure_step is not None:
        step.deadline = step_deadline(at, step.procedure_step.time_value,
                                      step.procedure_step.time_unit, step.agency_id,
                                      rules_of(dossier))
    step.save(update_fields=["started_at", "holder", "deadline"])
    return step


def _check_holder(step: DossierStep, holder_id: int | None) -> None:
    """A named holder must be staff of the step's agency (and unit, when it has one)."""
    if holder_id is None:
        return
    staff = get_user_model().objects.filter(pk=holder_id, agency_id=step.agency_id,
                                            is_active=True)
    if step.unit_id is not None:
        staff = staff.filter(unit_id=step.unit_id)
    if not staff.exists():
        raise ValidationFailed("Người nhận không thuộc đơn vị của bước này.",
                               "The receiver is not staff of this step's unit.",
                               code="bad_holder")


def dossier_transfer(*, actor: Actor | None, dossier: Dossier,
                     holder_id: int | None = None) -> Dossier:
    """Transfer the accepted dossier to its first step (Art. 18.2; Phiếu chuyển xử lý)."""
    action = "transfer"
    require_officer(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.TRANSFER)
        first = dossier.steps.select_related("procedure_step").order_by("order").first()
        if first is None:  # accepted dossiers always have their steps; defensive for old rows
            raise Conflict("Hồ sơ chưa có bước xử lý.", "The dossier has no steps.",
                           code="no_steps")
        _check_holder(first, holder_id)
        now = clock.now()
        _start(first, now, dossier=dossier, holder_id=holder_id)
        transition(dossier, Action.TRANSFER, actor=actor, at=now, step=first,
                   data={"step": first.order})
    return dossier


def dossier_hand_over(*, actor: Actor | None, dossier: Dossier, holder_id: int | None = None,
                      note: str = "", within_step: bool = False) -> Dossier:
    """Hand the dossier on: to the next step (another unit, or the joint agency and back), or,
    ``within_step``, to a named person of the same step. One event with giver and receiver."""
    action = "hand_over"
    require_handler(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.HAND_OVER)
        current = open_step(dossier)
        if current is None:
            raise Conflict("Hồ sơ chưa được chuyển xử lý.", "The dossier was not transferred.",
                           code="no_open_step")
        now = clock.now()
        if within_step:
            _check_holder(current, holder_id)
            giver = DossierStep(agency_id=current.agency_id, unit_id=current.unit_id,
                                holder_id=current.holder_id)
            current.holder_id = holder_id
            current.save(update_fields=["holder"])
            transition(dossier, Action.HAND_OVER, actor=actor, at=now, step=current,
                       from_step=giver, note=note.strip(), data={"step": current.order})
            return dossier
        following = (dossier.steps.select_related("procedure_step")
                     .filter(order__gt=current.order).order_by("order").first())
        if following is None:
            raise Conflict("Đây là bước cuối; hãy trình phê duyệt và ghi nhận kết quả.",
                           "This is the last step: have it approved and record the result.",
                           code="last_step")
        _check_holder(following, holder_id)
        current.finished_at = now
        current.save(update_fields=["finished_at"])
        _start(following, now, dossier=dossier, holder_id=holder_id)
        transition(dossier, Action.HAND_OVER, actor=actor, at=now, step=following,
                   from_step=current, note=note.strip(),
                   data={"from_step": current.order, "step": following.order,
                         "from_deadline": current.deadline.isoformat()
                         if current.deadline else None,
                         "on_time": current.deadline is None or now <= current.deadline})
    return dossier


def dossier_request_supplement(*, actor: Actor | None, dossier: Dossier, items: Sequence[str],
                               reason: str = "") -> SupplementRequest:
    """Supplement after appraisal (Art. 19.5): the clock stops; without the full supplement
    within 15 days of the notice the dossier is closed."""
    action = "request_supplement"
    require_handler(actor, action, dossier)
    listed = supplement_items(items)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.REQUEST_SUPPLEMENT)
        now = clock.now()
        request = SupplementRequest.objects.create(
            dossier=dossier, stage=SupplementStage.APPRAISAL, items=listed,
            reason=reason.strip()[:2000], requested_at=now, requested_by_id=actor_id(actor),
            close_after=supplement_closes_at(now, calendar_of(dossier.desk_id),
                                             rules_of(dossier)))
        dossier.supplement_count += 1
        transition(dossier, Action.REQUEST_SUPPLEMENT, actor=actor, at=now,
                   fields=("supplement_count",), note=reason.strip(),
                   data={"items": listed, "request": request.pk,
                         "close_after": request.close_after.isoformat()
                         if request.close_after else None})
    return request


def dossier_supplement_received(*, actor: Actor | None, dossier: Dossier,
                                papers: Sequence[Paper] = ()) -> Dossier:
    """The full supplement arrived: the clock restarts with the whole limit (Art. 19.5); the
    old due time stays in the history."""
    action = "supplement_received"
    require_officer(actor, action, dossier)
    files = store_papers(dossier, papers, actor=actor, stage=FileStage.SUPPLEMENT) \
        if papers else []
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.SUPPLEMENT_RECEIVED)
        DossierFile.objects.bulk_create(files)
        now = clock.now()
        calendar, frozen = calendar_of(dossier.desk_id), rules_of(dossier)
        dossier.clock_start = clock_start(now, calendar, frozen)
        old_due = dossier.due_at
        dossier.due_at = due_at(dossier.clock_start, limit_of(dossier.procedure), calendar,
                                frozen)
        if not dossier.extended:
            dossier.original_due_at = dossier.due_at
        SupplementRequest.objects.filter(dossier=dossier, stage=SupplementStage.APPRAISAL,
                                         fulfilled_at=None).update(fulfilled_at=now)
        transition(dossier, Action.SUPPLEMENT_RECEIVED, actor=actor, at=now,
                   fields=("clock_start", "due_at", "original_due_at"),
                   data={"files": [f.sha256 for f in files],
                         "old_due": old_due.isoformat() if old_due else None,
                         "due": dossier.due_at.isoformat()})
    return dossier


def not_future(at: datetime | None) -> datetime:
    """The moment a closure is written for: ``at`` (a sweep run late, for a past moment) or
    now. A moment still to come is refused: it would close dossiers early, and its event,
    dated later than the ones written after it, would upset the DVCQG export's order."""
    now = clock.now()
    if at is None:
        return now
    if at > now:
        raise ValidationFailed(
            "Thời điểm chạy không được ở tương lai (--at phải là hiện tại hoặc trước đó).",
            "The moment of the run may not be in the future (--at must be now or earlier).",
            code="future_time")
    return at


def dossier_close_unsupplemented(*, actor: Actor | None, dossier: Dossier,
                                 at: datetime | None = None) -> Dossier:
    """Close a dossier whose appraisal supplement never came within the closure period
    (``at``: the moment of the closure, for a sweep run for a given time; default now)."""
    action = "close_no_supplement"
    require_officer(actor, action, dossier)
    now = not_future(at)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.CLOSE_NO_SUPPLEMENT)
        request = (SupplementRequest.objects.filter(
            dossier=dossier, stage=SupplementStage.APPRAISAL, fulfilled_at=None)
            .order_by("-requested_at").first())
        if request is None or request.close_after is None or now < request.close_after:
            raise Conflict("Chưa hết thời hạn bổ sung hồ sơ.",
                           "The supplement period has not run out yet.", code="not_yet")
        dossier.finished_at = now
        transition(dossier, Action.CLOSE_NO_SUPPLEMENT, actor=actor, at=now,
                   fields=("finished_at",), data={"request": request.pk})
    return dossier


def dossier_request_fee(*, actor: Actor | None, dossier: Dossier, note: str = "") -> Dossier:
    """Ask the applicant to pay fees or taxes (DVCQG status 6). The clock stops only when the
    procedure says so (``clock.fee_pause``, per procedure)."""
    action = "request_fee"
    require_handler(actor, action, dossier)
    why = text(note, what_vi="nội dung nghĩa vụ tài chính", what_en="what is to be paid")
    with transaction.atomic():
        dossier = locked(dossier)
        transition(dossier, Action.REQUEST_FEE, actor=actor, note=why)
    return dossier


def _fee_pauses(dossier: Dossier, now: datetime) -> list[Pause]:
    """The dossier's stops of the clock: appraisal supplements (restart) and fee waits."""
    pauses = [Pause(r.requested_at, r.fulfilled_at, restart=True)
              for r in dossier.supplement_requests.filter(stage=SupplementStage.APPRAISAL)
              if r.fulfilled_at is not None]
    asked: datetime | None = None
    for event in dossier.events.filter(action__in=(Action.REQUEST_FEE.value,
                                                   Action.FEE_PAID.value)).order_by("id"):
        if event.action == Action.REQUEST_FEE.value:
            asked = event.at
        elif asked is not None:
            pauses.append(Pause(asked, event.at, restart=False))
            asked = None
    if asked is not None:
        pauses.append(Pause(asked, now, restart=False))
    return pauses


def dossier_fee_paid(*, actor: Actor | None, dossier: Dossier) -> Dossier:
    """The fees are paid: processing resumes; when the procedure pauses the clock for fees, the
    remaining working time runs again from now (never an earlier due time)."""
    action = "fee_paid"
    require_officer(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.FEE_PAID)
        now = clock.now()
        fields: tuple[str, ...] = ()
        if dossier.procedure.fee_pauses_clock and not dossier.extended \
                and dossier.accepted_at is not None and dossier.due_at is not None:
            plan = appointment(dossier.accepted_at, limit_of(dossier.procedure),
                               calendar_of(dossier.desk_id), rules_of(dossier),
                               pauses=_fee_pauses(dossier, now))
            dossier.due_at = max(dossier.due_at, plan.due)
            dossier.original_due_at = dossier.due_at
            fields = ("due_at", "original_due_at")
        transition(dossier, Action.FEE_PAID, actor=actor, at=now, fields=fields)
    return dossier


def dossiers_close_unsupplemented_due(*, actor: Actor | None = None,
                                      at: datetime | None = None) -> list[Dossier]:
    """Close every dossier whose appraisal supplement period ran out by ``at`` (default now;
    for a scheduled run or the operator's command); each closure is its own transaction and
    event."""
    moment = not_future(at)
    due = (Dossier.objects.select_related("desk", "procedure", "procedure__agency")
           .filter(state=State.SUPPLEMENT_REQUESTED,
                   supplement_requests__stage=SupplementStage.APPRAISAL,
                   supplement_requests__fulfilled_at=None,
                   supplement_requests__close_after__lte=moment)
           .distinct().order_by("id"))
    return [dossier_close_unsupplemented(actor=actor, dossier=d, at=moment) for d in due]


def _has_approval(dossier: Dossier) -> bool:
    return dossier.events.filter(action=Action.APPROVE.value).exists()


def dossier_approve(*, actor: Actor | None, dossier: Dossier, note: str = "") -> Dossier:
    """The deciding agency's leader approves the result (the dossier stays in processing)."""
    action = "approve"
    require_approver(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        transition(dossier, Action.APPROVE, actor=actor, note=note.strip())
    return dossier


def dossier_result_ready(*, actor: Actor | None, dossier: Dossier, note: str = "",
                         papers: Sequence[Paper] = ()) -> Dossier:
    """The approved result is at the desk (Đã xử lý xong); the last step ends."""
    action = "result_ready"
    require_handler(actor, action, dossier)
    files = store_papers(dossier, papers, actor=actor, stage=FileStage.RESULT) \
        if papers else []
    with atomic_refusing(actor, action, dossier, "not_approved"):
        dossier = locked(dossier)
        next_state(dossier.state, Action.RESULT_READY)
        if not _has_approval(dossier):
            raise Conflict("Kết quả chưa được lãnh đạo phê duyệt.",
                           "The result was not approved yet.", code="not_approved")
        DossierFile.objects.bulk_create(files)
        now = clock.now()
        dossier.steps.filter(finished_at=None).exclude(started_at=None).update(finished_at=now)
        dossier.finished_at = now
        dossier.result_note = note.strip()[:2000]
        transition(dossier, Action.RESULT_READY, actor=actor, at=now,
                   fields=("finished_at", "result_note"),
                   data={"files": [f.sha256 for f in files],
                         "on_time": dossier.due_at is None or now <= dossier.due_at})
    return dossier


def dossier_refuse_after_appraisal(*, actor: Actor | None, dossier: Dossier,
                                   reason: str) -> Dossier:
    """Refusal after appraisal, within the deadline, returned via the desk (Art. 19.3)."""
    action = "refuse_after_appraisal"
    require_approver(actor, action, dossier)
    why = text(reason, what_vi="lý do từ chối", what_en="reason for refusal")
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.REFUSE_AFTER_APPRAISAL)
        now = clock.now()
        dossier.steps.filter(finished_at=None).exclude(started_at=None).update(finished_at=now)
        dossier.refusal_reason = why
        dossier.finished_at = now
        transition(dossier, Action.REFUSE_AFTER_APPRAISAL, actor=actor, at=now, note=why,
                   fields=("refusal_reason", "finished_at"))
    return dossier


def dossier_return_result(*, actor: Actor | None, dossier: Dossier, note: str = "") -> Dossier:
    """The desk hands the result (or the refusal) to the applicant (Art. 22)."""
    action = "return_result"
    require_officer(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        dossier.returned_at = clock.now()
        transition(dossier, Action.RETURN_RESULT, actor=actor, at=dossier.returned_at,
                   fields=("returned_at",), note=note.strip())
    return dossier


def dossier_apologise_and_extend(*, actor: Actor | None, dossier: Dossier, reason: str,
                                 new_due_at: datetime) -> Extension:
    """Mẫu 04: apology and a new appointment, once only (Art. 19.6). Issued at least one day
    before the due time; a later letter is still issued but flagged late (§12)."""
    action = "extend"
    require_approver(actor, action, dossier)
    why = text(reason, what_vi="lý do gia hạn", what_en="reason for the extension")
    with atomic_refusing(actor, action, dossier, "second_extension"):
        dossier = locked(dossier)
        next_state(dossier.state, Action.EXTEND)
        if dossier.extended or Extension.objects.filter(dossier=dossier).exists():
            raise Conflict(
                "Hồ sơ đã được gia hạn một lần; thời hạn chỉ được điều chỉnh một lần "
                "(NĐ 118/2025, Điều 19 khoản 6).",
                "The dossier was already extended; the due time moves once only "
                "(Decree 118/2025, Art. 19.6).", code="second_extension")
        old_due = dossier.due_at
        if old_due is None or new_due_at <= old_due:
            raise ValidationFailed("Thời hạn mới phải sau thời hạn hẹn trả hiện tại.",
                                   "The new due time must be after the current one.",
                                   code="bad_new_due")
        if not in_working_hours(new_due_at, calendar_of(dossier.desk_id), rules_of(dossier)):
            raise ValidationFailed(
                "Thời hạn mới phải là giờ làm việc của một ngày làm việc theo lịch của cơ quan "
                "tiếp nhận hồ sơ.",
                "The new due time must be within working hours of a working day of the "
                "receiving agency's calendar.", code="new_due_off_hours")
        now = clock.now()
        letter = Extension.objects.create(
            dossier=dossier, reason=why, old_due_at=old_due, new_due_at=new_due_at,
            issued_at=now, issued_by_id=actor_id(actor),
            late=now > old_due - timedelta(days=1))
        dossier.original_due_at = dossier.original_due_at or old_due
        dossier.due_at = new_due_at
        dossier.extended = True
        transition(dossier, Action.EXTEND, actor=actor, at=now, note=why,
                   fields=("original_due_at", "due_at", "extended"),
                   data={"old_due": old_due.isoformat(), "new_due": new_due_at.isoformat(),
                         "late": letter.late})
    return letter


def dossier_withdraw(*, actor: Actor | None, dossier: Dossier, reason: str = "",
                     requested_at: datetime | None = None) -> Withdrawal:
    """The applicant asks to withdraw the dossier before the decision (Art. 21). The portal
    calls this with no actor, after checking the tracking secret."""
    action = "request_withdrawal"
    require_officer(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.REQUEST_WITHDRAWAL)
        now = clock.now()
        request = Withdrawal.objects.create(
            dossier=dossier, requested_at=requested_at or now, reason=reason.strip()[:2000],
            recorded_by_id=actor_id(actor))
        transition(dossier, Action.REQUEST_WITHDRAWAL, actor=actor, at=now,
                   note=reason.strip())
    return request


def dossier_stop(*, actor: Actor | None, dossier: Dossier, returned_items: str = "") -> Dossier:
    """Mẫu 05: the desk stops the withdrawn dossier and says what it gives back."""
    action = "stop"
    require_officer(actor, action, dossier)
    with transaction.atomic():
        dossier = locked(dossier)
        next_state(dossier.state, Action.STOP)
        now = clock.now()
        Withdrawal.objects.filter(dossier=dossier).update(
            stopped_at=now, returned_items=returned_items.strip()[:2000])
        dossier.steps.filter(finished_at=None).exclude(started_at=None).update(finished_at=now)
        dossier.finished_at = now
        transition(dossier, Action.STOP, actor=actor, at=now, fields=("finished_at",),
                   note=returned_items.strip())
    return dossier
