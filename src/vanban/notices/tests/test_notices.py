"""Notifications (issue 13): each kind written once per user and object, only to the right
staff of the right agency, the bell count, marking read, and mail by each user's choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vanban.core import clock
from vanban.core.roles import Role
from vanban.exchange import services as exchange
from vanban.exchange.tests.conftest import ready_document
from vanban.notices import selectors, services
from vanban.notices.models import Kind, MailChoice, Notice
from vanban.workflow.models import LineRole
from vanban.workflow.services import assignment_create
from vanban.workflow.tests.conftest import MONDAY, line

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-Thử-123"


def kinds(user: Any) -> list[tuple[str, int]]:
    return sorted(Notice.objects.filter(user=user).values_list("kind", "object_id"))


def test_arrival_notifies_the_recipient_clerks_once(make_user, sender, sender_clerk, agency,  # noqa: PLR0917
                                                    clerk, head, other_agency) -> None:
    """A delivery waiting in the inbox notifies the agency's clerks, once however often the
    job runs; nobody of the sender or another agency hears of it."""
    other_clerk = make_user(other_agency, roles=[Role.CLERK], username="vt.syt")
    document = ready_document(sender_clerk, sender, [agency])
    transmission = exchange.transmission_send(actor=sender_clerk, document=document)
    exchange.outbox_run()
    delivery = transmission.deliveries.get()
    first = services.notices_run()
    again = services.notices_run()
    assert first.created == {Kind.ARRIVAL: 1}
    assert again.total == 0
    assert kinds(clerk) == [(Kind.ARRIVAL, delivery.pk)]
    assert kinds(head) == kinds(sender_clerk) == kinds(other_clerk) == []


def test_tasks_and_assignment_go_to_the_holders(hub_document, head, clerk, budget, specialist,  # noqa: PLR0917
                                                specialist2, unit_leader, stranger) -> None:
    """A registered document notifies the directors (to assign); a unit's line its members,
    a person's line that person; a line "for information" has no deadline notice."""
    services.notices_run()
    assert kinds(head) == [(Kind.ASSIGN, hub_document.pk)]
    assignment = assignment_create(actor=head, document=hub_document, lines=[
        line(LineRole.LEAD, unit=budget, days=1),
        line(LineRole.INFORM, user=specialist2, days=1)])
    services.notices_run()
    lead = assignment.lines.get(role=LineRole.LEAD)
    inform = assignment.lines.get(role=LineRole.INFORM)
    # Monday + 1 working day = Tuesday: within the two working days ahead.
    assert kinds(specialist) == sorted([(Kind.TASK, lead.pk), (Kind.DUE_SOON, lead.pk)])
    assert (Kind.TASK, lead.pk) in kinds(unit_leader)
    assert kinds(specialist2) == [(Kind.TASK, inform.pk)]
    assert kinds(stranger) == []
    assert not Notice.objects.filter(user=clerk, kind=Kind.TASK).exists()


def test_overdue_once_when_the_deadline_passed(hub_document, head, budget, specialist) -> None:
    """A line past its deadline is notified as overdue once (R8.1 deadlines, via the agency's
    working-day calendar for "near")."""
    assignment = assignment_create(actor=head, document=hub_document,
                                   lines=[line(LineRole.LEAD, unit=budget, days=1)])
    lead = assignment.lines.get()
    with clock.frozen(MONDAY + timedelta(days=3)):  # Thursday: Tuesday's deadline passed
        services.notices_run()
        services.notices_run()
    assert Notice.objects.filter(user=specialist, kind=Kind.OVERDUE, object_id=lead.pk).count() == 1


def test_rejection_and_recall(sender, sender_clerk, agency, clerk, other_agency,  # noqa: PLR0917
                              make_user) -> None:
    """Our sending refused by the recipient notifies our clerks; a document the sender asks
    back notifies the recipient's clerks."""
    other_clerk = make_user(other_agency, roles=[Role.CLERK], username="vt.syt")
    first = exchange.transmission_send(actor=sender_clerk,
                                       document=ready_document(sender_clerk, sender, [agency]))
    second = exchange.transmission_send(
        actor=sender_clerk, document=ready_document(sender_clerk, sender, [agency],
                                                    subject="Văn bản thứ hai"))
    exchange.outbox_run()
    refused = exchange.delivery_reject(actor=clerk, delivery=first.deliveries.get(),
                                       reason="Gửi nhầm cơ quan")
    asked = exchange.delivery_recall_request(actor=sender_clerk,
                                             delivery=second.deliveries.get())
    services.notices_run()
    assert (Kind.REJECTED, refused.pk) in kinds(sender_clerk)
    assert (Kind.RECALL, asked.pk) in kinds(clerk)
    assert (Kind.REJECTED, refused.pk) not in kinds(clerk)
    assert kinds(other_clerk) == []


def test_mail_by_choice(hub_document, head, specialist, budget, settings) -> None:
    """"each": one mail per notice; "none": no mail; "daily": one digest after the digest
    time, once a day."""
    settings.VANBAN_NOTICES_DIGEST_AT = "08:00"
    head.mailbox = "ld.stc@bacgiang.gov.vn"
    head.save(update_fields=["mailbox"])
    specialist.mailbox = "cv1.stc@bacgiang.gov.vn"
    specialist.save(update_fields=["mailbox"])
    services.preference_set(actor=head, choice=MailChoice.EACH)
    services.preference_set(actor=specialist, choice=MailChoice.NONE)
    services.notices_run()
    assert [m.to for m in outbox.outbox] == [["ld.stc@bacgiang.gov.vn"]]
    assert "Văn bản chờ phân công" in outbox.outbox[0].subject
    assert "Kính gửi" in outbox.outbox[0].body
    services.preference_set(actor=specialist, choice=MailChoice.DAILY)
    assignment_create(actor=head, document=hub_document,
                      lines=[line(LineRole.LEAD, unit=budget, days=1)])
    outbox.outbox.clear()
    services.notices_run()
    services.notices_run()
    digests = [m for m in outbox.outbox if m.to == ["cv1.stc@bacgiang.gov.vn"]]
    assert len(digests) == 1
    assert "2 thông báo chưa đọc" in digests[0].subject
    assert Notice.objects.filter(user=specialist, mailed_at__isnull=True).count() == 0


def test_no_mailbox_keeps_the_notice(hub_document, head) -> None:
    """A user without a mailbox keeps the notice in the app with the reason."""
    services.preference_set(actor=head, choice=MailChoice.EACH)
    services.notices_run()
    notice = Notice.objects.get(user=head)
    assert notice.mailed_at is None
    assert "no mailbox" in notice.mail_error


def test_bell_page_read_and_read_all(hub_document, head, stranger) -> None:
    """The bell counts the unread notices; one is marked read, then all; another user's
    notice cannot be marked."""
    services.notices_run()
    Notice.objects.create(user=head, agency=hub_document.agency, kind=Kind.OVERDUE,
                          object_id=999, subject="Khác", created_at=clock.now())
    client = Client()
    client.force_login(head)
    page = client.get(reverse("notices:list"))
    assert page.status_code == 200
    assert page.context["notices_unread"] == "2"
    assert hub_document.subject in page.content.decode()
    notice = Notice.objects.get(user=head, kind=Kind.ASSIGN)
    opened = client.post(reverse("notices:read"), {"id": notice.pk, "open": "1"})
    assert opened.status_code == 302
    assert opened["Location"] == notice.url
    assert selectors.unread_count(head) == 1
    other = Client()
    other.force_login(stranger)
    other.post(reverse("notices:read"), {"id": Notice.objects.get(object_id=999).pk})
    assert selectors.unread_count(head) == 1
    client.post(reverse("notices:read_all"))
    assert selectors.unread_count(head) == 0


def test_settings_page_saves_the_choice(head) -> None:
    """The settings page shows the default and saves a new choice; a bad one is refused."""
    client = Client()
    client.force_login(head)
    assert client.get(reverse("notices:settings")).context["current"] == MailChoice.DAILY
    client.post(reverse("notices:settings"), {"mail": "each"})
    assert selectors.mail_choice(head) == MailChoice.EACH
    client.post(reverse("notices:settings"), {"mail": "hourly"})
    assert selectors.mail_choice(head) == MailChoice.EACH


def test_command_runs_the_job(hub_document, head, capsys) -> None:
    """``vanban notices run`` is the periodic job."""
    call_command("notices", "run")
    assert "new notices: 1" in capsys.readouterr().out
    assert kinds(head) == [(Kind.ASSIGN, hub_document.pk)]


def test_person_who_left_is_not_told(hub_document, head, specialist2) -> None:
    """A line given to a person who then left the agency notifies nobody (no leak of the
    agency's work to an account elsewhere)."""
    assignment_create(actor=head, document=hub_document,
                      lines=[line(LineRole.LEAD, user=specialist2, days=1)])
    specialist2.is_active = False
    specialist2.save(update_fields=["is_active"])
    services.notices_run()
    assert kinds(specialist2) == []


def test_digest_waits_for_its_time_and_mail_is_vietnamese(hub_document, head, settings
                                                          ) -> None:
    """No digest before ``VANBAN_NOTICES_DIGEST_AT``; after it, one, in Vietnamese even when
    the job runs under English."""
    from django.utils import translation

    settings.VANBAN_NOTICES_DIGEST_AT = "10:00"
    head.mailbox = "ld.stc@bacgiang.gov.vn"
    head.save(update_fields=["mailbox"])
    assert services.notices_run().digests == 0  # 09:00
    with translation.override("en"), clock.frozen(MONDAY + timedelta(hours=2)):
        assert services.notices_run().digests == 1
    assert "Văn bản chờ phân công" in outbox.outbox[0].body
    assert "English:" in outbox.outbox[0].body


def test_bell_shows_the_cap(head, agency) -> None:
    """The bell counts up to the cap and says so."""
    Notice.objects.bulk_create(
        [Notice(user=head, agency=agency, kind=Kind.OVERDUE, object_id=n, subject="x",
                created_at=clock.now()) for n in range(selectors.COUNT_CAP + 5)])
    client = Client()
    client.force_login(head)
    assert client.get(reverse("notices:settings")).context["notices_unread"] == "1000+"
