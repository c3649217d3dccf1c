"""Reminders at the end of the morning and of the afternoon (R10.2, Art. 10.2): a clerk who did
not check the inbox while documents waited is reminded in the app and by mail, once."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from vanban.audit.models import AuditEvent
from vanban.checks import selectors, services
from vanban.checks.models import Reminder, ReminderRun
from vanban.checks.tests.conftest import SATURDAY, TET, WEDNESDAY, at
from vanban.core import clock
from vanban.directory.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the reminder job at a local moment, mails included (they go after the commit)."""

    def run(when):
        with clock.frozen(when), django_capture_on_commit_callbacks(execute=True):
            return services.reminders_run()

    return run


def _with_mailbox(user: Any) -> Any:
    """Give the user a personal official mailbox (R13.1)."""
    user.mailbox = f"{user.username}@bacgiang.gov.vn"
    user.save(update_fields=["mailbox"])
    return user


def _runs() -> int:
    """Audit events of reminder runs."""
    return AuditEvent.objects.filter(action="checks.reminders_run").count()


def test_clerk_who_checked_in_the_morning_gets_no_morning_reminder(
        deliver, finance, finance_clerk, remind):
    """R10.2: a clerk who opened the inbox during the morning is not reminded for the morning."""
    deliver(finance, at(WEDNESDAY, 8))
    with clock.frozen(at(WEDNESDAY, 10)):
        check = services.inbox_check_record(actor=finance_clerk)
    assert check is not None
    assert check.waiting == 1
    [run] = remind(at(WEDNESDAY, 11, 31))
    assert (run.agencies_due, run.agencies_missed, run.reminder_ids) == (1, 0, [])
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_clerk_who_did_not_check_is_reminded_in_app_and_by_mail(  # noqa: PLR0917
        deliver, finance, finance_clerk, finance_clerk2, finance_head, remind, client):
    """R10.2: no clerk checked during the morning while a delivery waited: every active clerk of
    the agency gets a reminder in the app and by mail (Vietnamese, with an English line)."""
    finance_clerk.email = "vt.stc@example.org"
    finance_clerk.save(update_fields=["email"])
    deliver(finance, at(WEDNESDAY, 8))
    with clock.frozen(at(WEDNESDAY, 13)):  # an afternoon check does not count for the morning
        services.inbox_check_record(actor=finance_clerk)
    [run] = remind(at(WEDNESDAY, 11, 35))
    assert (run.agencies_due, run.agencies_missed, len(run.reminder_ids)) == (1, 1, 2)
    reminders = Reminder.objects.order_by("user__username")
    assert [r.user for r in reminders] == [finance_clerk, finance_clerk2]
    assert {(r.day, r.window, r.waiting) for r in reminders} == {(WEDNESDAY, 0, 1)}
    assert all(r.mailed_at is not None for r in reminders)
    assert sorted(m.to[0] for m in mail.outbox) == ["vt.stc@example.org",
                                                    "vt2.stc@bacgiang.gov.vn"]
    message = mail.outbox[0]
    assert message.subject.startswith("[vanban] Nhắc kiểm tra văn bản đến: 1 văn bản đang chờ")
    assert "Điều 10" in message.body
    assert "English: 1 incoming document(s)" in message.body
    assert "buổi sáng" in message.body
    assert "http://" in message.body
    assert _runs() == 1
    # The head is not a clerk: no reminder for them.
    assert not Reminder.objects.filter(user=finance_head).exists()
    # In the app: the count for the home page, the list page, marking read.
    assert selectors.reminders_unread_count(finance_clerk) == 1
    client.force_login(finance_clerk)
    page = client.get("/checks/reminders/")
    assert page.status_code == 200
    assert "1 lời nhắc chưa đọc." in page.content.decode()
    assert client.post("/checks/reminders/read/").status_code == 302
    assert selectors.reminders_unread_count(finance_clerk) == 0
    assert selectors.reminders_unread_count(finance_clerk2) == 1
    assert AuditEvent.objects.filter(action="checks.reminders_read").count() == 1


def test_no_documents_waiting_no_reminder(deliver, finance, health, finance_clerk, remind,  # noqa: PLR0917
                                          make_user):
    """R10.2: an agency without waiting documents gets no reminder, nor does a document that
    arrived after the window ended count for it."""
    from vanban.core.roles import Role

    make_user(health, roles=[Role.CLERK])
    deliver(finance, at(WEDNESDAY, 12))  # arrives in the afternoon
    [morning] = remind(at(WEDNESDAY, 12, 5))
    assert (morning.agencies_due, morning.reminder_ids) == (0, [])
    [afternoon] = remind(at(WEDNESDAY, 16, 31))
    assert afternoon.agencies_due == 1
    assert list(Reminder.objects.values_list("user", "window")) == [(finance_clerk.pk, 1)]
    assert not Reminder.objects.filter(agency=health).exists()


def test_running_twice_sends_nothing_new(deliver, finance, finance_clerk, remind):
    """R10.2: the job is idempotent per window: a second run (cron every few minutes) sends no
    second reminder, mail or audit event; a later run processes only the new window."""
    _with_mailbox(finance_clerk)
    deliver(finance, at(WEDNESDAY, 8))
    assert len(remind(at(WEDNESDAY, 11, 31))) == 1
    assert remind(at(WEDNESDAY, 11, 40)) == []
    assert remind(at(WEDNESDAY, 12, 0)) == []
    assert Reminder.objects.count() == 1
    assert len(mail.outbox) == 1
    assert _runs() == 1
    [afternoon] = remind(at(WEDNESDAY, 16, 45))
    assert afternoon.window.index == 1
    assert len(afternoon.reminder_ids) == 1
    assert remind(at(WEDNESDAY, 18, 0)) == []
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2
    assert _runs() == 2
    assert ReminderRun.objects.count() == 2


def test_no_reminder_on_tet(deliver, finance, finance_clerk, remind):
    """R10.2: checks are due on working days only; Tết is not one."""
    deliver(finance, at(TET, 8))
    [morning, afternoon] = remind(at(TET, 17))
    assert (morning.agencies_due, morning.agencies_off) == (0, 1)
    assert afternoon.agencies_off == 1
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_make_up_saturday_is_a_working_day(deliver, finance, finance_clerk, remind):
    """R10.2: an ordinary Saturday needs no check; a make-up working day (ngày làm bù) does."""
    deliver(finance, at(SATURDAY, 8))
    [morning] = remind(at(SATURDAY, 11, 30))
    assert morning.agencies_off == 1
    assert not Reminder.objects.exists()
    CalendarDay.objects.create(day=SATURDAY, working=True, note="Làm bù",
                               created_at=clock.now())
    [afternoon] = remind(at(SATURDAY, 16, 30))
    assert afternoon.agencies_due == 1
    assert list(Reminder.objects.values_list("user", "day", "window")) == [
        (finance_clerk.pk, SATURDAY, 1)]


def test_inactive_clerk_is_not_reminded(deliver, finance, finance_clerk, finance_clerk2, remind):
    """R10.2: only active clerks get reminders."""
    finance_clerk2.is_active = False
    finance_clerk2.save(update_fields=["is_active"])
    deliver(finance, at(WEDNESDAY, 8))
    remind(at(WEDNESDAY, 11, 30))
    assert list(Reminder.objects.values_list("user", flat=True)) == [finance_clerk.pk]


@override_settings(VANBAN_CHECK_TIMES="10:00,15:00")
def test_check_times_are_configurable(deliver, finance, finance_clerk, remind):
    """R10.2: the check times come from VANBAN_CHECK_TIMES."""
    deliver(finance, at(WEDNESDAY, 8))
    assert remind(at(WEDNESDAY, 9, 59)) == []
    [run] = remind(at(WEDNESDAY, 10, 0))
    assert run.window.end == at(WEDNESDAY, 10)
    assert Reminder.objects.get().window_end == at(WEDNESDAY, 10)


def test_remind_command(deliver, finance, finance_clerk, django_capture_on_commit_callbacks,
                        capsys):
    """R10.2: ``vanban checks remind --at`` processes the windows ended at that moment."""
    _with_mailbox(finance_clerk)
    deliver(finance, at(WEDNESDAY, 8))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("checks", "remind", "--at", "2026-11-25T16:31")
    out = capsys.readouterr().out
    # (Inside the test's transaction the mails go when the capture block ends, after the
    # command printed its lines; in production the run commits first, so "mailed" counts them.)
    assert "11:30 morning: agencies waiting=1 missed=1 off=0 reminders=1 mailed=" in out
    assert "16:30 afternoon: agencies waiting=1 missed=1 off=0 reminders=1 mailed=" in out
    assert len(mail.outbox) == 2
    call_command("checks", "remind", "--at", "2026-11-25T16:40+07:00")
    assert "nothing to do" in capsys.readouterr().out
    assert Reminder.objects.count() == 2


def test_scheduler_catches_up_and_stops_on_sigterm(deliver, finance, finance_clerk, monkeypatch,  # noqa: PLR0917
                                                   django_capture_on_commit_callbacks, capsys):
    """R10.2: the scheduler reminds at start for today's ended windows, computes the next
    window end, and stops cleanly on SIGTERM."""
    import os
    import signal

    from vanban.checks.management.commands import checks as command

    deliver(finance, at(WEDNESDAY, 8))
    before = signal.getsignal(signal.SIGTERM)
    sleeps = []

    def fake_sleep(seconds):
        """Instead of sleeping, the operator stops the service."""
        sleeps.append(seconds)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=fake_sleep))
    # Closing stale connections would close the test's own transaction.
    monkeypatch.setattr(command, "close_old_connections", lambda: None)
    with clock.frozen(at(WEDNESDAY, 12)), django_capture_on_commit_callbacks(execute=True):
        call_command("checks", "scheduler", "--tick", "7")
    out = capsys.readouterr().out
    assert "reminders=1" in out
    assert "next: 2026-11-25 16:30 +0700" in out
    assert "scheduler stopped" in out
    assert sleeps == [7.0]
    assert Reminder.objects.count() == 1
    assert signal.getsignal(signal.SIGTERM) == before
