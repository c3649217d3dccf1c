"""Reads behind the clerk's dashboard queues and their list pages, built once here so the
counter and the list it links to always agree (issue 13: a counter that counts what its list
does not show is a bug)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from vanban.core.roles import Actor
from vanban.exchange import selectors as exchange_selectors
from vanban.exchange.core.states import State
from vanban.exchange.models import Delivery, Transmission
from vanban.registry import selectors as registry_selectors
from vanban.registry.models import ApprovalState, Document, DocumentState

# Outgoing document states the clerk still has to act on, per queue of the outgoing page.
OUTGOING_QUEUES: dict[str, tuple[str, ...]] = {
    "to_number": (DocumentState.DRAFT,),
    "to_sign": (DocumentState.REGISTERED,),
    "to_send": (DocumentState.SIGNED, DocumentState.READY),
}
# Drafts with the head (submitted, or returned to the author) are not the clerk's to number.
_WITH_THE_HEAD = (ApprovalState.PENDING, ApprovalState.RETURNED)


def outgoing_queue(actor: Actor | None, queue: str, search: str = "") -> QuerySet[Document]:
    """The agency's outgoing documents in ``queue`` (one of :data:`OUTGOING_QUEUES`); "to
    number" leaves out drafts waiting for approval or returned by the head."""
    documents = registry_selectors.documents_of(actor).filter(
        state__in=OUTGOING_QUEUES[queue])
    if queue == "to_number":
        documents = documents.exclude(approval__in=_WITH_THE_HEAD)
    if search:
        documents = documents.filter(Q(subject__icontains=search)
                                     | Q(code_notation__icontains=search))
    return documents


def rejected_sendings(actor: Actor | None, since: datetime,
                      search: str = "") -> QuerySet[Transmission]:
    """The agency's sendings a recipient rejected since ``since``: each sending once, however
    many of its recipients rejected it."""
    rejected = Delivery.objects.filter(transmission=OuterRef("pk"), state=State.REJECTED,
                                       rejected_at__gte=since)
    found = exchange_selectors.transmissions_of(actor).filter(Exists(rejected))
    if search:
        found = found.filter(document__subject__icontains=search)
    return found
