"""The checks report and the paper registration form take dates as dd/mm/yyyy whatever the
browser's language (issue 13, observed 9): no ``type="date"`` input is left, and a day typed
dd/mm/yyyy selects the same report as the ISO form of old links."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vanban.core.roles import Role

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_checks_report_reads_and_shows_dd_mm_yyyy(make_agency, make_user) -> None:
    """R10.2's report: ``from=04/11/2026`` is 4 November (not 11 April), shown back the same
    way; the ISO form still works; a bad day is a message, not a server error."""
    agency = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    head = make_user(agency, roles=[Role.HEAD], username="ld.stc")
    client = _client(head)
    page = client.get("/checks/?from=04/11/2026&to=05/11/2026").content.decode()
    assert 'type="date"' not in page
    assert 'value="04/11/2026"' in page
    assert 'value="05/11/2026"' in page
    iso = client.get("/checks/?from=2026-11-04&to=2026-11-05").content.decode()
    assert 'value="04/11/2026"' in iso
    assert client.get("/checks/?from=31/02/2026").status_code == 200


def test_the_paper_registration_form_asks_days_as_dd_mm_yyyy(make_agency, make_user) -> None:
    """R10.1: the paper form's dates are dd/mm/yyyy text inputs, never the browser's picker."""
    agency = make_agency("000.00.03.H06", name="Sở Tài chính", short_name="STC")
    clerk = make_user(agency, roles=[Role.CLERK], username="vt.stc")
    page = _client(clerk).get("/incoming/paper/").content.decode()
    assert 'type="date"' not in page
    assert page.count('placeholder="dd/mm/yyyy"') == 2
