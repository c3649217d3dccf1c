"""Intake at the one-stop desk (R11.1, R11.2, R3.1): receive a dossier from the counter, the
portal, the post or another agency; check it against the procedure's papers; ask once for
everything missing (Art. 17.1.c), refuse with reasons, or accept — the code, the tracking secret
and the appointment (Art. 17.3) come only with acceptance.

Files pass the one intake of every door (``vanban.security.intake``, door ``onestop``): type by
content, the PDF rules, the malware scanner; then they are content-addressed blobs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.onestop import rules
from vanban.onestop.clock_config import clock_rules, rules_as_data
from vanban.onestop.core.clock import appointment
from vanban.onestop.core.codes import hash_secret, new_secret
from vanban.onestop.core.states import Action, State, next_state
from vanban.onestop.models import (
    Channel,
    Classification,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStep,
    FileStage,
    Procedure,
    RequiredDocument,
    StepRole,
    SupplementRequest,
    SupplementStage,
)
from vanban.onestop.services.common import (
    OBJECT_TYPE,
    actor_id,
    actor_name,
    atomic_refusing,
    locked,
    refused,
    require_officer,
    text,
    transition,
)
from vanban.onestop.services.forwarding import refuse_while_forwarded
from vanban.onestop.services.numbering import code_issue, dvcqg_identifier
from vanban.onestop.services.timing import calendar_of, limit_of
from vanban.registry.services.common import classified_message
from vanban.security.intake import Door, FileGroup, intake_files
from vanban.storage.services import blob_put

PDF = "application/pdf"


@dataclass(frozen=True)
class Applicant:
    """Who files the dossier (tổ chức, cá nhân)."""

    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Paper:
    """One paper as scanned or uploaded: one PDF or the page images of one scan, filling a
    required document of the procedure (or none: an extra paper)."""

    parts: Sequence[bytes]
    filename: str = ""
    required_document_id: int | None = None


@dataclass(frozen=True)
class Acceptance:
    """An accepted dossier and its tracking secret, shown once (on Mẫu 01) and never stored;
    empty when the secret was already given at filing (the portal's online filing)."""

    dossier: Dossier
    secret: str
    provisional: bool = False
    days_counted: tuple[str, ...] = field(default=())


def store_papers(dossier: Dossier, papers: Sequence[Paper], *, actor: Actor | None,
                  stage: FileStage) -> list[DossierFile]:
    """Check and scan ``papers`` (outside any transaction: refusals are audited on their own),
    then store them as blobs of the dossier."""
    names = {d.pk: d.name for d in RequiredDocument.objects.filter(procedure=dossier.procedure_id)}
    for paper in papers:
        if paper.required_document_id is not None and paper.required_document_id not in names:
            raise ValidationFailed("Giấy tờ không thuộc thành phần hồ sơ của thủ tục này.",
                                   "That paper is not one of this procedure's documents.",
                                   code="unknown_document")
    accepted = intake_files(
        door=Door.ONESTOP, actor=actor, agency_code=dossier.desk.code,
        groups=[FileGroup(parts=p.parts, what_vi=names.get(p.required_document_id or 0,
                                                            "giấy tờ"),
                          what_en="paper", names=[p.filename]) for p in papers])
    stored = []
    for paper, found in zip(papers, accepted, strict=True):
        blob = blob_put(data=found.data, content_type=PDF)
        stored.append(DossierFile(
            dossier=dossier, required_document_id=paper.required_document_id, stage=stage,
            sha256=blob.sha256, size=len(found.data), content_type=PDF,
            filename=paper.filename[:200], uploaded_by_id=actor_id(actor),
            uploaded_at=clock.now()))
    return stored


def missing_documents(dossier: Dossier) -> list[RequiredDocument]:
    """The procedure's mandatory papers with no file in the dossier (the checklist)."""
    filled = set(dossier.files.exclude(required_document=None)
                 .values_list("required_document_id", flat=True))
    return [d for d in dossier.procedure.required_documents.filter(mandatory=True)
            if d.pk not in filled]


def _current(procedure: Procedure) -> None:
    if not procedure.active or procedure.replaced_by_id is not None:
        raise ValidationFailed("Thủ tục này không còn áp dụng; hãy chọn phiên bản hiện hành.",
                               "This procedure is no longer in use; choose the current version.",
                               code="procedure_not_current")


def dossier_receive(*, actor: Actor | None, desk: Agency, procedure: Procedure,
                    applicant: Applicant, channel: Channel = Channel.COUNTER,
                    papers: Sequence[Paper] = (), subject: str = "",
                    classification: str = Classification.NORMAL,
                    origin: Mapping[str, Any] | None = None) -> Dossier:
    """R11.1: record a dossier received at ``desk`` (state *submitted*), with its papers
    (``origin``: where a dossier from another agency came from, kept on its first event).

    Classified content is refused and nothing is kept (R3.1). The portal calls this with the
    channel ``online`` and no actor; every other channel needs the desk's one-stop officer.
    """
    action = "onestop.dossier_receive"
    if classification not in Classification.values:
        raise ValidationFailed("Độ mật không hợp lệ.", "Unknown classification.",
                               code="bad_classification")
    if classification != Classification.NORMAL:
        error = classified_message(classification)
        audit_append(actor=actor, action=f"{action}.denied", object_type=OBJECT_TYPE,
                     agency_code=desk.code,
                     data={"reason": error.code, "classification": classification})
        error.audited = True
        raise error
    if not rules.is_officer(actor, desk.pk):
        raise forbidden()
    _current(procedure)
    name = text(applicant.name, what_vi="tên tổ chức, cá nhân", what_en="applicant's name",
                limit=200)
    probe = Dossier(desk=desk, procedure=procedure)
    files = store_papers(probe, papers, actor=actor, stage=FileStage.INTAKE) if papers else []
    now = clock.now()
    with transaction.atomic():
        dossier = Dossier.objects.create(
            desk=desk, procedure=procedure, channel=channel, classification=classification,
            applicant_name=name, applicant_id_number=applicant.id_number.strip()[:30],
            applicant_address=applicant.address.strip()[:300],
            applicant_phone=applicant.phone.strip()[:20],
            applicant_email=applicant.email.strip()[:254],
            subject=subject.strip()[:500], state=State.SUBMITTED, received_at=now,
            received_by_id=actor_id(actor), updated_at=now)
        for row in files:
            row.dossier = dossier
        DossierFile.objects.bulk_create(files)
        event = DossierEvent.objects.create(
            dossier=dossier, action="receive", from_state="", to_state=State.SUBMITTED,
            at=now, actor_id=actor_id(actor), actor_name=actor_name(actor),
            to_agency_id=desk.pk,
            data={"channel": channel, "files": len(files), **({"origin": dict(origin)}
                                                               if origin else {})})
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=dossier.pk,
                     agency_code=desk.code,
                     data={"procedure": procedure.code, "version": procedure.version,
                           "channel": channel, "files": [f.sha256 for f in files],
                           "event": event.pk, **({"origin": dict(origin)} if origin else {})})
    return dossier


def dossier_add_papers(*, actor: Actor | None, dossier: Dossier,
                       papers: Sequence[Paper]) -> list[DossierFile]:
    """Add scanned papers while the desk still checks the dossier (no state change)."""
    action = "dossier_add_papers"
    require_officer(actor, action, dossier)
    if dossier.state not in (State.SUBMITTED, State.INTAKE_SUPPLEMENT):
        raise Conflict("Chỉ bổ sung giấy tờ khi hồ sơ đang được kiểm tra.",
                       "Papers are added only while the dossier is being checked.",
                       code="wrong_state")
    files = store_papers(dossier, papers, actor=actor, stage=FileStage.INTAKE)
    with transaction.atomic():
        DossierFile.objects.bulk_create(files)
        audit_append(actor=actor, action=f"onestop.{action}", object_type=OBJECT_TYPE,
                     object_id=dossier.pk, agency_code=dossier.desk.code,
                     data={"files": [f.sha256 for f in files]})
    return files


def supplement_items(items: Sequence[str]) -> list[str]:
    cleaned = [text(i, what_vi="giấy tờ cần bổ sung", what_en="item", limit=500)
               for i in items if i.strip()]
    if not cleaned:
        raise ValidationFailed("Hãy liệt kê đầy đủ các giấy tờ cần bổ sung.",
                               "List every paper to be added.", code="no_items")
    return cleaned


def dossier_request_intake_supplement(*, actor: Actor | None, dossier: Dossier,
                                      items: Sequence[str], reason: str = "") -> SupplementRequest:
    """Mẫu 02 at intake: all missing items at once, and only once (Art. 17.1.c)."""
    action = "request_intake_supplement"
    require_officer(actor, action, dossier)
    listed = supplement_items(items)
    with atomic_refusing(actor, action, dossier, "second_intake_supplement",
                         "forwarding_open"):
        dossier = locked(dossier)
        refuse_while_forwarded(dossier)
        if dossier.intake_supplement_count >= 1:
            raise Conflict(
                "Hồ sơ đã được yêu cầu bổ sung một lần khi tiếp nhận; không yêu cầu lần hai "
                "(NĐ 118/2025, Điều 17 khoản 1 điểm c).",
                "The dossier was already asked for supplements once at intake; a second "
                "request is not allowed (Decree 118/2025, Art. 17.1.c).",
                code="second_intake_supplement")
        request = SupplementRequest.objects.create(
            dossier=dossier, stage=SupplementStage.INTAKE, items=listed,
            reason=reason.strip()[:2000], requested_at=clock.now(),
            requested_by_id=actor_id(actor))
        dossier.intake_supplement_count += 1
        transition(dossier, Action.REQUEST_INTAKE_SUPPLEMENT, actor=actor,
                   fields=("intake_supplement_count",), note=reason.strip(),
                   data={"items": listed, "request": request.pk})
    return request


def dossier_intake_supplement_received(*, actor: Actor | None, dossier: Dossier,
                                       papers: Sequence[Paper] = ()) -> Dossier:
    """The applicant brought what was asked: back to the check (the clock has not started)."""
    action = "intake_supplement_received"
    require_officer(actor, action, dossier)
    files = store_papers(dossier, papers, actor=actor, stage=FileStage.SUPPLEMENT) \
        if papers else []
    with transaction.atomic():
        dossier = locked(dossier)
        DossierFile.objects.bulk_create(files)
        now = clock.now()
        SupplementRequest.objects.filter(dossier=dossier, stage=SupplementStage.INTAKE,
                                         fulfilled_at=None).update(fulfilled_at=now)
        transition(dossier, Action.INTAKE_SUPPLEMENT_RECEIVED, actor=actor, at=now,
                   data={"files": [f.sha256 for f in files]})
    return dossier


def dossier_refuse(*, actor: Actor | None, dossier: Dossier, reason: str) -> Dossier:
    """R11.2: an invalid dossier goes back with the reason (Mẫu 03)."""
    action = "refuse"
    require_officer(actor, action, dossier)
    why = text(reason, what_vi="lý do từ chối", what_en="reason for refusal")
    with atomic_refusing(actor, action, dossier, "forwarding_open"):
        dossier = locked(dossier)
        refuse_while_forwarded(dossier)
        dossier.refusal_reason = why
        dossier.finished_at = clock.now()
        transition(dossier, Action.REFUSE, actor=actor, note=why, at=dossier.finished_at,
                   fields=("refusal_reason", "finished_at"))
    return dossier


def _code_identifier(dossier: Dossier) -> str:
    """Part 1 of the code: the deciding body's identifier (online: DVCQG's when set)."""
    if dossier.channel == Channel.ONLINE and dvcqg_identifier():
        return dvcqg_identifier()
    return dossier.procedure.agency.code


def _copy_steps(dossier: Dossier) -> None:
    """The dossier's own copy of the procedure's steps (one step at the deciding agency when the
    procedure lists none)."""
    steps = list(dossier.procedure.steps.order_by("order"))
    if not steps:
        DossierStep.objects.create(dossier=dossier, order=1, role=StepRole.HANDLING,
                                   agency_id=dossier.procedure.agency_id,
                                   description="Giải quyết hồ sơ", deadline=dossier.due_at)
        return
    DossierStep.objects.bulk_create(DossierStep(
        dossier=dossier, order=index, procedure_step=step, role=step.role,
        description=step.description, agency_id=step.agency_id or dossier.procedure.agency_id,
        unit_id=step.unit_id) for index, step in enumerate(steps, start=1))


def dossier_accept(*, actor: Actor | None, dossier: Dossier) -> Acceptance:
    """R11.2: a valid dossier is accepted: code, secret, clock start and due time (Mẫu 01).

    Refused while a mandatory paper is missing (the officer asks for it first, once).
    """
    action = "accept"
    require_officer(actor, action, dossier)
    missing = missing_documents(dossier)
    if missing:
        names = "; ".join(d.name for d in missing)
        raise refused(actor, action, dossier, ValidationFailed(
            f"Hồ sơ còn thiếu giấy tờ bắt buộc: {names}.",
            f"Mandatory papers are missing: {names}.", code="missing_documents",
            missing=[d.pk for d in missing]))
    secret = new_secret()
    with atomic_refusing(actor, action, dossier, "forwarding_open"):
        dossier = locked(dossier)
        refuse_while_forwarded(dossier)
        next_state(dossier.state, Action.ACCEPT)  # the typed IllegalMove before any write
        now = clock.now()
        frozen = clock_rules()  # the settings now, kept on the dossier from here on (§7)
        plan = appointment(now, limit_of(dossier.procedure), calendar_of(dossier.desk_id),
                           frozen)
        if not dossier.code:  # a code given at filing (DVCQG, the portal) is kept (§6)
            dossier.code = code_issue(identifier=_code_identifier(dossier),
                                      day=clock.local_now().date())
        if dossier.secret_hash:  # the applicant already holds the secret given at filing
            secret = ""
        else:
            dossier.secret_hash = hash_secret(secret)
        dossier.accepted_at = now
        dossier.clock_start = plan.clock_start
        dossier.due_at = plan.due
        dossier.original_due_at = plan.due
        dossier.clock_rules = rules_as_data(frozen)
        if dossier.received_by_id is None:
            dossier.received_by_id = actor_id(actor)
        transition(dossier, Action.ACCEPT, actor=actor, at=now,
                   fields=("code", "secret_hash", "accepted_at", "clock_start", "due_at",
                           "original_due_at", "received_by", "clock_rules"),
                   data={"due": plan.due.isoformat(), "clock_start": plan.clock_start.isoformat(),
                         "provisional": plan.provisional})
        _copy_steps(dossier)
    return Acceptance(dossier=dossier, secret=secret, provisional=plan.provisional,
                      days_counted=tuple(d.isoformat() for d in plan.days_counted))

