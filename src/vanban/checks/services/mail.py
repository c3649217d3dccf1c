"""The reminder mail (R10.2): Vietnamese text with an English line, sent through Django's
configured ``EMAIL_BACKEND`` to the clerk's official mailbox (or account e-mail).

Runs after the reminders' transaction committed: a mail server that is down leaves the in-app
reminder in place and records the error on the reminder instead of failing the run.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import NoReverseMatch, reverse

from vanban.checks import times
from vanban.checks.models import Reminder
from vanban.core import clock
from vanban.core.mailing import send_each

logger = logging.getLogger(__name__)


def inbox_url() -> str:
    """Absolute link to the clerk's inbox (the incoming inbox, else the hub's)."""
    for name in ("incoming:inbox", "exchange:inbox"):
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        return str(settings.VANBAN_PUBLIC_URL).rstrip("/") + path
    return str(settings.VANBAN_PUBLIC_URL)


def reminder_subject(reminder: Reminder) -> str:
    """Subject line, Vietnamese (mail clients show it in the list)."""
    return (f"[vanban] Nhắc kiểm tra văn bản đến: {reminder.waiting} văn bản đang chờ "
            f"({reminder.agency.short_name or reminder.agency.name})")


def reminder_body(reminder: Reminder, link: str) -> str:
    """Body: who, which window, how many documents wait, the link; then one English line."""
    end = reminder.window_end.astimezone(clock.VN_TZ)
    vi_label = times.label(reminder.window, "vi")
    en_label = times.label(reminder.window, "en")
    name = reminder.user.full_name or reminder.user.username
    return (
        f"Kính gửi {name},\n\n"
        f"Đến {end:%H:%M} ngày {end:%d/%m/%Y} ({vi_label}), văn thư {reminder.agency.name} "
        f"chưa kiểm tra hộp thư văn bản điện tử đến, trong khi có {reminder.waiting} văn bản "
        "đang chờ tiếp nhận.\n"
        "Theo khoản 2 Điều 10 Quyết định 133/2015/QĐ-UBND, văn thư phải kiểm tra văn bản đến ít "
        "nhất hai lần trong ngày làm việc (cuối buổi sáng và cuối buổi chiều).\n\n"
        f"Mở hộp thư văn bản đến: {link}\n\n"
        f"English: {reminder.waiting} incoming document(s) are waiting for "
        f"{reminder.agency.name} and the inbox was not checked in the {en_label} window ending "
        f"{end:%H:%M} on {end:%d/%m/%Y}. Open the inbox: {link}\n\n"
        "-- \nvanban\n"
    )


def reminders_mail(*, reminder_ids: Iterable[int]) -> int:
    """Mail the given reminders that were not mailed yet; returns how many went out."""
    reminders = list(Reminder.objects.filter(pk__in=list(reminder_ids), mailed_at__isnull=True)
                     .select_related("user", "agency").order_by("pk"))
    if not reminders:
        return 0
    link = inbox_url()
    return send_each(reminders, lambda reminder, connection: _mail_one(reminder, link,
                                                                        connection))


def _mail_one(reminder: Reminder, link: str, connection: BaseEmailBackend) -> int:
    """Send one reminder; an error is kept on the reminder, not raised."""
    address = reminder.user.mailbox or reminder.user.email
    if not address:
        reminder.mail_error = "Cán bộ chưa có hộp thư / no mailbox"
        reminder.save(update_fields=["mail_error"])
        return 0
    try:
        send_mail(reminder_subject(reminder), reminder_body(reminder, link), None, [address],
                  connection=connection)
    except (OSError, smtplib.SMTPException) as err:
        logger.warning("reminder mail to %s failed: %s", address, err)
        reminder.mailed_to = address
        reminder.mail_error = str(err)[:500]
        reminder.save(update_fields=["mailed_to", "mail_error"])
        return 0
    reminder.mailed_to = address
    reminder.mailed_at = clock.now()
    reminder.mail_error = ""
    reminder.save(update_fields=["mailed_to", "mailed_at", "mail_error"])
    return 1
