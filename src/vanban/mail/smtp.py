"""Connections to the provincial mail servers, as the settings describe them.

``VANBAN_MAIL_SMTP_HOST`` / ``_PORT`` / ``_SSL`` (implicit TLS) / ``_STARTTLS`` (default on),
``VANBAN_MAIL_IMAP_HOST`` / ``_PORT`` / ``_SSL`` (default on) / ``_STARTTLS``,
``VANBAN_MAIL_TIMEOUT`` (seconds) and ``VANBAN_MAIL_HELO`` (the name this host gives in EHLO).
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl

from django.conf import settings


def setting(name: str, default: object) -> object:
    """``VANBAN_MAIL_<name>`` or the default."""
    return getattr(settings, f"VANBAN_MAIL_{name}", default)


def timeout() -> float:
    return float(str(setting("TIMEOUT", 30.0)))


def smtp_connect() -> smtplib.SMTP:
    """An SMTP connection after EHLO (and STARTTLS when the settings ask), not logged in.

    Raises ``OSError`` (refused, unreachable, timeout) or ``smtplib.SMTPException``
    (``SMTPNotSupportedError`` when STARTTLS is asked and not offered).
    """
    host = str(setting("SMTP_HOST", "127.0.0.1"))
    port = int(str(setting("SMTP_PORT", 587)))
    helo = str(setting("HELO", "") or "") or None
    smtp: smtplib.SMTP
    if setting("SMTP_SSL", False):
        smtp = smtplib.SMTP_SSL(host, port, local_hostname=helo, timeout=timeout(),
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, local_hostname=helo, timeout=timeout())
    try:
        smtp.ehlo()
        if setting("SMTP_STARTTLS", True) and not setting("SMTP_SSL", False):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def imap_connect() -> imaplib.IMAP4:
    """An IMAP connection (TLS as the settings say), not logged in."""
    host = str(setting("IMAP_HOST", "127.0.0.1"))
    port = int(str(setting("IMAP_PORT", 993)))
    imap: imaplib.IMAP4
    if setting("IMAP_SSL", True):
        imap = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(),
                                 timeout=timeout())
    else:
        imap = imaplib.IMAP4(host, port, timeout=timeout())
        if setting("IMAP_STARTTLS", False):
            try:
                imap.starttls(ssl_context=ssl.create_default_context())
            except BaseException:
                imap.shutdown()
                raise
    return imap
