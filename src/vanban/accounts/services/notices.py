"""Telling an account's owner what someone else did to the account (R20.2, R16.2).

A reset of a password or second factor, and a decision on a pending role, leave a notice the
owner sees on the account security page and a mail to the owner's official mailbox (or account
e-mail), sent through Django's configured mail backend once the action has committed. Someone
who takes over an account through a reset cannot hide it from its owner.
"""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail
from django.db import transaction

from vanban.accounts.models import AccountNotice, User
from vanban.core import clock

logger = logging.getLogger(__name__)


def notice_send(*, user: User, kind: str, vi: str, en: str) -> AccountNotice:
    """Store a notice in the caller's transaction and mail it after the commit."""
    notice = AccountNotice.objects.create(user=user, at=clock.now(), kind=kind,
                                          text_vi=vi[:500], text_en=en[:500])
    address = user.mailbox or user.email
    if address:
        transaction.on_commit(lambda: _mail(address, user, vi, en))
    return notice


def _mail(address: str, user: User, vi: str, en: str) -> None:
    """The mail: Vietnamese, then one English paragraph. A mail server that is down leaves the
    in-app notice in place."""
    name = user.full_name or user.username
    body = (f"Kính gửi {name},\n\n{vi}\n\nNếu bạn không yêu cầu thay đổi này, hãy báo ngay cho "
            "thủ trưởng cơ quan và quản trị cấp tỉnh.\n\n"
            f"English: {en} If you did not ask for this change, tell your agency's head and "
            "the province administrator at once.\n\n-- \nvanban\n")
    try:
        send_mail(f"[vanban] Thay đổi tài khoản {user.username}", body, None, [address])
    except (OSError, smtplib.SMTPException):
        logger.exception("account notice mail to %s failed", address)
