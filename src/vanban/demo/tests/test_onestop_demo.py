"""The demo's one-stop desks (R11.3): a dozen procedures at a Sở, a district and a commune, one
joint; dossiers in several states so the one-stop officers have work."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from vanban.accounts.models import User
from vanban.demo.loader import demo_load
from vanban.onestop import selectors
from vanban.onestop.models import Dossier, Procedure, StepRole

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """One demo load for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert demo_load(stdout=io.StringIO()) is not None
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded")
def test_procedures_at_three_levels_one_joint() -> None:
    """R11.3: a dozen procedures at a Sở, a district and a commune, one processed jointly."""
    kinds = Counter(Procedure.objects.values_list("agency__kind", flat=True))
    assert sum(kinds.values()) == 12
    assert {"department", "district", "commune"} <= set(kinds)
    joint = Procedure.objects.filter(steps__role=StepRole.JOINT).distinct()
    assert joint.count() == 1
    [step] = joint[0].steps.filter(role=StepRole.JOINT)
    assert step.agency is not None
    assert step.agency.kind == "commune"


def _per_state(user: User) -> Counter[str]:
    """How many of the dossiers ``user`` may see are in each state."""
    return Counter(selectors.dossiers_visible(user).values_list("state", flat=True))


@pytest.mark.usefixtures("loaded")
def test_officers_have_work_in_several_states() -> None:
    """The mc.* officers see dossiers waiting, in processing, late and returned; the commune's
    land officer holds the joint step."""
    officer = User.objects.get(username="mc.stp")
    counts = _per_state(officer)
    assert counts["submitted"] >= 1
    assert counts["intake_supplement"] == 1
    assert counts["processing"] >= 2
    assert counts["returned"] == 1
    assert any(d.overdue for d in
               selectors.dossiers_visible(officer).filter(state="processing"))
    land = User.objects.get(username="cv1.dongtam.yenthe")
    assert [d.procedure.code for d in selectors.dossiers_held_by(land)] == ["2.HT.001"]
    assert _per_state(User.objects.get(username="mc.dongtam.yenthe"))["submitted"] >= 1
    assert Dossier.objects.filter(channel="online").exists()
