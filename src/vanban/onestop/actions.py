"""The dossier page's buttons: which actions a user is offered (the state machine's next moves
that the policy lets them do) and which service each one calls with the posted form.

The services check state and permission again; offering a button is only a convenience.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.datastructures import MultiValueDict

from vanban.audit.services import audit_append
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.onestop import rules, selectors, services
from vanban.onestop.core.states import Action, allowed_actions
from vanban.onestop.forms import ActionForm, ForwardedForm, IntakeForm, lines
from vanban.onestop.models import Dossier, Procedure
from vanban.onestop.services.common import OBJECT_TYPE, holding, open_step, text
from vanban.onestop.services.forwarding import dossier_send_to_agency, forwarding_targets
from vanban.onestop.services.intake import supplement_items

OFFICER = frozenset({Action.ACCEPT, Action.REQUEST_INTAKE_SUPPLEMENT,
                     Action.INTAKE_SUPPLEMENT_RECEIVED, Action.REFUSE, Action.TRANSFER,
                     Action.SUPPLEMENT_RECEIVED, Action.CLOSE_NO_SUPPLEMENT,
                     Action.RETURN_RESULT, Action.REQUEST_WITHDRAWAL, Action.STOP})
FORWARDER = frozenset({Action.SEND_TO_AGENCY})
HANDLER = frozenset({Action.HAND_OVER, Action.REQUEST_SUPPLEMENT, Action.RESULT_READY})
APPROVER = frozenset({Action.APPROVE, Action.REFUSE_AFTER_APPRAISAL, Action.EXTEND})
# The fields each action's form shows (the page draws only these).
FIELDS: dict[Action, tuple[str, ...]] = {
    Action.REQUEST_INTAKE_SUPPLEMENT: ("items", "reason"),
    Action.INTAKE_SUPPLEMENT_RECEIVED: ("papers",),
    Action.REFUSE: ("reason",),
    Action.HAND_OVER: ("note",),
    Action.REQUEST_SUPPLEMENT: ("items", "reason"),
    Action.SUPPLEMENT_RECEIVED: ("papers",),
    Action.APPROVE: ("note",),
    Action.RESULT_READY: ("note", "result"),
    Action.REFUSE_AFTER_APPRAISAL: ("reason",),
    Action.RETURN_RESULT: ("note",),
    Action.EXTEND: ("reason", "new_day", "new_time"),
    Action.REQUEST_WITHDRAWAL: ("reason", "requested_day"),
    Action.STOP: ("returned_items",),
    Action.SEND_TO_AGENCY: ("target", "note"),
}


@dataclass(frozen=True)
class Offered:
    """One button of the dossier page and the fields its form shows."""

    action: Action
    fields: tuple[str, ...]


def offered(actor: Actor, dossier: Dossier) -> list[Offered]:
    """The next moves of the dossier this user may make, in the state machine's order."""
    step = holding(open_step(dossier))
    mine: set[Action] = set()
    if rules.is_officer(actor, dossier.desk_id):
        mine |= OFFICER
    if rules.may_forward(actor, dossier.desk_id) and not dossier.classified:
        mine |= FORWARDER
    if rules.may_handle(actor, desk_id=dossier.desk_id, step=step):
        mine |= HANDLER
    if rules.may_approve(actor, deciding_id=dossier.procedure.agency_id, step=step):
        mine |= APPROVER
    return [Offered(a, FIELDS.get(a, ())) for a in Action
            if a in mine and a in allowed_actions(dossier.state)]


def papers(files: MultiValueDict[str, UploadedFile[Any]]) -> list[services.Paper]:
    """Uploads named ``doc-<id>`` (a required document; several scan pages allowed) and
    ``extra`` or ``result`` (a paper of no required document) as the services' papers."""
    found: list[services.Paper] = []
    for key in files:
        parts: Sequence[UploadedFile[Any]] = files.getlist(key)
        if not parts:
            continue
        doc_id: int | None = None
        if key.startswith("doc-") and key[4:].isdigit():
            doc_id = int(key[4:])
        elif key not in ("extra", "result"):
            continue
        found.append(services.Paper(parts=[p.read() for p in parts],
                                    filename=parts[0].name or "", required_document_id=doc_id))
    return found


Runner = Callable[[Actor, Dossier, ActionForm, list[services.Paper]], object]


def _extend(actor: Actor, d: Dossier, f: ActionForm, _p: list[services.Paper]) -> object:
    due = f.new_due()
    if due is None:
        raise ValidationFailed("Hãy nhập ngày hẹn trả mới (dd/mm/yyyy).",
                               "Enter the new return date (dd/mm/yyyy).", code="required")
    return services.dossier_apologise_and_extend(actor=actor, dossier=d, new_due_at=due,
                                                 reason=f.cleaned_data["reason"])


def _send(actor: Actor, d: Dossier, f: ActionForm, _p: list[services.Paper]) -> object:
    target = forwarding_targets(d.desk_id).filter(pk=f.cleaned_data["target"] or 0).first()
    if target is None:
        raise ValidationFailed("Hãy chọn cơ quan nhận hồ sơ trong danh sách.",
                               "Choose the receiving agency from the list.", code="no_target")
    return dossier_send_to_agency(actor=actor, dossier=d, target_agency=target,
                                  note=f.cleaned_data["note"])


RUN: Mapping[Action, Runner] = {
    Action.ACCEPT: lambda a, d, f, p: services.dossier_accept(actor=a, dossier=d),
    Action.REQUEST_INTAKE_SUPPLEMENT: lambda a, d, f, p: services.
    dossier_request_intake_supplement(actor=a, dossier=d, items=lines(f.cleaned_data["items"]),
                                      reason=f.cleaned_data["reason"]),
    Action.INTAKE_SUPPLEMENT_RECEIVED: lambda a, d, f, p: services.
    dossier_intake_supplement_received(actor=a, dossier=d, papers=p),
    Action.REFUSE: lambda a, d, f, p: services.dossier_refuse(
        actor=a, dossier=d, reason=f.cleaned_data["reason"]),
    Action.TRANSFER: lambda a, d, f, p: services.dossier_transfer(actor=a, dossier=d),
    Action.HAND_OVER: lambda a, d, f, p: services.dossier_hand_over(
        actor=a, dossier=d, note=f.cleaned_data["note"]),
    Action.REQUEST_SUPPLEMENT: lambda a, d, f, p: services.dossier_request_supplement(
        actor=a, dossier=d, items=lines(f.cleaned_data["items"]),
        reason=f.cleaned_data["reason"]),
    Action.SUPPLEMENT_RECEIVED: lambda a, d, f, p: services.dossier_supplement_received(
        actor=a, dossier=d, papers=p),
    Action.CLOSE_NO_SUPPLEMENT: lambda a, d, f, p: services.dossier_close_unsupplemented(
        actor=a, dossier=d),
    Action.APPROVE: lambda a, d, f, p: services.dossier_approve(
        actor=a, dossier=d, note=f.cleaned_data["note"]),
    Action.RESULT_READY: lambda a, d, f, p: services.dossier_result_ready(
        actor=a, dossier=d, note=f.cleaned_data["note"], papers=p),
    Action.REFUSE_AFTER_APPRAISAL: lambda a, d, f, p: services.dossier_refuse_after_appraisal(
        actor=a, dossier=d, reason=f.cleaned_data["reason"]),
    Action.RETURN_RESULT: lambda a, d, f, p: services.dossier_return_result(
        actor=a, dossier=d, note=f.cleaned_data["note"]),
    Action.EXTEND: _extend,
    Action.REQUEST_WITHDRAWAL: lambda a, d, f, p: services.dossier_withdraw(
        actor=a, dossier=d, reason=f.cleaned_data["reason"], requested_at=f.requested_at()),
    Action.STOP: lambda a, d, f, p: services.dossier_stop(
        actor=a, dossier=d, returned_items=f.cleaned_data["returned_items"]),
    Action.SEND_TO_AGENCY: _send,
}


def run(actor: Actor, dossier: Dossier, name: str, form: ActionForm,
        files: MultiValueDict[str, UploadedFile[Any]]) -> object:
    """Carry out the action ``name`` on the dossier; a bilingual refusal for bad input."""
    try:
        action = Action(name)
    except ValueError:
        raise ValidationFailed("Thao tác không hợp lệ.", "Unknown action.",
                               code="unknown_action") from None
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        raise ValidationFailed(f"Dữ liệu không hợp lệ: {first}", f"Invalid input: {first}",
                               code="invalid_form")
    return RUN[action](actor, dossier, form, papers(files))


@dataclass(frozen=True)
class CounterResult:
    """What the counter intake made: the dossier, and its secret when it was accepted."""

    dossier: Dossier
    secret: str = ""


def _check_decision(procedure: Procedure, form: IntakeForm,
                    uploads: list[services.Paper]) -> list[str]:
    """Before anything is written: what the decision needs is there and passes the services'
    own checks, so a refused decision leaves no dossier behind. Returns the items a
    supplement request lists (the officer's, or the missing mandatory papers)."""
    decision = form.cleaned_data["decision"]
    missing = selectors.papers_missing(procedure, {p.required_document_id for p in uploads})
    if decision == "accept" and missing:
        names = "; ".join(missing)
        raise ValidationFailed(f"Hồ sơ còn thiếu giấy tờ bắt buộc: {names}. Hãy yêu cầu bổ "
                               "sung hoặc tải lên đủ giấy tờ.",
                               f"Mandatory papers are missing: {names}. Ask for a supplement "
                               "or upload them.", code="missing_documents")
    if decision == "refuse" and not form.cleaned_data["reason"].strip():
        raise ValidationFailed("Từ chối tiếp nhận phải ghi rõ lý do.",
                               "A refusal needs its reason.", code="reason_required")
    if decision == "refuse":
        text(form.cleaned_data["reason"], what_vi="lý do từ chối",
             what_en="reason for refusal")
    if decision != "supplement":
        return []
    if not (lines(form.cleaned_data["items"]) or missing):
        raise ValidationFailed("Hãy liệt kê các giấy tờ cần bổ sung.",
                               "List the papers to be added.", code="no_items")
    return supplement_items(lines(form.cleaned_data["items"]) or missing)


def counter_intake(actor: Actor, desk: Agency, procedure: Procedure, form: IntakeForm,
                   files: MultiValueDict[str, UploadedFile[Any]]) -> CounterResult:
    """R11.1, R11.2: receive at the counter with the scanned papers, then accept (Mẫu 01), ask
    for the supplement (Mẫu 02) or refuse (Mẫu 03), as the officer decided. Bad input is
    refused before anything is written."""
    uploads = papers(files)
    items = _check_decision(procedure, form, uploads)
    data = form.cleaned_data
    dossier = services.dossier_receive(
        actor=actor, desk=desk, procedure=procedure, papers=uploads, subject=data["subject"],
        classification=data["classification"],
        applicant=services.Applicant(name=data["name"], id_number=data["id_number"],
                                     address=data["address"], phone=data["phone"],
                                     email=data["email"]))
    decision = data["decision"]
    if decision == "accept":
        accepted = services.dossier_accept(actor=actor, dossier=dossier)
        return CounterResult(accepted.dossier, accepted.secret)
    if decision == "supplement":
        services.dossier_request_intake_supplement(actor=actor, dossier=dossier, items=items,
                                                   reason=data["reason"])
    else:
        services.dossier_refuse(actor=actor, dossier=dossier, reason=data["reason"])
    return CounterResult(dossier)


def forwarded_papers(post: Mapping[str, str], count: int, procedure: Procedure) -> list[int | None]:
    """Which of the procedure's papers each received file is (``paper-<n>``, file order); an
    empty or unknown choice is a paper of no required document."""
    known = set(procedure.required_documents.values_list("pk", flat=True))
    ids: list[int | None] = []
    for n in range(count):
        value = post.get(f"paper-{n}", "")
        ids.append(int(value) if value.isdigit() and int(value) in known else None)
    return ids


def take_forwarded(actor: Actor, delivery_uid: str, procedure: Procedure, form: ForwardedForm,
                   paper_ids: list[int | None]) -> CounterResult:
    """R11.1(a), R11.2: make the forwarded dossier this desk's (channel *agency*) and, when the
    officer decided so, accept it at once (own code, Mẫu 01). One transaction: an acceptance
    refused (a mandatory paper missing) leaves no dossier behind."""
    data = form.cleaned_data
    applicant = services.Applicant(name=data["name"], id_number=data["id_number"],
                                   address=data["address"], phone=data["phone"],
                                   email=data["email"])
    missing = selectors.papers_missing(procedure, set(paper_ids))
    if data["decision"] == "accept" and missing:
        # Checked before the transaction: a refusal found inside it would roll its own audit
        # row back with the dossier it undoes.
        names = "; ".join(missing)
        audit_append(actor=actor, action="onestop.accept.denied", object_type=OBJECT_TYPE,
                     agency_code=procedure.agency.code,
                     data={"delivery": delivery_uid, "reason": "missing_documents",
                           "missing": missing})
        error = ValidationFailed(f"Hồ sơ còn thiếu giấy tờ bắt buộc: {names}.",
                                 f"Mandatory papers are missing: {names}.",
                                 code="missing_documents")
        error.audited = True
        raise error
    with transaction.atomic():
        dossier = services.dossier_receive_from_agency(
            actor=actor, delivery_uid=delivery_uid, procedure=procedure, applicant=applicant,
            required_document_ids=paper_ids)
        if data["decision"] != "accept":
            return CounterResult(dossier)
        accepted = services.dossier_accept(actor=actor, dossier=dossier)
        return CounterResult(accepted.dossier, accepted.secret)
