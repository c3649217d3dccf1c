"""Sending a batch of mails over one connection of the configured ``EMAIL_BACKEND`` (the inbox
reminders, the notices): one failing mail is the caller's to record, a dead connection is
closed quietly."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

T = TypeVar("T")


def send_each(items: Sequence[T], send_one: Callable[[T, BaseEmailBackend], int]) -> int:
    """``send_one(item, connection)`` for each item over one connection; returns the sum of
    what they return (the mails that went out)."""
    if not items:
        return 0
    sent = 0
    connection = get_connection(fail_silently=False)
    try:
        for item in items:
            sent += send_one(item, connection)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):  # closing a dead connection
            logger.warning("closing the mail connection failed", exc_info=True)
    return sent
