"""Only the deciding agency's leader, or a person named on an *approving* step, decides: a
specialist named on a handling step may not approve, refuse after appraisal or issue Mẫu 04
(R11.2, onestop.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.onestop import rules, services
from vanban.onestop.models import Dossier, DossierEvent
from vanban.onestop.tests.test_sweep import T0, Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Desk:
    return Desk(make_agency, make_user)


def _named_on_handling_step(desk: Desk, name: str) -> Dossier:
    dossier = desk.in_processing(name)
    with clock.frozen(T0 + timedelta(hours=1)):
        services.dossier_hand_over(actor=desk.officer, dossier=dossier, within_step=True,
                                   holder_id=desk.specialist.pk)
    return dossier


def test_named_specialist_on_handling_step_may_not_decide(desk: Desk) -> None:
    """R11.2: the named holder of a handling step is refused approve, refusal after appraisal
    and Mẫu 04; the dossier stays as it was."""
    dossier = _named_on_handling_step(desk, "Nguyễn Văn An")
    with clock.frozen(T0 + timedelta(hours=2)):
        with pytest.raises(DomainError) as approve:
            services.dossier_approve(actor=desk.specialist, dossier=dossier)
        with pytest.raises(DomainError) as refuse:
            services.dossier_refuse_after_appraisal(actor=desk.specialist, dossier=dossier,
                                                    reason="không đủ điều kiện")
        with pytest.raises(DomainError) as extend:
            services.dossier_apologise_and_extend(
                actor=desk.specialist, dossier=dossier, reason="cần thêm thời gian",
                new_due_at=datetime(2026, 12, 28, 9, tzinfo=VN_TZ))
    assert {approve.value.code, refuse.value.code, extend.value.code} == {"forbidden"}
    assert Dossier.objects.get(pk=dossier.pk).state == "processing"
    assert not DossierEvent.objects.filter(dossier=dossier, action="approve").exists()


def test_named_holder_of_approving_step_decides(desk: Desk) -> None:
    """R11.2: a person named on the approving step approves the result."""
    dossier = desk.in_processing("Trần Thị Bình")
    with clock.frozen(T0 + timedelta(hours=1)):
        services.dossier_hand_over(actor=desk.officer, dossier=dossier,
                                   holder_id=desk.specialist.pk)
        services.dossier_approve(actor=desk.specialist, dossier=dossier)
    assert DossierEvent.objects.filter(dossier=dossier, action="approve").count() == 1


def test_policy_names_the_approving_role() -> None:
    """R11.2: the policy alone: the same named holder passes only when the step approves."""
    class Person:
        pk = 7
        agency_id = 1
        unit_id = None

        def has_role(self, role: object) -> bool:
            return False

    person: Any = Person()
    handling = rules.Holding(agency_id=1, unit_id=None, holder_id=7, role="handling")
    approving = rules.Holding(agency_id=1, unit_id=None, holder_id=7, role=rules.APPROVING)
    assert not rules.may_approve(person, deciding_id=1, step=handling)
    assert rules.may_approve(person, deciding_id=1, step=approving)
