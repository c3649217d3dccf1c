"""Notification mail: Vietnamese text with an English line, through Django's configured
``EMAIL_BACKEND`` to the user's official mailbox (or account e-mail), as the checks reminders.

"each": one mail per new unread notice; "daily": one digest of the unread notices not mailed
yet, at the first run after ``VANBAN_NOTICES_DIGEST_AT`` (local time) each day. A failed mail
keeps the notice in the app and the error on it; it is not retried.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation

from vanban.accounts.models import User
from vanban.core import clock
from vanban.core.mailing import send_each
from vanban.notices.models import Kind, MailChoice, Notice, Preference

logger = logging.getLogger(__name__)
# Only what is recent is mailed (a choice changed to "each" does not mail months of history).
RECENT = timedelta(days=2)
KIND_EN = {Kind.ARRIVAL: "New incoming document", Kind.ASSIGN: "Document to assign",
           Kind.TASK: "New task", Kind.DUE_SOON: "Deadline near", Kind.OVERDUE: "Overdue",
           Kind.REJECTED: "Sent document rejected", Kind.RECALL: "Incoming document recalled"}


def default_choice() -> str:
    """The choice of a user who made none (setting ``VANBAN_NOTICES_MAIL_DEFAULT``)."""
    value = str(getattr(settings, "VANBAN_NOTICES_MAIL_DEFAULT", MailChoice.DAILY))
    return value if value in MailChoice.values else MailChoice.DAILY


def users_choosing(choice: str) -> Q:
    """A filter on notices whose user chose ``choice`` (explicitly or by default)."""
    chosen = Q(user__notice_preference__mail=choice)
    if choice == default_choice():
        chosen |= Q(user__notice_preference__isnull=True)
    return chosen


def _pending(now: datetime, choice: str) -> QuerySet[Notice]:
    return (Notice.objects.filter(users_choosing(choice), read_at__isnull=True,
                                  mailed_at__isnull=True, mail_error="",
                                  created_at__gte=now - RECENT, created_at__lte=now)
            .select_related("user", "agency").order_by("user_id", "pk"))


def link(notice: Notice) -> str:
    """Absolute address of the notice's page (else the bell page)."""
    return str(settings.VANBAN_PUBLIC_URL).rstrip("/") + (notice.url or "/notices/")


def _line(notice: Notice) -> str:
    due = f" (hạn {notice.due:%d/%m/%Y})" if notice.due else ""
    detail = f" — {notice.detail}" if notice.detail else ""
    return f"- {Kind(notice.kind).label}: {notice.subject}{detail}{due}\n  {link(notice)}\n"


def each_subject(notice: Notice) -> str:
    """Subject of a single notice's mail."""
    return f"[vanban] {Kind(notice.kind).label}: {notice.subject}"[:250]


def each_body(notice: Notice) -> str:
    """Body of a single notice's mail: who, what, the link; then one English line."""
    user = notice.user
    return (f"Kính gửi {user.full_name or user.username},\n\n"
            f"Hệ thống văn bản điện tử có thông báo mới cho {notice.agency.name}:\n\n"
            f"{_line(notice)}\n"
            f"English: {KIND_EN[Kind(notice.kind)]}: {notice.subject}. Open: {link(notice)}\n\n"
            "Đổi cách nhận thư thông báo / change how you are told: "
            f"{str(settings.VANBAN_PUBLIC_URL).rstrip('/')}/notices/settings/\n\n-- \nvanban\n")


def digest_body(user: User, notices: list[Notice]) -> str:
    """Body of the daily digest: every unread notice not mailed yet."""
    lines = "".join(_line(n) for n in notices)
    return (f"Kính gửi {user.full_name or user.username},\n\n"
            f"Có {len(notices)} thông báo chưa đọc trên hệ thống văn bản điện tử:\n\n"
            f"{lines}\n"
            f"English: {len(notices)} unread notification(s); open "
            f"{str(settings.VANBAN_PUBLIC_URL).rstrip('/')}/notices/\n\n-- \nvanban\n")


def _claim(ids: list[int], now: datetime) -> bool:
    """Mark the job's notices mailed before sending, all or none (a compare-and-set on
    ``mailed_at``): of two overlapping runs only one gets them, so no notice is mailed twice."""
    with transaction.atomic():
        taken = Notice.objects.filter(pk__in=ids, mailed_at__isnull=True,
                                      mail_error="").update(mailed_at=now)
        if taken != len(ids):
            transaction.set_rollback(True)
            return False
    return True


def _send(job: Job, connection: BaseEmailBackend, now: datetime) -> int:
    """Send one mail about ``notices``; the outcome is kept on them, an error not raised. The
    personal official mailbox of the directory is used first, the account's e-mail only for an
    account that has none."""
    user, subject, body, notices = job
    ids = [n.pk for n in notices]
    address = user.mailbox or user.email
    if not address:
        Notice.objects.filter(pk__in=ids).update(mail_error="Cán bộ chưa có hộp thư / no mailbox")
        return 0
    if not _claim(ids, now):
        return 0  # another run is mailing them
    try:
        send_mail(subject, body, None, [address], connection=connection)
    except (OSError, smtplib.SMTPException) as err:
        logger.warning("notice mail to %s failed: %s", address, err)
        Notice.objects.filter(pk__in=ids).update(mailed_at=None,
                                                 mail_error=str(err)[:500] or "error")
        return 0
    return 1


Job = tuple[User, str, str, list[Notice]]  # to whom, subject, body, the notices it tells


def _with_connection(jobs: list[Job], now: datetime) -> int:
    return send_each(jobs, lambda job, connection: _send(job, connection, now))


def mail_each(now: datetime) -> int:
    """One mail per new unread notice of the users who chose "each"; returns mails sent."""
    with translation.override("vi"):  # the labels in the mail's Vietnamese, whoever runs it
        jobs = [(n.user, each_subject(n), each_body(n), [n])
                for n in _pending(now, MailChoice.EACH)]
    return _with_connection(jobs, now)


def digest_due(now: datetime) -> bool:
    """Whether the local time has passed the day's digest time."""
    text = str(getattr(settings, "VANBAN_NOTICES_DIGEST_AT", "07:30"))
    try:
        at = time.fromisoformat(text)
    except ValueError:
        at = time(7, 30)
    return now.astimezone(clock.VN_TZ).time() >= at


def mail_digests(now: datetime) -> int:
    """The daily digest of each user who chose "daily" and was not sent one today."""
    if not digest_due(now):
        return 0
    today = now.astimezone(clock.VN_TZ).date()
    grouped: dict[int, list[Notice]] = defaultdict(list)
    for notice in _pending(now, MailChoice.DAILY).filter(
            Q(user__notice_preference__isnull=True)
            | Q(user__notice_preference__digest_sent_on__isnull=True)
            | Q(user__notice_preference__digest_sent_on__lt=today)):
        grouped[notice.user_id].append(notice)
    with translation.override("vi"):
        jobs = [(found[0].user, f"[vanban] {len(found)} thông báo chưa đọc "
                 f"({today:%d/%m/%Y})", digest_body(found[0].user, found), found)
                for found in grouped.values()]
    sent = _with_connection(jobs, now)
    for user_id in grouped:
        Preference.objects.update_or_create(
            user_id=user_id, defaults={"digest_sent_on": today, "updated_at": now},
            create_defaults={"mail": default_choice(), "digest_sent_on": today,
                             "updated_at": now})
    return sent
