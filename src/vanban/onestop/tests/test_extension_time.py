"""Mẫu 04's new appointment is a time the desk can keep: within working hours of a working day
of the dossier's calendar (R11.2, Art. 19.6); anything else is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.clock import VN_TZ
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.onestop import services
from vanban.onestop.core.clock import in_working_hours
from vanban.onestop.models import Dossier, Extension
from vanban.onestop.services.timing import calendar_of
from vanban.onestop.tests.test_sweep import T0, Desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> Desk:
    return Desk(make_agency, make_user)


@pytest.mark.parametrize("new_due", [
    datetime(2026, 12, 27, 10, tzinfo=VN_TZ),  # a Sunday
    datetime(2026, 12, 28, 3, tzinfo=VN_TZ),   # a Monday, at night
    datetime(2026, 12, 28, 12, 30, tzinfo=VN_TZ),  # a Monday, the lunch break
])
def test_new_due_time_off_hours_is_refused(desk: Desk, make_user: Callable[..., Any],
                                           new_due: datetime) -> None:
    """R11.2: a new due time on a day off or out of hours is refused, nothing written."""
    head = make_user(desk.agency, roles=[Role.HEAD])
    dossier = desk.in_processing("Phan Văn Khoa")
    with clock.frozen(T0 + timedelta(hours=1)), pytest.raises(ValidationFailed) as err:
        services.dossier_apologise_and_extend(actor=head, dossier=dossier, reason="Chờ ý kiến",
                                              new_due_at=new_due)
    assert err.value.code == "new_due_off_hours"
    assert "giờ làm việc" in err.value.vi
    assert "working hours" in err.value.en
    assert not Extension.objects.filter(dossier=dossier).exists()
    assert not Dossier.objects.get(pk=dossier.pk).extended


def test_new_due_time_in_working_hours_is_kept(desk: Desk,
                                               make_user: Callable[..., Any]) -> None:
    """R11.2: a working day's 17:00 (the closing minute) is a valid appointment."""
    head = make_user(desk.agency, roles=[Role.HEAD])
    dossier = desk.in_processing("Bùi Thị Lan")
    new_due = datetime(2026, 12, 28, 17, tzinfo=VN_TZ)
    with clock.frozen(T0 + timedelta(hours=1)):
        letter = services.dossier_apologise_and_extend(actor=head, dossier=dossier,
                                                       reason="Chờ ý kiến", new_due_at=new_due)
    assert letter.new_due_at == new_due
    assert in_working_hours(new_due, calendar_of(desk.agency.pk))
