"""R11.1(a), the receiving half: a dossier another agency's desk forwarded through the hub
becomes a dossier of this desk, channel *agency*, waiting in the intake queue for the usual
check and acceptance.

Origin and integrity are the hub's: the delivery names the sending agency (an internal
delivery is written by this installation, a federated one was checked against the peer's key
at arrival), every file is the content-addressed blob the hub stored, and the main file's
signature verification (R4.2, cached per file, sender and channel) is recorded with the
dossier's first event. Onestop sits above exchange and reads its deliveries through the
exchange selectors, so the hub needs no hook for this.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import QuerySet

from vanban.audit.services import audit_append
from vanban.core.errors import Conflict, ValidationFailed, not_found
from vanban.core.roles import Actor
from vanban.exchange.core.states import State as DeliveryState
from vanban.exchange.models import Delivery
from vanban.exchange.selectors import (
    delivery_for_recipient,
    transmission_attachments,
)
from vanban.exchange.services import delivery_accept
from vanban.exchange.services.common import locked_delivery
from vanban.incoming.services import incoming_reject
from vanban.onestop import rules
from vanban.onestop.models import Channel, Dossier, DossierEvent, Procedure
from vanban.onestop.services.common import OBJECT_TYPE, text
from vanban.onestop.services.forwarding import (
    FACT_LABELS,
    MARK,
    SEPARATOR,
    forwarded_deliveries,
    forwarding_taken,
)
from vanban.onestop.services.intake import Applicant, Paper, dossier_receive
from vanban.signatures.verification import VerificationChannel, pdf_verify
from vanban.signatures.verification.evidence import verification_pointer
from vanban.storage.selectors import blob_read


def _made_of(uids: Collection[str]) -> QuerySet[DossierEvent]:
    """The one rule of "a dossier was made of this delivery": the dossier's first event
    ("receive") names the delivery in its ``origin`` (written by
    :func:`dossier_receive_from_agency`, once per delivery)."""
    return DossierEvent.objects.filter(action="receive", data__origin__delivery__in=list(uids))


def delivery_taken(delivery: Delivery) -> bool:
    """Whether a dossier was already made of this delivery (once per delivery)."""
    return _made_of([str(delivery.uid)]).exists()


def dossiers_made_of(deliveries: Iterable[Delivery]) -> dict[str, Dossier]:
    """The dossier made of each of ``deliveries`` that one was made of, by the delivery's uid,
    in one query (the sending desk's page follows all its sendings at once)."""
    uids = {str(d.uid) for d in deliveries}
    if not uids:
        return {}
    made: dict[str, Dossier] = {}
    for event in _made_of(uids).select_related("dossier").order_by("id"):
        made.setdefault(str(event.data["origin"]["delivery"]), event.dossier)
    return made


def is_forwarded(delivery: Delivery) -> bool:
    """Whether ``delivery`` carries a forwarded dossier (:func:`forwarded_deliveries`: the
    sending desk's own record inside this installation, the document type from a peer), never
    the subject: an ordinary document titled "Chuyển hồ sơ ..." stays the clerk's."""
    return Delivery.objects.filter(pk=delivery.pk).filter(forwarded_deliveries()).exists()


def _delivery(actor: Actor | None, uid: str) -> Delivery:
    """The delivery to the actor's agency, for its one-stop officer only (else "not found")."""
    delivery = delivery_for_recipient(None, uid)
    if actor is not None and not rules.is_officer(actor, delivery.recipient_id):
        audit_append(actor=actor, action="onestop.dossier_receive_from_agency.denied",
                     object_type=OBJECT_TYPE, data={"delivery": uid, "reason": "not_found"})
        raise not_found("văn bản đến", "Delivery")
    return delivery


def _still_waiting(delivery: Delivery) -> Delivery:
    """Under the delivery's row lock: it must still wait (arrived, neither taken in, sent
    back, registered nor withdrawn). Taking in moves it to 03, sending back to 02, so whoever
    comes second (officer or clerk) finds it decided."""
    return _check_waiting(locked_delivery(delivery))


def _check_waiting(delivery: Delivery) -> Delivery:
    if delivery_taken(delivery):
        raise Conflict("Văn bản này đã được tiếp nhận thành hồ sơ.",
                       "A dossier was already made of this delivery.", code="already_received")
    if delivery.state != DeliveryState.ARRIVED:
        raise Conflict("Hồ sơ chuyển đến không còn chờ tiếp nhận (đã trả lại, đã vào sổ hoặc "
                       "đã bị thu hồi).",
                       "The forwarded dossier no longer waits (sent back, registered or "
                       "withdrawn).", code="not_waiting", state=delivery.state)
    return delivery


def dossier_receive_from_agency(*, actor: Actor | None, delivery_uid: str,
                                procedure: Procedure, applicant: Applicant,
                                required_document_ids: Sequence[int | None] = ()) -> Dossier:
    """Make the forwarded dossier in ``delivery_uid`` a *submitted* dossier of the receiving
    desk (``required_document_ids``: which procedure paper each file is, in file order); the
    delivery is accepted (03 to the sender) in the same transaction, so the clerk can neither
    register nor reject it afterwards and the desk cannot send it back."""
    delivery = _delivery(actor, delivery_uid)
    if not is_forwarded(delivery):
        raise not_found("hồ sơ chuyển đến", "Forwarded dossier")
    _check_waiting(delivery)
    transmission = delivery.transmission
    attachments = transmission_attachments(transmission)
    ids = list(required_document_ids) + [None] * (len(attachments) - len(required_document_ids))
    if len(ids) > len(attachments):
        raise ValidationFailed("Số thành phần hồ sơ nhiều hơn số tệp nhận được.",
                               "More papers named than files received.", code="bad_papers")
    papers = [Paper(parts=[blob_read(a.sha256)], filename=a.name[:200], required_document_id=i)
              for a, i in zip(attachments, ids, strict=True)]
    main = next((a for a in attachments if a.main), attachments[0])
    verification = pdf_verify(data=blob_read(main.sha256), sender=transmission.sender,
                              channel=VerificationChannel.of_origin(transmission.origin))
    origin = {"delivery": str(delivery.uid), "message": str(transmission.message_id),
              "sender": transmission.sender.code, "origin": transmission.origin,
              "sha256": [a.sha256 for a in attachments], "verification": verification.pk,
              "verdict": verification.verdict}
    with transaction.atomic():
        # Two officers (or an officer and the clerk) at once: the second waits for the first's
        # commit on the delivery's row lock, then finds it decided.
        delivery = _still_waiting(delivery)
        dossier = dossier_receive(actor=actor, desk=delivery.recipient, procedure=procedure,
                                  applicant=applicant, channel=Channel.AGENCY, papers=papers,
                                  subject=transmission.subject, origin=origin)
        delivery_accept(actor=None, delivery=delivery,
                        relies_on=verification_pointer(verification))
        forwarding_taken(document_id=transmission.document_id, target_id=delivery.recipient_id,
                         delivery=str(delivery.uid))
        return dossier


def forwarded_facts(delivery: Delivery) -> dict[str, str]:
    """The dossier's facts the sending desk wrote in the forwarded document's description
    (:data:`FACT_LABELS`), for the receive form; empty when the delivery carries no
    description (a federated one carries subject and files only). Only known labels count,
    each once (the first): a note cannot overwrite another fact."""
    document = delivery.transmission.document
    description = document.description if document is not None else ""
    parts = description.split(SEPARATOR)
    if not parts or parts[0] != MARK:
        return {}
    facts: dict[str, str] = {}
    for part in parts[1:]:
        name, sep, value = part.partition(": ")
        if sep and name in FACT_LABELS and name not in facts:
            facts[name] = value.strip()
    return facts


def forwarded_procedure_code(facts: Mapping[str, str]) -> str:
    """The code of the procedure the sending desk named (its "Thủ tục" fact, written as
    ``code - name`` by ``forwarding_description``), empty when it named none: the receive form
    offers this desk's current procedure with the same code."""
    return facts.get("Thủ tục", "").split(" - ", 1)[0].strip()


def forwarded_waiting_get(actor: Actor | None, uid: str) -> Delivery:
    """One forwarded delivery still waiting for the actor's desk ("not found" otherwise: another
    desk's, not a forwarded dossier, already taken, refused or withdrawn)."""
    delivery = _delivery(actor, uid)
    if (not is_forwarded(delivery) or delivery.state != DeliveryState.ARRIVED
            or delivery_taken(delivery)):
        raise not_found("hồ sơ chuyển đến", "Forwarded dossier")
    return delivery


def forwarded_refuse(*, actor: Actor | None, delivery_uid: str, reason: str) -> Delivery:
    """R11.2: the receiving desk finds the forwarded dossier invalid and sends it back with the
    reason: the delivery is rejected (status 02), which reaches the sending agency at once
    inside this installation and through the outbox from a peer. The rejection is written by
    the installation on the officer's behalf (rejecting is the clerk's, the officer's own audit
    event says who decided); nothing is written when it is refused."""
    delivery = forwarded_waiting_get(actor, delivery_uid)
    reason = text(reason, what_vi="lý do trả lại", what_en="reason for sending it back",
                  limit=500)
    with transaction.atomic():
        delivery = _still_waiting(delivery)
        delivery = incoming_reject(actor=None, delivery=delivery, reason=reason)
        audit_append(actor=actor, action="onestop.forwarded_refuse", object_type=OBJECT_TYPE,
                     agency_code=delivery.recipient.code,
                     data={"delivery": str(delivery.uid), "reason": reason,
                           "sender": delivery.transmission.sender.code})
    return delivery
