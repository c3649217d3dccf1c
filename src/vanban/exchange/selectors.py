"""Reads of the hub, scoped to the actor's agency (R1.1: another agency's transmission or
delivery is "not found"): the sender's tracking, the recipient's inbox, the hub's queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from vanban.core import clock
from vanban.core.errors import forbidden, not_found
from vanban.core.roles import Actor
from vanban.exchange.core.states import State
from vanban.exchange.models import (
    INBOUND,
    Attachment,
    Delivery,
    OutboxKind,
    OutboxMessage,
    Peer,
    Transmission,
)
from vanban.exchange.policy import arrivals_allowed
from vanban.exchange.services.peers import may_admin
from vanban.registry.models import Document


def transmissions_of(actor: Actor | None) -> QuerySet[Transmission]:
    """Transmissions sent by the actor's agency, newest first."""
    found = Transmission.objects.filter(origin="").select_related("sender", "document")
    if actor is None:
        return found
    return found.filter(sender_id=actor.agency_id or 0)


def transmission_get(actor: Actor | None, message_id: str) -> Transmission:
    """One of the agency's transmissions by its message id."""
    found = transmissions_of(actor).filter(message_id=message_id).first()
    if found is None:
        raise not_found("văn bản đã gửi", "Transmission")
    return found


def tracking(actor: Actor | None, document: Document) -> list[Transmission]:
    """The document's transmissions (for its sender only), each with its deliveries."""
    if actor is not None and actor.agency_id != document.agency_id:
        raise not_found("văn bản", "Document")
    return list(Transmission.objects.filter(document=document).select_related("sender")
                .prefetch_related("deliveries__recipient").order_by("sent_at", "id"))


def deliveries_of(transmission: Transmission) -> QuerySet[Delivery]:
    """A transmission's deliveries in recipient order."""
    return transmission.deliveries.select_related("recipient").order_by("recipient__code")


def inbox_of(actor: Actor | None, *, agency_id: int | None = None) -> QuerySet[Delivery]:
    """What arrived for the actor's agency (stored and readable: ``received_at`` set); for its
    register keepers only (:mod:`.policy`, refusal audited)."""
    arrivals_allowed(actor)
    agency = agency_id if actor is None else actor.agency_id
    return (Delivery.objects.filter(INBOUND, recipient_id=agency or 0, received_at__isnull=False)
            .select_related("transmission__sender", "recipient")
            .order_by("-received_at", "-id"))


def delivery_for_recipient(actor: Actor | None, uid: str) -> Delivery:
    """One delivery of the actor's inbox."""
    found = inbox_of(actor).filter(uid=uid).first() if actor is not None else (
        Delivery.objects.select_related("transmission__sender", "recipient")
        .filter(uid=uid).first())
    if found is None:
        raise not_found("văn bản đến", "Delivery")
    return found


def delivery_for_sender(actor: Actor | None, uid: str) -> Delivery:
    """One delivery of a transmission the actor's agency sent."""
    found = (Delivery.objects.select_related("transmission__sender", "recipient")
             .filter(uid=uid, transmission__origin="").first())
    if found is None or (actor is not None and found.transmission.sender_id != actor.agency_id):
        raise not_found("lần gửi", "Delivery")
    return found


def readable_file(delivery: Delivery) -> bool:
    """The recipient may open the file until its copy is withdrawn."""
    return delivery.received_at is not None and delivery.state not in (
        State.WITHDRAWN, State.RECALLED)


@dataclass(frozen=True)
class HubStatus:
    """The hub admin page: queues, failures, peers."""

    pending: dict[str, int]
    failing: list[OutboxMessage]
    oldest_pending_seconds: float | None
    peers: list[Peer]
    delivered_24h: int
    states: dict[str, int]


def hub_status(actor: Actor | None) -> HubStatus:
    """For the province administrator (the hub carries every agency's traffic)."""
    if not may_admin(actor):
        raise forbidden()
    open_messages = OutboxMessage.objects.filter(done_at__isnull=True)
    pending = dict.fromkeys(OutboxKind.values, 0)
    for row in open_messages.values("kind").annotate(n=Count("id")):
        pending[row["kind"]] = row["n"]
    oldest = open_messages.order_by("created_at").values_list("created_at", flat=True).first()
    now = clock.now()
    states = {row["state"]: row["n"] for row in Delivery.objects.values("state")
              .annotate(n=Count("id"))}
    return HubStatus(
        pending=pending,
        failing=list(open_messages.filter(~Q(last_error="")).select_related("peer", "delivery")
                     .order_by("next_attempt_at")[:100]),
        oldest_pending_seconds=(now - oldest).total_seconds() if oldest else None,
        peers=list(Peer.objects.annotate(
            waiting=Count("outbox", filter=Q(outbox__done_at__isnull=True)))),
        delivered_24h=Delivery.objects.filter(
            received_at__gte=now - timedelta(hours=24)).count(),
        states=states)


def transmission_attachments(transmission: Transmission) -> list[Attachment]:
    """Every file of a transmission in order; one made before attachments were rows (or by a
    path that wrote none) shows its one file as the main attachment."""
    rows = list(transmission.attachments.all())
    if rows or not transmission.file_sha256:
        return rows
    return [Attachment(transmission=transmission, position=0,
                       name=transmission.file_name or f"{transmission.pk}.pdf",
                       sha256=transmission.file_sha256, size=transmission.file_size,
                       content_type="application/pdf", main=True)]
