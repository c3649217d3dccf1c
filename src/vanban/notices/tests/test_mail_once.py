"""A notice is mailed once even when two runs of the notice job overlap (issue 13 leftover):
each mail claims its notices first (a compare-and-set on ``mailed_at``), so the run that finds
them already claimed sends nothing; a failed mail gives the claim back with its error."""

from __future__ import annotations

import pytest
from django.core import mail as outbox
from django.core.mail import get_connection

from vanban.core import clock
from vanban.notices import mail
from vanban.notices.models import Kind, MailChoice, Notice, Preference

pytestmark = pytest.mark.django_db


def _notice(user, agency) -> Notice:
    Preference.objects.create(user=user, mail=MailChoice.EACH, updated_at=clock.now())
    return Notice.objects.create(user=user, agency=agency, kind=Kind.OVERDUE, object_id=7,
                                 subject="Về việc thử", created_at=clock.now())


def test_overlapping_runs_mail_a_notice_once(head, agency) -> None:
    """Two runs built their jobs from the same pending notice; the first mails it, the
    second finds it claimed and sends nothing."""
    head.mailbox = "ld.stc@demo.bacgiang.gov.vn"
    head.save(update_fields=["mailbox"])
    notice = _notice(head, agency)
    now = clock.now()
    job = (head, mail.each_subject(notice), mail.each_body(notice), [notice])
    connection = get_connection()
    assert mail._send(job, connection, now) == 1
    assert mail._send(job, connection, now) == 0
    assert len(outbox.outbox) == 1
    assert outbox.outbox[0].to == ["ld.stc@demo.bacgiang.gov.vn"]  # the official mailbox
    assert mail.mail_each(now) == 0
    notice.refresh_from_db()
    assert notice.mailed_at == now


def test_a_failed_mail_gives_the_claim_back_with_its_error(head, agency, settings) -> None:
    """An SMTP failure leaves the notice unmailed, with the error kept (not retried)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    head.mailbox = "ld.stc@demo.bacgiang.gov.vn"
    head.save(update_fields=["mailbox"])
    notice = _notice(head, agency)
    job = (head, mail.each_subject(notice), mail.each_body(notice), [notice])
    assert mail._send(job, get_connection(), clock.now()) == 0
    notice.refresh_from_db()
    assert notice.mailed_at is None
    assert notice.mail_error
