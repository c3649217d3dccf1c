"""Messages for the gateway's tests, built as a mail client would (and broken on purpose)."""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from vanban.core import clock

TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258 as Vietnamese Windows writes it: letters with their vowel marks
    precomposed, the tone as a combining mark after them."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out += base.encode("cp1258") + "".join(c for c in parts if c in TONES).encode("cp1258")
    return out


def cp1258_word(text: str) -> str:
    """An RFC 2047 encoded word in windows-1258."""
    return f"=?windows-1258?B?{base64.b64encode(cp1258(text)).decode()}?="


def build(*, sender: str, to: str, subject: str = "Về việc báo cáo tình hình",
          files: Sequence[tuple[str, bytes]] = (), body: str = "Kính gửi văn thư.",
          headers: dict[str, str] | None = None, message_id: str | None = None) -> EmailMessage:
    """A message from ``sender`` to ``to`` with ``files`` attached (name, bytes)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2])
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, data in files:
        maintype, subtype = ("application", "pdf") if name.endswith(".pdf") \
            else ("application", "octet-stream")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message
