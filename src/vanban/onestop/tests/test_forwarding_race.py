"""Two officers taking the same forwarded delivery at once make one dossier: the second waits
on the delivery's row lock and finds the first's dossier (R11.1a). PostgreSQL only: SQLite
serialises every writer anyway."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from vanban.core import clock
from vanban.core.errors import DomainError
from vanban.directory.models import Agency
from vanban.onestop import services
from vanban.onestop.models import Dossier
from vanban.onestop.tests.test_forwarding import T0, Pair, forward

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_delivery_becomes_one_dossier_under_a_race(
        make_agency: Callable[..., Agency], make_user: Callable[..., Any]) -> None:
    """R11.1(a): four officers' requests at the same moment: one dossier, three refusals."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    pair = Pair(make_agency, make_user)
    delivery = forward(pair)
    gate = threading.Barrier(4)
    codes: list[str] = []

    def take() -> None:
        try:
            gate.wait()
            services.dossier_receive_from_agency(
                actor=pair.district_officer, delivery_uid=str(delivery.uid),
                procedure=pair.district_procedure, applicant=services.Applicant(name="Hải"))
            codes.append("made")
        except DomainError as err:
            codes.append(err.code)
        finally:
            connections.close_all()

    with clock.frozen(T0):
        threads = [threading.Thread(target=take) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(codes) == ["already_received"] * 3 + ["made"]
    assert Dossier.objects.filter(channel="agency").count() == 1
