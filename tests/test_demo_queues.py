"""A fresh demo has work in every dashboard queue (issue 13): for each agency of the starter
list, the clerk, the head and the specialist each see non-zero counters on their home page,
and the drafting form's picker offers the province's recipient groups."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from vanban.accounts.models import User
from vanban.demo.accounts import SAMPLE_SLUGS
from vanban.demo.loader import demo_load
from vanban.directory.models import Agency, RecipientGroup
from vanban.web.dashboard import compute

pytestmark = pytest.mark.django_db

CLERK = ("waiting", "rejected", "to_number", "to_sign")
HEAD = ("unassigned", "awaiting_approval", "in_progress", "agency_due_soon", "agency_overdue")
SPECIALIST = ("my_tasks", "my_due_soon", "my_overdue")


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """One demo load for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo_load(stdout=io.StringIO()) is not None
        yield
        transaction.set_rollback(True)


def _counts(username: str) -> dict[str, int]:
    from vanban.core import clock

    user = User.objects.get(username=username)
    board = compute(user, clock.now())
    return {c.key: c.count for g in board.groups for c in g.counters}


@pytest.mark.parametrize("slug", SAMPLE_SLUGS)
def test_every_queue_of_the_starter_accounts_has_work(loaded: None, slug: str) -> None:
    """Issue 13: to register, rejected, to number, to sign (clerk); to assign, to approve, in
    progress, near and past the deadline (head); the specialist's own, near and past."""
    agency = Agency.objects.get(mailbox__startswith=f"{slug}@")
    clerk, head, specialist = (_counts(f"{p}.{slug}") for p in ("vt", "ld", "cv1"))
    expected_clerk = CLERK if agency.connected else CLERK[2:]  # no exchange without a link
    assert {k: clerk[k] for k in expected_clerk if not clerk[k]} == {}
    assert {k: head[k] for k in HEAD if not head[k]} == {}
    assert {k: specialist[k] for k in SPECIALIST if not specialist[k]} == {}


def test_the_demo_has_recipient_groups(loaded: None) -> None:
    """The picker's groups exist from the first minute, each with members."""
    groups = list(RecipientGroup.objects.prefetch_related("members"))
    assert len(groups) >= 2
    assert all(g.members.exists() for g in groups)
    assert re.search(r"Sở", groups[0].name)
