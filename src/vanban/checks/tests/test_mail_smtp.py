"""The reminder mail through a real SMTP server on loopback (R10.2): Django's SMTP backend, an
aiosmtpd server started by the test, the message parsed as a mail client would."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from vanban.checks import services
from vanban.checks.models import Reminder
from vanban.checks.tests.conftest import WEDNESDAY, at
from vanban.core import clock

pytestmark = pytest.mark.django_db


class Collector:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        """Keep the message, accept it."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(monkeypatch):
    """An SMTP server on 127.0.0.1 for the duration of the test."""
    from django.core.mail import utils

    # Both sides would look up this machine's FQDN, which takes seconds offline.
    monkeypatch.setattr(utils.DNS_NAME, "_fqdn", "localhost", raising=False)
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port(),
                            server_hostname="localhost")
    controller.start()
    try:
        yield controller, collector
    finally:
        controller.stop()


def test_reminder_mail_arrives_at_a_real_smtp_server(
        smtp_server, deliver, finance, finance_clerk, django_capture_on_commit_callbacks):
    """R10.2: the reminder goes by mail through the configured EMAIL_BACKEND (here Django's
    SMTP backend against a real server) to the clerk's mailbox, with a Vietnamese subject."""
    controller, collector = smtp_server
    finance_clerk.mailbox = "van.thu@stc.bacgiang.gov.vn"
    finance_clerk.save(update_fields=["mailbox"])
    deliver(finance, at(WEDNESDAY, 8))
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=controller.port,
                           EMAIL_USE_TLS=False, EMAIL_TIMEOUT=10,
                           DEFAULT_FROM_EMAIL="vanban@bacgiang.gov.vn"), \
            clock.frozen(at(WEDNESDAY, 11, 30)), \
            django_capture_on_commit_callbacks(execute=True):
        services.reminders_run()
    [envelope] = collector.envelopes
    assert envelope.rcpt_tos == ["van.thu@stc.bacgiang.gov.vn"]
    assert envelope.mail_from == "vanban@bacgiang.gov.vn"
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "van.thu@stc.bacgiang.gov.vn"
    # Django folds the encoded subject onto the next line; unfolding leaves a leading space.
    assert str(message["Subject"]).strip() == (
        "[vanban] Nhắc kiểm tra văn bản đến: 1 văn bản đang chờ (STC)")
    body = message.get_content()
    assert "Kính gửi" in body
    assert "Sở Tài chính" in body
    assert "1 văn bản" in body
    assert "English: 1 incoming document(s) are waiting" in body
    reminder = Reminder.objects.get()
    assert reminder.mailed_at is not None
    assert reminder.mail_error == ""


def test_mail_server_down_keeps_the_in_app_reminder(
        deliver, finance, finance_clerk, django_capture_on_commit_callbacks):
    """R10.2: a mail server that does not answer leaves the in-app reminder and records why the
    mail did not go; the run itself succeeds."""
    finance_clerk.mailbox = "van.thu@stc.bacgiang.gov.vn"
    finance_clerk.save(update_fields=["mailbox"])
    deliver(finance, at(WEDNESDAY, 8))
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=_free_port(), EMAIL_TIMEOUT=5), \
            clock.frozen(at(WEDNESDAY, 11, 30)), \
            django_capture_on_commit_callbacks(execute=True):
        [run] = services.reminders_run()
    assert len(run.reminder_ids) == 1
    reminder = Reminder.objects.get()
    assert reminder.mailed_at is None
    assert reminder.mail_error
    assert reminder.mailed_to == "van.thu@stc.bacgiang.gov.vn"
