"""R10.2: the mail gateway's pass over the clerk mailbox counts as a check of the inbox, but is
recorded and reported as the gateway's ("Cổng thư tự động"), never under a clerk's name."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError, transaction

from vanban.checks import selectors, services
from vanban.checks.models import CheckKind, InboxCheck
from vanban.checks.tests.conftest import SATURDAY, WEDNESDAY, at
from vanban.core import clock

pytestmark = pytest.mark.django_db


def test_gateway_check_counts_without_a_person(finance, finance_clerk, admin, client):
    """R10.2: an automatic check fills the window; the report and its CSV name the gateway."""
    with clock.frozen(at(WEDNESDAY, 9, 0)):
        check = services.inbox_check_record_gateway(agency_id=finance.pk)
    assert (check.kind, check.user_id, check.agency_id) == (CheckKind.MAIL_GATEWAY, None,
                                                           finance.pk)
    with clock.frozen(at(SATURDAY, 20)):
        report = selectors.check_report(admin, start=WEDNESDAY, end=WEDNESDAY,
                                        agency_code=finance.code)
        [row] = report.rows
        morning, afternoon = row.cells
        assert (morning.status, afternoon.status) == ("done", "missed")
        first = morning.first
        assert first is not None
        assert first.checker == "Cổng thư tự động"
        assert finance_clerk.username not in first.checker
        client.force_login(finance_clerk)
        page = client.get(f"/checks/?from={WEDNESDAY:%Y-%m-%d}&to={WEDNESDAY:%Y-%m-%d}")
        data = client.get(f"/checks/report.csv?from={WEDNESDAY:%Y-%m-%d}"
                          f"&to={WEDNESDAY:%Y-%m-%d}").content
    assert 'data-kind="mail_gateway"' in page.content.decode()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][6] == "Cổng thư tự động"


def test_a_person_check_needs_its_person(finance):
    """R10.2: a check of kind person without a user (or a gateway check naming one) is refused
    by the database itself."""
    with clock.frozen(at(WEDNESDAY, 9, 0)), pytest.raises(IntegrityError), \
            transaction.atomic():
        InboxCheck.objects.create(agency=finance, kind=CheckKind.PERSON, user=None,
                                  checked_at=clock.now(), day=WEDNESDAY)
