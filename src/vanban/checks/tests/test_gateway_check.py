"""R10.2: the mail gateway's pass over the clerk mailbox counts as a check of the inbox, but is
recorded and reported as the gateway's ("Cổng thư tự động"), never under a clerk's name, and it
covers the mail road only: while a hub delivery waits, only a person's check satisfies a
window."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from vanban.checks import selectors, services
from vanban.checks.models import CheckKind, InboxCheck, Reminder
from vanban.checks.tests.conftest import SATURDAY, WEDNESDAY, at
from vanban.core import clock
from vanban.exchange.models import Channel, Delivery, Transmission

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


def _remind(when: Any, capture: Any) -> Any:
    with clock.frozen(when), capture(execute=True):
        return services.reminders_run()


def test_gateway_pass_does_not_cover_a_waiting_hub_delivery(
        deliver, finance, finance_clerk, admin, django_capture_on_commit_callbacks):
    """R10.2: the gateway checks the mail road only. While a hub delivery waits, a window with
    only its pass is missed (the report shows the pass in it) and the clerks are reminded."""
    deliver(finance, at(WEDNESDAY, 8))
    with clock.frozen(at(WEDNESDAY, 9, 0)):
        gateway = services.inbox_check_record_gateway(agency_id=finance.pk)
    [run] = _remind(at(WEDNESDAY, 11, 31), django_capture_on_commit_callbacks)
    assert (run.agencies_due, run.agencies_missed) == (1, 1)
    assert Reminder.objects.filter(user=finance_clerk, day=WEDNESDAY, window=0).exists()
    with clock.frozen(at(WEDNESDAY, 12)):
        [row] = selectors.check_report(admin, start=WEDNESDAY, end=WEDNESDAY,
                                       agency_code=finance.code).rows
    assert row.cells[0].status == "missed"
    assert row.cells[0].first == gateway


def test_a_person_check_covers_a_waiting_hub_delivery(
        deliver, finance, finance_clerk, admin, django_capture_on_commit_callbacks):
    """R10.2: a clerk's own check satisfies the window whatever waits; the report names the
    clerk, not the gateway that passed earlier."""
    deliver(finance, at(WEDNESDAY, 8))
    with clock.frozen(at(WEDNESDAY, 9, 0)):
        services.inbox_check_record_gateway(agency_id=finance.pk)
    with clock.frozen(at(WEDNESDAY, 10, 0)):
        person = services.inbox_check_record(actor=finance_clerk)
    [run] = _remind(at(WEDNESDAY, 11, 31), django_capture_on_commit_callbacks)
    assert (run.agencies_due, run.agencies_missed) == (1, 0)
    with clock.frozen(at(WEDNESDAY, 12)):
        [row] = selectors.check_report(admin, start=WEDNESDAY, end=WEDNESDAY,
                                       agency_code=finance.code).rows
    assert (row.cells[0].status, row.cells[0].first) == ("done", person)


def test_gateway_pass_covers_waiting_mail(
        deliver, finance, admin, django_capture_on_commit_callbacks):
    """R10.2: when only mail arrivals wait (the road the gateway itself reads), its pass
    satisfies the window and no one is reminded."""
    delivery = deliver(finance, at(WEDNESDAY, 8))
    Transmission.objects.filter(pk=delivery.transmission_id).update(
        channel=Channel.MAIL, origin="vanthu@sxd.bacgiang.gov.vn")
    Delivery.objects.filter(pk=delivery.pk).update(channel=Channel.MAIL)
    with clock.frozen(at(WEDNESDAY, 9, 0)):
        services.inbox_check_record_gateway(agency_id=finance.pk)
    [run] = _remind(at(WEDNESDAY, 11, 31), django_capture_on_commit_callbacks)
    assert (run.agencies_due, run.agencies_missed) == (1, 0)
    with clock.frozen(at(WEDNESDAY, 12)):
        [row] = selectors.check_report(admin, start=WEDNESDAY, end=WEDNESDAY,
                                       agency_code=finance.code).rows
    assert row.cells[0].status == "done"


def test_a_hub_delivery_accepted_before_the_window_ends_no_longer_counts(finance, deliver,
                                                                           admin):
    """R10.2: what matters is what waited at the window's end: a hub delivery the clerk
    accepted earlier leaves the gateway's pass satisfying the window."""
    delivery = deliver(finance, at(WEDNESDAY, 8))
    Delivery.objects.filter(pk=delivery.pk).update(acknowledged_at=at(WEDNESDAY, 8, 30))
    with clock.frozen(at(WEDNESDAY, 9, 0)):
        services.inbox_check_record_gateway(agency_id=finance.pk)
    with clock.frozen(at(WEDNESDAY, 12)):
        [row] = selectors.check_report(admin, start=WEDNESDAY, end=WEDNESDAY,
                                       agency_code=finance.code).rows
    assert row.cells[0].status == "done"
