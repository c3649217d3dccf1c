"""Draft approval before signing (trình ký): the states and which step each one allows.

A draft is submitted to the head (or a delegate); the head approves it, returns it with notes,
or only writes a note (bút phê). While it waits, or after a return until it is submitted again,
it can be neither changed, numbered nor signed: the head decides on exactly what was submitted.
A draft never submitted follows the old flow (the clerk numbers it). Pure Python: the services
and pages ask these functions, the tests check them without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Approval(StrEnum):
    """Where a draft stands with the head. Values are stored; never rename one."""

    NONE = ""  # never submitted: the ordinary flow
    PENDING = "pending"  # chờ duyệt
    RETURNED = "returned"  # trả lại, with the head's notes
    APPROVED = "approved"  # đã duyệt: the clerk numbers and signs


class Step(StrEnum):
    """One recorded step of the approval (append-only, with who and when)."""

    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    NOTE = "note"  # bút phê without a decision


@dataclass(frozen=True)
class Refusal:
    """Why a step is refused, in both languages, with a stable code."""

    code: str
    vi: str
    en: str


NOT_DRAFT = Refusal("approval_not_draft", "Chỉ trình duyệt được văn bản đang là dự thảo.",
                    "Only a draft can go through approval.")
ALREADY_PENDING = Refusal("approval_pending", "Dự thảo đang chờ lãnh đạo duyệt.",
                          "The draft is already waiting for approval.")
ALREADY_APPROVED = Refusal("approval_approved", "Dự thảo đã được lãnh đạo duyệt.",
                           "The draft was already approved.")
NOT_PENDING = Refusal("approval_not_pending", "Dự thảo không ở trạng thái chờ duyệt.",
                      "The draft is not waiting for approval.")
WAITING = Refusal("approval_waiting",
                  "Dự thảo đang chờ lãnh đạo duyệt: chưa được sửa, cấp số hoặc ký.",
                  "The draft is waiting for approval: it cannot be changed, numbered or signed.")
RETURNED = Refusal("approval_returned",
                   "Dự thảo đã bị lãnh đạo trả lại: hãy sửa theo bút phê và trình lại trước khi "
                   "cấp số hoặc ký.",
                   "The draft was returned: revise it and submit it again before it is "
                   "numbered or signed.")
APPROVED_FROZEN = Refusal("approval_frozen",
                          "Dự thảo đã được lãnh đạo duyệt nên không sửa được; cần sửa thì đề nghị "
                          "lãnh đạo trả lại.",
                          "The draft was approved and cannot be changed; ask the head to return "
                          "it.")
NOTE_REQUIRED = Refusal("approval_note_required", "Hãy ghi ý kiến khi trả lại dự thảo.",
                        "Write a note when returning a draft.")

DRAFT = "draft"  # registry.models.DocumentState.DRAFT (pure module: no model import)


def submit_refusal(state: str, approval: str) -> Refusal | None:
    """A draft never submitted, or returned, may be submitted."""
    if state != DRAFT:
        return NOT_DRAFT
    if approval == Approval.PENDING:
        return ALREADY_PENDING
    if approval == Approval.APPROVED:
        return ALREADY_APPROVED
    return None


def decide_refusal(state: str, approval: str, step: Step, note: str) -> Refusal | None:
    """Approve or return a draft waiting for approval (an approved draft may still be returned,
    the only way to change it again); a return says why."""
    if state != DRAFT:
        return NOT_DRAFT
    if approval != Approval.PENDING and not (step == Step.RETURN
                                             and approval == Approval.APPROVED):
        return NOT_PENDING
    if step == Step.RETURN and not note.strip():
        return NOTE_REQUIRED
    return None


def after(step: Step, approval: str) -> Approval:
    """The approval state a step leaves (a note changes nothing)."""
    if step == Step.SUBMIT:
        return Approval.PENDING
    if step == Step.APPROVE:
        return Approval.APPROVED
    if step == Step.RETURN:
        return Approval.RETURNED
    return Approval(approval)


def upload_refusal(approval: str) -> Refusal | None:
    """Upload the scan: not while the head is deciding."""
    return WAITING if approval == Approval.PENDING else None


def edit_refusal(approval: str) -> Refusal | None:
    """Edit the draft: not while the head is deciding nor once approved (a returned draft is
    revised, then submitted again)."""
    if approval == Approval.APPROVED:
        return APPROVED_FROZEN
    return upload_refusal(approval)


def number_refusal(approval: str) -> Refusal | None:
    """Number or sign: not while waiting, nor after a return until submitted again."""
    if approval == Approval.PENDING:
        return WAITING
    if approval == Approval.RETURNED:
        return RETURNED
    return None
