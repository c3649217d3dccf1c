"""R11.1(a): the sending desk's dossier page follows every sending of the dossier (the clerk's
draft, the hub's delivery, the dossier the other desk made of it) in a fixed number of queries,
and "a dossier was made of this delivery" has one definition for the page and the take-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vanban.core import clock
from vanban.directory.models import Agency
from vanban.exchange.core.states import STATE_LABELS as DELIVERY_LABELS
from vanban.exchange.core.states import State as DeliveryState
from vanban.exchange.models import Delivery
from vanban.exchange.services import transmission_send
from vanban.exchange.services.outbox import deliver_internal_batch
from vanban.onestop import selectors, services
from vanban.onestop.core.states import STATE_LABELS, State
from vanban.onestop.models import Dossier
from vanban.onestop.services.forwarding import dossier_send_to_agency
from vanban.onestop.services.from_agency import (
    delivery_taken,
    dossiers_made_of,
    forwarded_refuse,
)
from vanban.onestop.tests.test_forwarding import T0, Pair
from vanban.registry import services as registry

pytestmark = pytest.mark.django_db
QUERIES = 4
"""The sending events, their documents, their deliveries, the dossiers made of them."""


def _send(pair: Pair) -> Delivery:
    """One sending of the commune's dossier to the district, numbered, sent and delivered."""
    with clock.frozen(T0):
        document = dossier_send_to_agency(actor=pair.officer, dossier=pair.dossier,
                                          target_agency=pair.district)
        document = registry.document_register(actor=pair.clerk, document=document)
        document = registry.document_mark_ready(actor=pair.clerk, document=document)
        transmission_send(actor=pair.clerk, document=document)
        deliver_internal_batch()
    return Delivery.objects.get(transmission__document=document)


def _take(pair: Pair, delivery: Delivery) -> Dossier:
    """The district takes the delivery in, its first file as the mandatory paper."""
    mandatory = pair.district_procedure.required_documents.get(mandatory=True)
    with clock.frozen(T0):
        return services.dossier_receive_from_agency(
            actor=pair.district_officer, delivery_uid=str(delivery.uid),
            procedure=pair.district_procedure, applicant=services.Applicant(name="Ngô Văn Hải"),
            required_document_ids=[mandatory.pk])


@pytest.mark.parametrize("sendings", [1, 5])
def test_the_page_follows_any_number_of_sendings_in_fixed_queries(
        make_agency: Callable[..., Agency], make_user: Callable[..., Any],
        django_assert_num_queries: Any, sendings: int) -> None:
    """R11.1(a): the district sent back all but the last sending and took the last one in:
    each sending shows its own delivery and stage, the last the district's dossier by code and
    state, and reading them costs the same few queries for one sending as for five."""
    pair = Pair(make_agency, make_user)
    refused = []
    for _ in range(sendings - 1):
        delivery = _send(pair)
        forwarded_refuse(actor=pair.district_officer, delivery_uid=str(delivery.uid),
                         reason="Không thuộc thẩm quyền")
        refused.append(delivery)
    last = _send(pair)
    with clock.frozen(T0):
        taken = services.dossier_accept(actor=pair.district_officer,
                                        dossier=_take(pair, last)).dossier
    assert taken.code
    dossier = Dossier.objects.select_related("desk").get(pk=pair.dossier.pk)
    with django_assert_num_queries(QUERIES):
        found = selectors.forwardings(dossier)
    assert [f.delivery for f in found] == [*refused, last]
    assert all(f.document is not None and f.target == pair.district for f in found)
    for forwarding in found[:-1]:
        assert forwarding.stage == DELIVERY_LABELS[DeliveryState.REJECTED]
        assert (forwarding.taken_code, forwarding.taken_state) == ("", None)
    assert found[-1].taken_code == taken.code
    assert found[-1].taken_state == STATE_LABELS[State(taken.state)]
    assert found[-1].stage[0] == "Cơ quan nhận đã tiếp nhận thành hồ sơ"


def test_a_dossier_without_sendings_costs_one_query(
        make_agency: Callable[..., Agency], make_user: Callable[..., Any],
        django_assert_num_queries: Any) -> None:
    """R11.1(a): a dossier never sent anywhere reads its (no) sendings in one query."""
    pair = Pair(make_agency, make_user)
    with django_assert_num_queries(1):
        assert selectors.forwardings(pair.dossier) == []


def test_taken_in_means_the_same_for_the_take_in_and_the_page(
        make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R11.1(a): the delivery the district took in is "taken" for the take-in guard and names
    the district's dossier for the page; the one it sent back is neither."""
    pair = Pair(make_agency, make_user)
    first = _send(pair)
    forwarded_refuse(actor=pair.district_officer, delivery_uid=str(first.uid),
                     reason="Không thuộc thẩm quyền")
    second = _send(pair)
    assert not delivery_taken(second)
    assert dossiers_made_of([first, second]) == {}
    taken = _take(pair, second)
    assert delivery_taken(second)
    assert not delivery_taken(first)
    assert dossiers_made_of([first, second]) == {str(second.uid): taken}
    assert dossiers_made_of([]) == {}
