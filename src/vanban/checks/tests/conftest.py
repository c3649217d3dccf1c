"""Fixtures of the check tests: the hub's agencies and staff (reused from the exchange tests), a
real internal delivery that waits in the recipient's inbox, and times on chosen days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest

from vanban.core import clock
from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.exchange.tests import conftest as hub
from vanban.exchange.tests.conftest import ready_document

# The hub's fixtures, reused by name: two agencies of the province, their clerks and head.
province = hub.province
sender = hub.sender
finance = hub.finance
health = hub.health
clerk = hub.clerk
finance_clerk = hub.finance_clerk
finance_head = hub.finance_head

WEDNESDAY = date(2026, 11, 25)  # an ordinary working day
THURSDAY = date(2026, 11, 26)
SATURDAY = date(2026, 11, 28)  # a weekend day (made a working day in one test)
TET = date(2027, 2, 8)  # Mùng ba Tết Nguyên Đán, a Monday


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A local (Asia/Ho_Chi_Minh) moment."""
    return datetime.combine(day, time(hh, mm), tzinfo=clock.VN_TZ)


@pytest.fixture
def deliver(clerk: Any, sender: Agency) -> Callable[..., Any]:
    """``deliver(recipient, when)``: the sender's clerk sends a document and the hub's worker
    stores it in the recipient's inbox at ``when`` (a real internal delivery, state 01)."""
    from vanban.exchange import services

    def run(recipient: Agency, when: datetime) -> Any:
        with clock.frozen(when):
            document = ready_document(clerk, sender, [recipient])
            transmission = services.transmission_send(actor=clerk, document=document)
            services.outbox_run()
        return transmission.deliveries.get()

    return run


@pytest.fixture
def finance_clerk2(make_user: Callable[..., Any], finance: Agency) -> Any:
    """A second clerk of the recipient agency."""
    user = make_user(finance, roles=[Role.CLERK], username="vt2.stc")
    user.mailbox = "vt2.stc@bacgiang.gov.vn"
    user.save(update_fields=["mailbox"])
    return user


@pytest.fixture
def admin(make_user: Callable[..., Any], province: Agency) -> Any:
    """The province administrator (Sở TT&TT)."""
    return make_user(province, roles=[Role.PROVINCE_ADMIN], username="qt.tinh")
