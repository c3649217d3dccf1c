"""R11.1(a), the sending half: a desk forwards a dossier to another agency's one-stop desk
through the hub, like any document.

A hub transmission carries a numbered, and where the agency has a certificate signed,
document of the registry; numbering and signing are the clerk's (and signing needs the
clerk's step-up confirmation). So the desk prepares that document: a draft "công văn chuyển hồ
sơ" addressed to the target agency with the dossier's papers (their scanned PDFs, first as the
main file, the rest merged as appendices), written by the installation on the officer's behalf
(the officer's own audit event says who asked). The clerk then registers, signs, marks it ready
and sends it through ``exchange.transmission_send`` as usual; the receiving agency gets it in
its inbox with the hub's evidence and verification.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from vanban.accounts.models import RoleGrant
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.onestop.core.states import FORWARDABLE, TERMINAL, Action, State
from vanban.onestop.models import Dossier, DossierFile, DossierStep
from vanban.onestop.services.common import locked, refused, require_officer, text, transition
from vanban.registry.models import Document
from vanban.registry.services import RecipientInput, document_create, document_upload
from vanban.storage.selectors import blob_read

SUBJECT_PREFIX = "Chuyển hồ sơ"
"""How a forwarded dossier's document subject begins (the receiving desk's list looks for it)."""
MARK = "Hồ sơ thủ tục hành chính chuyển qua trục liên thông"
"""The first line of the forwarded document's description (the receiving desk reads it)."""


def forwarding_targets(desk_id: int) -> QuerySet[Agency]:
    """The desks a dossier may be sent to: every other active agency of this installation with
    an active one-stop officer, and the active agencies a federation peer serves (their desks
    live on the peer; the hub carries the dossier there as any document)."""
    officer = RoleGrant.objects.filter(role=Role.ONESTOP, user__is_active=True,
                                       user__agency_id=OuterRef("pk"))
    return (Agency.objects.filter(active=True).exclude(pk=desk_id)
            .alias(has_officer=Exists(officer))
            .filter(Q(installation="", has_officer=True) | ~Q(installation=""))
            .order_by("installation", "code"))


def forwarding_description(dossier: Dossier, note: str = "") -> str:
    """What the forwarded document says about the dossier (one line: the registry keeps the
    description on one line), facts separated by "; "."""
    facts = [MARK, f"Mã hồ sơ: {dossier.code or ''}",
             f"Thủ tục: {dossier.procedure.code} - {dossier.procedure.name}",
             f"Người nộp: {dossier.applicant_name}"]
    if note:
        facts.append(f"Ghi chú: {' '.join(note.split())}")
    return "; ".join(facts)[:500]


def _check(actor: Actor | None, dossier: Dossier, target: Agency,
           files: list[DossierFile]) -> None:
    action = "send_to_agency"
    if dossier.classified:
        raise refused(actor, action, dossier, ValidationFailed(
            "Hồ sơ có nội dung mật không được chuyển qua hệ thống điện tử (Điều 3 khoản 1).",
            "A classified dossier may not be sent electronically (Art. 3.1).",
            code="classified"))
    if not forwarding_targets(dossier.desk_id).filter(pk=target.pk).exists():
        raise refused(actor, action, dossier, ValidationFailed(
            "Cơ quan nhận phải là một cơ quan khác, đang hoạt động và có bộ phận một cửa.",
            "The receiving agency must be another active agency with a one-stop desk.",
            code="bad_target"), target=target.pk)
    if State(dossier.state) in TERMINAL:
        raise refused(actor, action, dossier, Conflict(
            "Hồ sơ đã kết thúc, không chuyển được.", "The dossier is closed; it cannot be sent.",
            code="finished"))
    if State(dossier.state) not in FORWARDABLE:
        raise refused(actor, action, dossier, Conflict(
            "Chỉ chuyển được hồ sơ mới nộp, đã tiếp nhận hoặc đang xử lý.",
            "Only a dossier just submitted, accepted or in processing can be sent.",
            code="not_forwardable", state=dossier.state))
    if not files:
        raise refused(actor, action, dossier, ValidationFailed(
            "Hồ sơ chưa có giấy tờ nào để chuyển.", "The dossier has no papers to send.",
            code="no_papers"))


def dossier_send_to_agency(*, actor: Actor | None, dossier: Dossier, target_agency: Agency,
                           note: str = "") -> Document:
    """Prepare the dossier's forwarding to ``target_agency``'s desk: the registry draft the
    clerk numbers, signs and sends through the hub (R11.1a), and the dossier's own event
    "sent to another agency" (its state kept; the page follows the delivery from the event's
    ``document``). Nothing is written on refusal."""
    require_officer(actor, "send_to_agency", dossier)
    note = text(note, what_vi="ghi chú", what_en="note", required=False)
    files = list(dossier.files.order_by("id"))
    _check(actor, dossier, target_agency, files)
    papers = [blob_read(f.sha256) for f in files]
    with transaction.atomic():
        dossier = locked(dossier)
        document = document_create(
            actor=None, agency=dossier.desk, type_code="cong_van",
            subject=f"{SUBJECT_PREFIX} {dossier.code or ''} ({dossier.procedure.name})"[:500],
            description=forwarding_description(dossier, note),
            recipients=[RecipientInput(agency=target_agency)])
        document_upload(actor=None, document=document, main=papers[:1],
                        appendices=papers[1:], filename=f"ho-so-{dossier.code or dossier.pk}.pdf")
        # The event's receiving side is the target agency (an unsaved step: no step of this
        # dossier's procedure is opened by forwarding).
        transition(dossier, Action.SEND_TO_AGENCY, actor=actor, note=note,
                   step=DossierStep(agency=target_agency),
                   data={"target": target_agency.code, "document": document.pk,
                         "files": [f.sha256 for f in files]})
    return document
