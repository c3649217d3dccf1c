"""The mail gateway's former message reading (R4.1), kept only as the yardstick the fast
reading is proved against (test_parse_equivalence.py): every header parsed by
``policy.default``'s header registry, on every access. Not used by the gateway."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from datetime import datetime
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from vanban.mailgate.core.message import (
    HEADER_DEFECTS,
    SERIOUS_DEFECTS,
    SINGLE_HEADERS,
    VANBAN_HEADER,
    ParsedMail,
    Part,
    body_sha256,
)

_ENCODED_WORD = re.compile(r"=\?([^?*]+)(?:\*[^?]*)?\?[bBqQ]\?")
_BODY_SPLIT = re.compile(rb"\r?\n\r?\n")


def _ref_header(message: Message, name: str, defects: list[str]) -> str:
    try:
        value = message.get(name)
        if value is None:
            return ""
        for defect in getattr(value, "defects", ()):
            if isinstance(defect, HEADER_DEFECTS):
                defects.append(f"header {name}: {type(defect).__name__}")
        text = unicodedata.normalize("NFC", str(value))
        if "\ufffd" in text or _ref_unknown_charset(_ref_raw_header(message, name)):
            defects.append(f"header {name}: undecodable")
    except (ValueError, LookupError, TypeError, UnicodeError) as err:
        defects.append(f"header {name}: {type(err).__name__}")
        return ""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _ref_raw_header(message: Message, name: str) -> str:
    return next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")


def _ref_unknown_charset(raw: str) -> bool:
    for charset in _ENCODED_WORD.findall(raw):
        try:
            codecs.lookup(charset)
        except LookupError:
            return True
    return False


def reference_addresses(value: str) -> list[str]:
    return [addr.strip().lower() for _name, addr in getaddresses([value]) if addr.strip()]


def reference_address_ok(address: str) -> bool:
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, email_errors.HeaderParseError):
        return False
    return bool(parsed.username and parsed.domain and "." in parsed.domain)


def _ref_sent_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return at if at.tzinfo is not None else None


def _ref_payload(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError) as err:
        defects.append(f"payload: {type(err).__name__}")
        return b""
    return data if isinstance(data, bytes) else b""


def _ref_text(part: Message, defects: list[str]) -> str:
    data = _ref_payload(part, defects)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        defects.append(f"body charset {charset}")
        return data.decode("utf-8", "replace")


def _ref_walk(message: Message, defects: list[str]) -> tuple[str, list[Part]]:
    body = ""
    parts: list[Part] = []
    for part in message.walk():
        defects.extend(type(d).__name__ for d in part.defects
                       if isinstance(d, SERIOUS_DEFECTS))
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        try:
            name = part.get_filename() or ""
        except (ValueError, LookupError, TypeError, UnicodeError):
            defects.append("filename")
            name = ""
        if content_type.startswith("message/") and not name:
            continue
        if not name and content_type.startswith("text/"):
            if not body and content_type == "text/plain":
                body = _ref_text(part, defects)
            continue
        data = _ref_payload(part, defects)
        parts.append(Part(name=" ".join(name.split())[:200], content_type=content_type,
                          data=data, sha256=hashlib.sha256(data).hexdigest()))
    return body, parts


def reference_parse(raw: bytes, *, headers_only: bool = False) -> ParsedMail:
    """The former ``parse_message``, verbatim but for the helpers' names."""
    defects: list[str] = []
    try:
        split = _BODY_SPLIT.search(raw) if headers_only else None
        message: Message = BytesParser(policy=policy.default).parsebytes(
            raw[:split.end()] if split else raw, headersonly=headers_only)
    except (ValueError, TypeError, LookupError, IndexError,
            email_errors.MessageError) as err:  # pragma: no cover - the parser is lenient
        message = EmailMessage()
        defects.append(f"unparseable: {type(err).__name__}")
    if not _BODY_SPLIT.search(raw):
        defects.append("no header/body separator")
    for name in set(message.keys()):
        key = name.lower()
        if (key in SINGLE_HEADERS or VANBAN_HEADER.match(key)) \
                and len(message.get_all(name, failobj=[])) > 1:
            defects.append(f"repeated header: {key}")
    senders = reference_addresses(_ref_header(message, "From", defects))
    return_path = reference_addresses(_ref_header(message, "Return-Path", defects))
    message_id = _ref_header(message, "Message-ID", defects).strip()[:250]
    headers = {}
    for name in set(message.keys()):
        if VANBAN_HEADER.match(name.lower()):
            headers[name.lower()] = _ref_header(message, name, defects)[:500]
    body, parts = ("", []) if headers_only else _ref_walk(message, defects)
    report = message.get_content_type() == "multipart/report" and \
        (message.get_param("report-type") or "") == "delivery-status"
    return ParsedMail(
        message_id=message_id, body_sha256=body_sha256(raw),
        from_address=senders[0] if len(senders) == 1 and reference_address_ok(senders[0]) else "",
        from_count=len(senders), return_path=return_path[0] if return_path else "",
        subject=_ref_header(message, "Subject", defects)[:500],
        sent_at=_ref_sent_at(_ref_header(message, "Date", defects)), body_text=body[:20000],
        attachments=tuple(parts), headers=headers, defects=tuple(dict.fromkeys(defects)),
        dsn=bool(report), size=len(raw),
        addressed_to=tuple(reference_addresses(_ref_header(message, "To", defects))
                           + reference_addresses(_ref_header(message, "Cc", defects))))
