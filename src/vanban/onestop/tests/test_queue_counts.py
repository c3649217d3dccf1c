"""The desk's queue counts (``queues.counts``), read in a few grouped queries over disjoint parts
of what the reader sees, equal the naive count of each queue's own list (``queues.in_queue``
over ``queues.visible``), for every kind of reader and with the cap (R11.2: the desk, the
deciding agency's leaders and every agency a step goes to see the dossier; R1.1: nobody else)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.onestop import queues
from vanban.onestop.core.states import State
from vanban.onestop.models import Dossier, DossierStep
from vanban.onestop.tests.factories import make_procedure
from vanban.onestop.tests.test_services import World

pytestmark = pytest.mark.django_db

DUE_OFFSETS = (None, timedelta(days=-3), timedelta(hours=-1), timedelta(hours=5),
               timedelta(days=1, hours=23), timedelta(days=2), timedelta(days=9))


@pytest.fixture
def world(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> World:
    return World(make_agency, make_user)


def _fill(world: World, count: int = 180) -> None:
    """Dossiers in every state and due time: of the Sở's desk, of the district's desk for the
    Sở's procedure (its leaders see them), of another Sở's desk with or without a step at the
    Sở or the district (held by a person, a unit, the agency, open or finished)."""
    rng = random.Random(7)
    others = make_procedure(world.other, code="2.000111")
    district = make_procedure(world.district, code="3.000222")
    shapes = [(world.so, world.procedure), (world.district, world.procedure),
              (world.other, others), (world.district, district), (world.so, others)]
    now = clock.now()
    for n in range(count):
        desk, procedure = shapes[n % len(shapes)]
        offset = DUE_OFFSETS[rng.randrange(len(DUE_OFFSETS))]
        dossier = Dossier.objects.create(
            code=f"T-{n:04d}", desk=desk, procedure=procedure, applicant_name=f"Người {n}",
            state=rng.choice(list(State)).value, received_at=now - timedelta(days=20),
            due_at=None if offset is None else now + offset)
        if rng.random() < 0.5:
            agency = rng.choice((world.so, world.district))
            unit = world.unit if agency == world.so else world.joint_unit
            holder = rng.choice((None, world.specialist, world.head, world.joint_specialist))
            DossierStep.objects.create(
                dossier=dossier, order=1, agency=agency, unit=rng.choice((None, unit)),
                holder=holder if holder is None or holder.agency_id == agency.pk else None,
                started_at=now - timedelta(days=1),
                finished_at=rng.choice((None, now - timedelta(hours=2))))


def _naive(actor: Any) -> dict[str, int]:
    rows = queues.visible(actor)
    return {q.key: queues.in_queue(rows, q.key, actor)[:queues.COUNT_CAP].count()
            for q in queues.QUEUES}


def _admin(world: World, make_user: Callable[..., Any]) -> Any:
    """A province administrator who also works at a desk (the desk pages need an agency)."""
    return make_user(world.district, roles=[Role.PROVINCE_ADMIN, Role.SPECIALIST],
                     unit=world.joint_unit)


def _readers(world: World, make_user: Callable[..., Any]) -> list[Any]:
    return [world.officer, world.specialist, world.head, world.joint_specialist,
            world.outsider, _admin(world, make_user),
            make_user(world.so, roles=[Role.ONESTOP, Role.HEAD]),
            make_user(world.district, roles=[Role.ONESTOP]),
            make_user(world.district, roles=[Role.DELEGATE])]


def test_counts_equal_the_queues_own_lists(world: World,
                                           make_user: Callable[..., Any]) -> None:
    """R11.2, R1.1: each queue's count is the length of its list, for the desk's officer, its
    specialist and head, the joint agency's specialist, another desk, the province
    administrator, an officer who also leads, and the district's officer and delegate."""
    with clock.frozen(clock.now()):
        _fill(world)
        for actor in _readers(world, make_user):
            naive = _naive(actor)
            assert queues.counts(actor) == naive, actor
        assert sum(_naive(_admin(world, make_user)).values()) > 100


def test_counts_stop_at_the_cap(world: World, make_user: Callable[..., Any],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """R11.2: with the cap at 3, every count is the capped count of its list (shown "3+")."""
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    with clock.frozen(clock.now()):
        _fill(world, count=120)
        for actor in _readers(world, make_user):
            found = queues.counts(actor)
            assert found == _naive(actor), actor
            assert max(found.values()) <= 3
        assert queues.counts(_admin(world, make_user))["done"] == 3


def test_counts_read_few_queries(world: World, django_assert_max_num_queries: Any) -> None:
    """The officer's home needs its counts fast at a million dossiers (bench/onestop.py): a
    bounded number of queries whatever the number of queues and dossiers."""
    _fill(world, count=40)
    # 6 for the grouped counts, the finished and the held; 1 for the dossiers sent to another
    # desk (out of the check queue while that sending is open, R11.1a).
    with django_assert_max_num_queries(7):
        queues.counts(world.officer)
