"""R11.1(a), R11.2: when a sending is over. Only the latest delivery of the document to the
target counts (an update or replacement must not end it early, nor an old refusal a new
sending); a delivery that bounced or that the peer refused for good ends it; a revocation
ends it only before the other desk took it in (03). Only agencies reachable electronically
are offered as targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency, AgencyKind
from vanban.exchange.models import Delivery, OutboxKind, OutboxMessage, Peer, Transmission
from vanban.onestop.services.forwarding import forwarding_open, forwarding_targets
from vanban.onestop.tests.test_forwarding import Pair, forward
from vanban.onestop.tests.test_forwarding_decided_once import _take

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Pair:
    return Pair(make_agency, make_user)


def _newer(delivery: Delivery, state: str) -> Delivery:
    """A newer transmission of the same document (an update or replacement) to the target."""
    first = delivery.transmission
    now = clock.now()
    again = Transmission.objects.create(
        document=first.document, sender=first.sender, business_type="3", related=first,
        edxml_document_id=first.edxml_document_id, type_name=first.type_name,
        subject=first.subject, file_sha256=first.file_sha256, sent_at=now)
    return Delivery.objects.create(transmission=again, recipient=delivery.recipient,
                                   channel=delivery.channel, state=state, sent_at=now)


def test_a_replacement_does_not_end_the_sending_early(pair: Pair) -> None:
    """R11.1(a): the old delivery withdrawn by a replacement, the new one waiting: still open;
    the new one sent back: over."""
    delivery = forward(pair)
    newer = _newer(delivery, "01")
    Delivery.objects.filter(pk=delivery.pk).update(state="withdrawn")
    assert forwarding_open(pair.dossier)
    Delivery.objects.filter(pk=newer.pk).update(state="02")
    assert not forwarding_open(pair.dossier)


def test_bounced_or_refused_for_good_ends_the_sending(pair: Pair) -> None:
    """R11.1(a), R11.2: a delivery that came back undelivered, or whose message the peer
    refused for good, ends the sending (the desk decides the dossier again)."""
    delivery = forward(pair)
    assert forwarding_open(pair.dossier)
    Delivery.objects.filter(pk=delivery.pk).update(bounced_at=clock.now())
    assert not forwarding_open(pair.dossier)
    Delivery.objects.filter(pk=delivery.pk).update(bounced_at=None)
    message = OutboxMessage.objects.create(kind=OutboxKind.EDOC, delivery=delivery,
                                           created_at=clock.now(),
                                           next_attempt_at=clock.now())
    assert forwarding_open(pair.dossier)
    OutboxMessage.objects.filter(pk=message.pk).update(refused_at=clock.now())
    assert not forwarding_open(pair.dossier)


def test_withdrawn_after_take_in_stays_taken(pair: Pair) -> None:
    """R11.1(a), R11.2: revoking the delivery after the other desk took it in (03) does not
    bring the sending back to an end: the other desk handles the dossier."""
    delivery = forward(pair)
    _take(pair, delivery)
    Delivery.objects.filter(pk=delivery.pk).update(state="withdrawn")
    assert forwarding_open(pair.dossier)


def test_targets_are_reachable_electronically(pair: Pair, make_agency: Callable[..., Agency],
                                              make_user: Callable[..., Any]) -> None:
    """R11.1(a): an agency not connected to the hub (mailbox only) and an agency of an
    inactive peer are not offered."""
    offline = make_agency("000.00.43.H06", name="UBND huyện Lục Nam", connected=False,
                          kind=AgencyKind.DISTRICT, mailbox="lucnam@example.vn")
    make_user(offline, roles=[Role.ONESTOP])
    now = clock.now()
    Peer.objects.create(installation_id="peer-off", active=False, created_at=now,
                        updated_at=now)
    remote = make_agency("000.00.44.H07", name="UBND huyện xa")
    Agency.objects.filter(pk=remote.pk).update(installation="peer-off")
    offered = set(forwarding_targets(pair.commune.pk))
    assert pair.district in offered
    assert offline not in offered
    assert remote not in offered
    Peer.objects.filter(installation_id="peer-off").update(active=True)
    assert remote in set(forwarding_targets(pair.commune.pk))
