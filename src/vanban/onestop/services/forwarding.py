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
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from vanban.accounts.models import RoleGrant
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed
from vanban.core.roles import Actor, Role
from vanban.directory.models import Agency
from vanban.exchange.core.states import State as DeliveryState
from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage, Peer
from vanban.onestop.core.states import FORWARDABLE, TERMINAL, Action, State, next_state
from vanban.onestop.models import Dossier, DossierFile, DossierForwarding, DossierStep
from vanban.onestop.services.common import (
    atomic_refusing,
    locked,
    refused,
    require_officer,
    text,
    transition,
)
from vanban.registry.core.numbering import TYPES_BY_CODE
from vanban.registry.models import Document, DocumentState
from vanban.registry.services import RecipientInput, document_create, document_upload
from vanban.storage.selectors import blob_read

SUBJECT_PREFIX = "Chuyển hồ sơ"
"""How a forwarded dossier's document subject begins (for people: nothing looks for it)."""
TYPE_CODE = "phieu_chuyen"
"""The forwarded document's type (Decree 30/2020 "Phiếu chuyển"): the structured marker the
receiving desk recognises a forwarded dossier by. The type name travels with every
transmission, inside this installation and in the edXML TypeName to a peer."""
TYPE_NAME = TYPES_BY_CODE[TYPE_CODE].name
MARK = "Hồ sơ thủ tục hành chính chuyển qua trục liên thông"
"""The first fact of the forwarded document's description (the receiving desk reads it)."""
FACT_LABELS = ("Mã hồ sơ", "Thủ tục", "Người nộp", "Ghi chú")
"""The facts the description carries, in this order and only once each."""
SEPARATOR = "; "


def forwarding_targets(desk_id: int) -> QuerySet[Agency]:
    """The desks a dossier may be sent to, reachable electronically only (never the mailbox
    route, whose failure would leave the sending open): every other active, connected agency
    of this installation with an active one-stop officer, and the active agencies an active
    federation peer serves (their desks live on the peer; the hub carries the dossier there
    as any document)."""
    officer = RoleGrant.objects.filter(role=Role.ONESTOP, user__is_active=True,
                                       user__agency_id=OuterRef("pk"))
    peer = Peer.objects.filter(installation_id=OuterRef("installation"), active=True)
    return (Agency.objects.filter(active=True).exclude(pk=desk_id)
            .alias(has_officer=Exists(officer), has_peer=Exists(peer))
            .filter(Q(installation="", connected=True, has_officer=True)
                    | (~Q(installation="") & Q(has_peer=True)))
            .order_by("installation", "code"))


def fact_value(value: str) -> str:
    """A fact's value on one line without the separator (";" becomes ","), so no value (the
    officer's note least of all) can end a fact early or write another one."""
    return " ".join(value.replace(";", ",").split())


def forwarding_description(dossier: Dossier, note: str = "") -> str:
    """What the forwarded document says about the dossier (one line: the registry keeps the
    description on one line): the mark, then each of :data:`FACT_LABELS` once, in order."""
    values = (dossier.code or "", f"{dossier.procedure.code} - {dossier.procedure.name}",
              dossier.applicant_name, note)
    facts = [MARK, *(f"{label}: {fact_value(value)}"
                     for label, value in zip(FACT_LABELS, values, strict=True) if value)]
    return SEPARATOR.join(facts)[:500]


CLOSED_DELIVERY = (DeliveryState.REJECTED, DeliveryState.RECALLED)
"""Where a sending's delivery ends it: sent back or recalled. Withdrawn ends it too, but only
before the other desk took it in (03): a revocation after that must not bring the dossier
back to a desk while the other one handles it."""


def _latest_delivery() -> QuerySet[Delivery]:
    """The newest delivery of a sending's document to its target (an update or replacement is
    a newer one), as a subquery over :class:`DossierForwarding` rows."""
    return (Delivery.objects.filter(transmission__document=OuterRef("document"),
                                    recipient=OuterRef("target")).order_by("-id"))


def open_forwardings() -> QuerySet[DossierForwarding]:
    """The sendings still open: the draft not cancelled and the LATEST delivery of its document
    to the target (once sent; an update or replacement is a newer delivery) neither sent back,
    recalled, withdrawn before 03, bounced, nor finally refused by the peer's outbox (one
    query; the queues leave their dossiers out)."""
    latest = _latest_delivery()
    refused_by_peer = OutboxMessage.objects.filter(
        delivery_id=OuterRef("latest_id"), refused_at__isnull=False).exclude(
        kind=OutboxKind.STATUS)
    closed = (Q(latest_state__in=[s.value for s in CLOSED_DELIVERY])
              | Q(latest_state=DeliveryState.WITHDRAWN.value, latest_taken__isnull=True)
              | Q(latest_bounced__isnull=False) | Q(latest_refused=True))
    return (DossierForwarding.objects.exclude(document__state=DocumentState.CANCELLED)
            .alias(latest_id=Subquery(latest.values("id")[:1]),
                   latest_state=Subquery(latest.values("state")[:1]),
                   latest_taken=Subquery(latest.values("acknowledged_at")[:1]),
                   latest_bounced=Subquery(latest.values("bounced_at")[:1]))
            .alias(latest_refused=Exists(refused_by_peer))
            # Not yet sent: no delivery (SQL's NULL would otherwise hide the draft).
            .filter(Q(latest_id__isnull=True) | ~closed))


def forwarded_deliveries() -> Q:
    """R11.1(a): which deliveries carry a forwarded dossier. Inside this installation the
    sending desk's own record says so: a :class:`DossierForwarding` row for the document and
    this recipient (whatever the document's type: sendings made before the type existed were
    "công văn"); the type alone, which a clerk may choose for any document, does not. From a
    peer only the edXML TypeName travels (no description), so the type is what counts."""
    local = Exists(DossierForwarding.objects.filter(document=OuterRef("transmission__document"),
                                                    target=OuterRef("recipient")))
    return ((Q(transmission__origin="") & local)
            | (~Q(transmission__origin="") & Q(transmission__type_name=TYPE_NAME)))


def forwarding_open(dossier: Dossier, target: Agency | None = None) -> bool:
    """Whether a sending of the dossier (to ``target``, or to any agency) is still open."""
    found = open_forwardings().filter(dossier=dossier)
    return (found.filter(target=target) if target is not None else found).exists()


def refuse_while_forwarded(dossier: Dossier) -> None:
    """R11.1(a), R11.2: under the dossier's lock, while a sending is open the other desk may
    take the dossier in, so this desk decides nothing (no acceptance, refusal or supplement
    request) and sends it nowhere else; the way out is to cancel the draft or revoke the
    sending (the caller audits the refusal)."""
    if forwarding_open(dossier):
        raise Conflict(
            "Hồ sơ đang được chuyển đến cơ quan khác; hãy hủy hoặc thu hồi việc chuyển trước.",
            "The dossier is being sent to another agency; cancel or revoke that sending "
            "first.", code="forwarding_open")


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
            "Chỉ chuyển được hồ sơ mới nộp, chưa tiếp nhận (chưa cấp mã, chưa tính hạn).",
            "Only a dossier just submitted and not yet accepted (no code, no clock) can be "
            "sent.",
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
    with atomic_refusing(actor, "send_to_agency", dossier, "already_sent"):
        dossier = locked(dossier)
        # Under the dossier's lock: a double click waits here and finds the first sending
        # (audited after the rollback by atomic_refusing); so does a sending to another
        # agency while the first is open (one desk at a time may take the dossier in).
        if forwarding_open(dossier):
            raise Conflict(
                "Hồ sơ đã được chuyển cho một cơ quan và việc chuyển chưa kết thúc.",
                "The dossier was already sent to an agency and that sending is still open.",
                code="already_sent")
        next_state(dossier.state, Action.SEND_TO_AGENCY)
        document = document_create(
            actor=None, agency=dossier.desk,
            type_code=TYPE_CODE,
            subject=f"{SUBJECT_PREFIX} {dossier.code or ''} ({dossier.procedure.name})"[:500],
            description=forwarding_description(dossier, note),
            recipients=[RecipientInput(agency=target_agency)])
        document_upload(actor=None, document=document, main=papers[:1],
                        appendices=papers[1:], filename=f"ho-so-{dossier.code or dossier.pk}.pdf")
        # The event's receiving side is the target agency (an unsaved step: no step of this
        # dossier's procedure is opened by forwarding).
        DossierForwarding.objects.create(dossier=dossier, document=document,
                                         target=target_agency)
        transition(dossier, Action.SEND_TO_AGENCY, actor=actor, note=note,
                   step=DossierStep(agency=target_agency),
                   data={"target": target_agency.code, "document": document.pk,
                         "files": [f.sha256 for f in files]})
    return document


def forwarding_taken(*, document_id: int | None, target_id: int, delivery: str) -> None:
    """R11.1(a): the target desk took the forwarded dossier in (its delivery now 03): the
    sending desk's dossier ends as *transferred* in the same transaction, with one event and
    its audit, so no desk can decide it twice. Only inside this installation (a peer's
    dossier lives on the peer); nothing happens when no open sending names the document."""
    if document_id is None:
        return
    sending = (DossierForwarding.objects.filter(document_id=document_id, target_id=target_id)
               .order_by("-id").first())
    if sending is None:
        return
    dossier = locked(sending.dossier)
    if State(dossier.state) not in FORWARDABLE:
        return
    dossier.finished_at = clock.now()
    transition(dossier, Action.TAKEN_BY_AGENCY, actor=None, at=dossier.finished_at,
               fields=("finished_at",), step=DossierStep(agency_id=target_id),
               data={"target": sending.target.code, "document": document_id,
                     "delivery": delivery})


def forwardings_taken_close() -> list[int]:
    """R11.1(a): the sendings whose latest delivery the other desk took in (03) but whose
    dossier still waits here: a peer's 03 arrives later as a status, so the desk's periodic
    pass ends those dossiers as *transferred* (each its own transaction, event and audit;
    a pass run twice ends nothing twice). Returns the dossiers' ids."""
    latest = _latest_delivery()
    taken = (DossierForwarding.objects
             .filter(dossier__state__in=[s.value for s in FORWARDABLE])
             .alias(latest_state=Subquery(latest.values("state")[:1]))
             .filter(latest_state=DeliveryState.ACCEPTED.value)
             .annotate(delivery_uid=Subquery(latest.values("uid")[:1]))
             .order_by("id"))
    ended: list[int] = []
    for sending in taken:
        with transaction.atomic():
            forwarding_taken(document_id=sending.document_id, target_id=sending.target_id,
                             delivery=str(sending.delivery_uid))
        ended.append(sending.dossier_id)
    return ended
