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

from vanban.audit.services import audit_append
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.onestop.core.states import TERMINAL, State
from vanban.onestop.models import Dossier, DossierFile
from vanban.onestop.services.common import OBJECT_TYPE, refused, require_officer
from vanban.registry.models import Document
from vanban.registry.services import RecipientInput, document_create, document_upload
from vanban.storage.selectors import blob_read

SUBJECT_PREFIX = "Chuyển hồ sơ"
"""How a forwarded dossier's document subject begins (the receiving desk's list looks for it)."""
MARK = "Hồ sơ thủ tục hành chính chuyển qua trục liên thông"
"""The first line of the forwarded document's description (the receiving desk reads it)."""


def forwarding_description(dossier: Dossier) -> str:
    """What the forwarded document says about the dossier (one line: the registry keeps the
    description on one line), facts separated by "; "."""
    return "; ".join((
        MARK,
        f"Mã hồ sơ: {dossier.code or ''}",
        f"Thủ tục: {dossier.procedure.code} - {dossier.procedure.name}",
        f"Người nộp: {dossier.applicant_name}",
    ))[:500]


def _check(actor: Actor | None, dossier: Dossier, target: Agency,
           files: list[DossierFile]) -> None:
    action = "send_to_agency"
    if dossier.classified:
        raise refused(actor, action, dossier, ValidationFailed(
            "Hồ sơ có nội dung mật không được chuyển qua hệ thống điện tử (Điều 3 khoản 1).",
            "A classified dossier may not be sent electronically (Art. 3.1).",
            code="classified"))
    if target.pk == dossier.desk_id or target.installation or not target.active:
        raise refused(actor, action, dossier, ValidationFailed(
            "Cơ quan nhận phải là một cơ quan khác, đang hoạt động, trong hệ thống.",
            "The receiving agency must be another active agency of this installation.",
            code="bad_target"), target=target.pk)
    if State(dossier.state) in TERMINAL:
        raise refused(actor, action, dossier, Conflict(
            "Hồ sơ đã kết thúc, không chuyển được.", "The dossier is closed; it cannot be sent.",
            code="finished"))
    if not files:
        raise refused(actor, action, dossier, ValidationFailed(
            "Hồ sơ chưa có giấy tờ nào để chuyển.", "The dossier has no papers to send.",
            code="no_papers"))


def dossier_send_to_agency(*, actor: Actor | None, dossier: Dossier,
                           target_agency: Agency) -> Document:
    """Prepare the dossier's forwarding to ``target_agency``'s desk: the registry draft the
    clerk numbers, signs and sends through the hub (R11.1a). Nothing is written on refusal."""
    require_officer(actor, "send_to_agency", dossier)
    files = list(dossier.files.order_by("id"))
    _check(actor, dossier, target_agency, files)
    papers = [blob_read(f.sha256) for f in files]
    with transaction.atomic():
        document = document_create(
            actor=None, agency=dossier.desk, type_code="cong_van",
            subject=f"{SUBJECT_PREFIX} {dossier.code or ''} ({dossier.procedure.name})"[:500],
            description=forwarding_description(dossier),
            recipients=[RecipientInput(agency=target_agency)])
        document_upload(actor=None, document=document, main=papers[:1],
                        appendices=papers[1:], filename=f"ho-so-{dossier.code or dossier.pk}.pdf")
        audit_append(actor=actor, action="onestop.send_to_agency", object_type=OBJECT_TYPE,
                     object_id=dossier.pk, agency_code=dossier.desk.code,
                     data={"code": dossier.code or "", "target": target_agency.code,
                           "document": document.pk, "files": [f.sha256 for f in files]})
    return document
