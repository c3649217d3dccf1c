"""Reading one received message (R4.1): the facts the gateway judges, from the raw bytes.

Pure Python: no Django import. Never raises on bad input: what cannot be read becomes a
``defect`` the judge refuses with a reason (a malformed MIME structure, an undecodable subject),
so one broken message never stops the gateway.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from email import errors as email_errors
from email.headerregistry import (
    Address,
    AddressHeader,
    ContentDispositionHeader,
    ContentTransferEncodingHeader,
    ContentTypeHeader,
    DateHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from typing import TYPE_CHECKING, Any

# Defects that mean the structure cannot be trusted: the parts we would file may not be the
# parts the sender meant. Anything else (a missing MIME-Version…) is tolerated.
SERIOUS_DEFECTS: tuple[type[email_errors.MessageDefect], ...] = (
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.CloseBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.MisplacedEnvelopeHeaderDefect,
    email_errors.MissingHeaderBodySeparatorDefect,
    email_errors.InvalidBase64PaddingDefect,
    email_errors.InvalidBase64CharactersDefect,
    email_errors.InvalidBase64LengthDefect,
)
HEADER_DEFECTS: tuple[type[Exception], ...] = (
    email_errors.CharsetError,
    email_errors.UndecodableBytesDefect,
    email_errors.NonASCIILocalPartDefect,
)
# The register data a sending gateway puts in headers (lower case names).
VANBAN_HEADER = re.compile(r"^x-vanban-[a-z0-9-]+$")
_ENCODED_WORD = re.compile(r"=\?([^?*]+)(?:\*[^?]*)?\?[bBqQ]\?")
_BODY_SPLIT = re.compile(rb"\r?\n\r?\n")
logger = logging.getLogger(__name__)


# Header values plain enough that what the modern header parser (``policy.default``) makes of
# them is known without running it (its text; no defect the judge reads, no exception):
# printable ASCII, no comment, no RFC 2231 parameter, RFC 2047 words only well-formed ones in
# UTF-8 or windows-1258. The grammars are narrow on purpose; anything else is read by the
# header parser itself (tests/test_parse_equivalence.py proves both readings the same).
_MIME_WORD = r"[A-Za-z0-9._+-]+"
_PARAM = re.compile(rf';[ \t]*([A-Za-z0-9_-]+)=(?:({_MIME_WORD})|"([A-Za-z0-9 ._+,/:=-]*)")')
_PLAIN_CONTENT_TYPE = re.compile(rf"{_MIME_WORD}/{_MIME_WORD}(?:{_PARAM.pattern})*")
_PLAIN_DISPOSITION = re.compile(rf"{_MIME_WORD}(?:{_PARAM.pattern})*")
_PLAIN_CTE = re.compile(r"[A-Za-z0-9-]+")
_DOT_ATOM = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
_PLAIN_ADDR = rf"{_DOT_ATOM}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_ADDRESSES = re.compile(rf"{_PLAIN_ADDR}(?:, {_PLAIN_ADDR})*")
_PLAIN_ADDRESS = re.compile(_PLAIN_ADDR)
_PLAIN_MESSAGE_ID = re.compile(rf"<{_DOT_ATOM}@{_DOT_ATOM}>")
_PLAIN_TEXT = re.compile(r"[ -~\t]*")
# An unstructured value of plain words and well-formed RFC 2047 words in UTF-8 or
# windows-1258 (what mail clients write a Vietnamese subject in), separated by blanks.
_WORDS = re.compile(r"([ \t]+)")
_PLAIN_WORD = re.compile(r"[!-~]+")
_ENCODED = re.compile(r"=\?([Uu][Tt][Ff]-8|[Ww][Ii][Nn][Dd][Oo][Ww][Ss]-1258)\?"
                      r"(?:[bB]\?([A-Za-z0-9+/]+={0,2})|[qQ]\?([!->@-~]+))\?=")
_Q_BYTE = re.compile(rb"=([a-fA-F0-9]{2})")
# One mailbox with a display name of plain and encoded words, as vanban's own sending writes
# From and To (formataddr of an agency's name).
_NAME_WORD = r"(?:[A-Za-z0-9_-]+|=\?[^?\s]+\?[bBqQ]\?[^?\s]+\?=)"
_NAMED_ADDRESS = re.compile(rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD})*)[ \t]+<({_PLAIN_ADDR})>")
_NAME_TEXT = re.compile(r"[^\s\"\\]+(?: [^\s\"\\]+)*")
_NAME_THEN_ADDRESS = re.compile(rf'[^()<>@,:;."\[\]\\]* <({_PLAIN_ADDR})>')
_SPECIALS = frozenset('()<>@,:;.\\"[]')
_LINESEP = re.compile(r"\n|\r")  # what policy.default removes from a value before parsing it


def _plain_value(kind: type, value: str) -> str | None:
    """What the header parser's class ``kind`` makes of ``value`` (its text; no defect the judge
    reads), when the value is plain enough to know it without parsing; None otherwise."""
    if issubclass(kind, ContentTypeHeader | ContentDispositionHeader):
        grammar = _PLAIN_CONTENT_TYPE if issubclass(kind, ContentTypeHeader) \
            else _PLAIN_DISPOSITION
        return _plain_params(value) if grammar.fullmatch(value) else None
    if issubclass(kind, DateHeader):
        return _plain_date(value)
    if issubclass(kind, UnstructuredHeader) and "=?" in value:
        return _plain_encoded(value)
    if issubclass(kind, AddressHeader) and value.endswith(">"):
        return _plain_named_address(value)
    for header, grammar in _PLAIN_GRAMMARS:
        if issubclass(kind, header):
            return value if grammar.fullmatch(value) else None
    return None


_PLAIN_GRAMMARS: tuple[tuple[type, re.Pattern[str]], ...] = (
    (ContentTransferEncodingHeader, _PLAIN_CTE), (AddressHeader, _PLAIN_ADDRESSES),
    (MessageIDHeader, _PLAIN_MESSAGE_ID), (UnstructuredHeader, _PLAIN_TEXT))


def _plain_date(value: str) -> str | None:
    """The parser keeps a date as format_datetime of the date it reads; a date it cannot read
    is left to it (its defect, its exception)."""
    try:
        return format_datetime(parsedate_to_datetime(value)) if value else None
    except Exception:  # any: the header parser then decides, as before
        return None


def _decoded_word(word: str) -> str | None:
    """A well-formed encoded word decoded as the header parser decodes it (no defect); None
    for anything else."""
    found = _ENCODED.fullmatch(word)
    if found is None:
        return None
    charset, b_text, q_text = found.groups()
    if b_text is not None:
        if len(b_text) % 4:
            return None
        try:
            data = base64.b64decode(b_text, validate=True)
        except binascii.Error:
            return None
    else:
        data = _Q_BYTE.sub(lambda m: bytes.fromhex(m.group(1).decode()),
                           q_text.encode().replace(b"_", b" "))
    try:
        return data.decode(charset)
    except UnicodeDecodeError:
        return None


def _plain_encoded(value: str) -> str | None:
    """An unstructured value with encoded words as the header parser decodes it: each word
    decoded, the blanks between two encoded words dropped, other blanks kept. None when a
    word is neither plain nor a well-formed encoded word."""
    pieces = _WORDS.split(value)
    if not pieces[0]:
        return None  # a value starting with blanks
    out: list[str] = []
    previous_encoded = False
    for index in range(0, len(pieces), 2):
        word = pieces[index]
        encoded = word.startswith("=?")
        text = _decoded_word(word) if encoded else \
            (word if "=?" not in word and _PLAIN_WORD.fullmatch(word) else None)
        if text is None:
            return None
        if index and not (encoded and previous_encoded):
            out.append(pieces[index - 1])
        out.append(text)
        previous_encoded = encoded
    return "".join(out)


def _plain_named_address(value: str) -> str | None:
    """``Name <addr>`` as the header parser writes it back: the words of the name (encoded
    ones decoded) joined by one space, quoted when they hold a special character."""
    found = _NAMED_ADDRESS.fullmatch(value)
    if found is None:
        return None
    words = []
    for word in _WORDS.split(found.group(1))[::2]:
        text = _decoded_word(word) if word.startswith("=?") else word
        if text is None or not text.isprintable() or not _NAME_TEXT.fullmatch(text):
            return None
        words.append(text)
    name = " ".join(words)
    if not _SPECIALS.isdisjoint(name):
        name = f'"{name}"'
    return f"{name} <{found.group(2)}>"


def _plain_params(value: str) -> str:
    """A plain Content-Type or Content-Disposition as the header parser writes it back: the
    type, then each parameter once (the first wins), quoted, after "; "."""
    kind, sep, _rest = value.partition(";")
    if not sep:
        return value
    params: dict[str, str] = {}
    for name, token, quoted in _PARAM.findall(value):
        params.setdefault(name, token or quoted)
    return kind + "; " + "; ".join(f'{name}="{text}"' if text else name
                                   for name, text in params.items())


if TYPE_CHECKING:  # generic in the stubs only
    _EmailPolicy = EmailPolicy[EmailMessage]
else:
    _EmailPolicy = EmailPolicy


class _ReadingPolicy(_EmailPolicy):
    """``policy.default`` for reading: a header value is parsed by the header registry only
    when it is not plain (see :func:`_plain_value`), and once per message (``memo``). The
    registry parses a header on every access (the MIME walk asks for Content-Type a dozen
    times a message), which made the parse seven times slower than the structure alone."""

    memo: dict[tuple[str, str], Any] | None = None

    def for_one_message(self) -> _ReadingPolicy:
        """A copy with its own memo, so no header outlives the message it came from."""
        reading = self.clone()
        object.__setattr__(reading, "memo", {})  # policies are read-only once made
        return reading

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """The header object policy.default would return (or its plain text)."""
        if hasattr(value, "name"):
            return value
        memo = self.memo
        if memo is not None and (name, value) in memo:
            return memo[(name, value)]
        unfolded = "".join(_LINESEP.split(value))
        registry: HeaderRegistry = self.header_factory  # type: ignore[assignment]
        found = _plain_value(registry.registry.get(name.lower(), registry.default_class),
                             unfolded)
        if found is None:
            found = registry(name, unfolded)
        if memo is not None:
            memo[(name, value)] = found
        return found


_READING = _ReadingPolicy()


@dataclass(frozen=True)
class Part:
    """One attachment as received."""

    name: str
    content_type: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class ParsedMail:
    """What the judge needs from one message."""

    message_id: str
    body_sha256: str
    from_address: str  # lower case addr-spec; empty when missing or unreadable
    from_count: int  # how many From addresses (exactly one is allowed)
    return_path: str  # lower case, empty when absent
    subject: str
    sent_at: datetime | None
    body_text: str
    attachments: tuple[Part, ...]
    headers: Mapping[str, str] = field(default_factory=dict)  # X-Vanban-* (lower case)
    defects: tuple[str, ...] = ()
    dsn: bool = False
    size: int = 0
    addressed_to: tuple[str, ...] = ()  # To and Cc, lower case addr-specs

    @property
    def filed_id(self) -> str:
        """The Message-ID the gateway keys the message by: its own, or one made of the body's
        hash when it has none (or its headers could not be read)."""
        return self.message_id or f"<{self.body_sha256}@no-message-id>"

    @property
    def key(self) -> str:
        """The gateway's idempotency key: Message-ID plus the body's SHA-256."""
        return f"{self.message_id}|{self.body_sha256}"


def body_sha256(raw: bytes) -> str:
    """SHA-256 of the body (after the first empty line), line ends normalised to CRLF: relays
    add Received headers, the body stays the sender's."""
    found = _BODY_SPLIT.search(raw)
    body = raw[found.end():] if found else b""
    return hashlib.sha256(body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")).hexdigest()


def _header(message: Message, name: str, defects: list[str]) -> str:
    """A header as text (NFC, control characters removed); an undecodable one (an unknown
    charset, bytes that are not text) is a defect, not a crash."""
    try:
        value = message.get(name)
        if value is None:
            return ""
        for defect in getattr(value, "defects", ()):
            if isinstance(defect, HEADER_DEFECTS):
                defects.append(f"header {name}: {type(defect).__name__}")
        text = unicodedata.normalize("NFC", str(value))
        if "\ufffd" in text or _unknown_charset(_raw_header(message, name)):
            defects.append(f"header {name}: undecodable")
    except (ValueError, LookupError, TypeError, UnicodeError, AttributeError,
            email_errors.MessageError) as err:  # the registry trips on some hostile values
        defects.append(f"header {name}: {type(err).__name__}")
        return ""
    if not text.isprintable():
        text = "".join(c for c in text if c.isprintable() or c.isspace())
    return " ".join(text.split())


def _raw_header(message: Message, name: str) -> str:
    return next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")


def _unknown_charset(raw: str) -> bool:
    """An RFC 2047 encoded word in a charset Python does not know (windows-1258 it knows)."""
    for charset in _ENCODED_WORD.findall(raw):
        try:
            codecs.lookup(charset)
        except LookupError:
            return True
    return False


def _addresses(value: str) -> list[str]:
    if not value:
        return []
    if _PLAIN_ADDRESSES.fullmatch(value):  # bare addresses: what getaddresses returns
        return [addr.lower() for addr in value.split(", ")]
    named = _NAME_THEN_ADDRESS.fullmatch(value)
    if named:  # one name of words without specials, then <addr>: getaddresses' reading
        return [named.group(1).lower()]
    return [addr.strip().lower() for _name, addr in getaddresses([value]) if addr.strip()]


def _address_ok(address: str) -> bool:
    if _PLAIN_ADDRESS.fullmatch(address):  # a dot-atom addr-spec parses as itself
        return "." in address.rpartition("@")[2]
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, email_errors.HeaderParseError):
        return False
    return bool(parsed.username and parsed.domain and "." in parsed.domain)


def _sent_at(value: str) -> datetime | None:
    if not value:
        return None
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return at if at.tzinfo is not None else None


def _payload(part: Message, defects: list[str]) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError) as err:
        defects.append(f"payload: {type(err).__name__}")
        return b""
    return data if isinstance(data, bytes) else b""


def _text(part: Message, defects: list[str]) -> str:
    data = _payload(part, defects)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        defects.append(f"body charset {charset}")
        return data.decode("utf-8", "replace")


def _walk(message: Message, defects: list[str]) -> tuple[str, list[Part]]:
    """The first plain-text body and every attachment (parts with a file name, or any
    non-text leaf part), in order."""
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
            continue  # a DSN's report parts are read by the DSN matcher
        if not name and content_type.startswith("text/"):
            if not body and content_type == "text/plain":
                body = _text(part, defects)
            continue
        data = _payload(part, defects)
        parts.append(Part(name=" ".join(name.split())[:200], content_type=content_type,
                          data=data, sha256=hashlib.sha256(data).hexdigest()))
    return body, parts


# Headers a message carries at most once (RFC 5322 §3.6), besides vanban's own X-Vanban-*.
SINGLE_HEADERS = frozenset({"from", "sender", "to", "cc", "subject", "date", "message-id",
                            "reply-to", "in-reply-to"})


def parse_message(raw: bytes, *, headers_only: bool = False) -> ParsedMail:
    """The facts of ``raw``; whatever cannot be read is listed in ``defects``. With
    ``headers_only`` the body is not read (a message too large to file). Never raises: an
    error the standard library's parsers raise on hostile input not caught where it arose
    becomes the one defect of an otherwise empty reading, which the judge refuses."""
    try:
        return _parse(raw, headers_only)
    except Exception as err:  # any: one message never stops the gateway
        logger.exception("mail reading: a message could not be read")
        defect = f"unreadable: {type(err).__name__}"
    if not headers_only:
        try:  # its headers alone keep its own key (Message-ID) and what the clerk sees
            head = _parse(raw, True)
        except Exception:  # the headers too: only the body hash names it
            logger.exception("mail reading: not even the headers could be read")
        else:  # never a DSN: an unreadable report stays in the clerk's quarantine
            return replace(head, defects=(*head.defects, defect), dsn=False)
    return ParsedMail(message_id="", body_sha256=body_sha256(raw), from_address="",
                      from_count=0, return_path="", subject="", sent_at=None,
                      body_text="", attachments=(), defects=(defect,), size=len(raw))


def _parse(raw: bytes, headers_only: bool) -> ParsedMail:
    defects: list[str] = []
    try:
        split = _BODY_SPLIT.search(raw) if headers_only else None
        message: Message = BytesParser(policy=_READING.for_one_message()).parsebytes(
            raw[:split.end()] if split else raw, headersonly=headers_only)
    except (ValueError, TypeError, LookupError, IndexError,
            email_errors.MessageError) as err:  # pragma: no cover - the parser is lenient
        message = EmailMessage()
        defects.append(f"unparseable: {type(err).__name__}")
    if not _BODY_SPLIT.search(raw):
        defects.append("no header/body separator")
    counts = Counter(name.lower() for name in message)  # names only: nothing parsed
    for name in dict.fromkeys(message.keys()):
        key = name.lower()
        if (key in SINGLE_HEADERS or VANBAN_HEADER.match(key)) and counts[key] > 1:
            # A copy added above a signed header is read first here but is not what DKIM
            # verified: a message carrying two is refused, never read either way. Counted
            # by name, so a value the address parser trips on is a defect, not a crash.
            defects.append(f"repeated header: {key}")
    senders = _addresses(_header(message, "From", defects))
    return_path = _addresses(_header(message, "Return-Path", defects))
    message_id = _header(message, "Message-ID", defects).strip()[:250]
    headers = {}
    for name in set(message.keys()):
        if VANBAN_HEADER.match(name.lower()):
            headers[name.lower()] = _header(message, name, defects)[:500]
    body, parts = ("", []) if headers_only else _walk(message, defects)
    report = message.get_content_type() == "multipart/report" and \
        (message.get_param("report-type") or "") == "delivery-status"
    return ParsedMail(
        message_id=message_id, body_sha256=body_sha256(raw),
        from_address=senders[0] if len(senders) == 1 and _address_ok(senders[0]) else "",
        from_count=len(senders), return_path=return_path[0] if return_path else "",
        subject=_header(message, "Subject", defects)[:500],
        sent_at=_sent_at(_header(message, "Date", defects)), body_text=body[:20000],
        attachments=tuple(parts), headers=headers, defects=tuple(dict.fromkeys(defects)),
        dsn=bool(report), size=len(raw),
        addressed_to=tuple(_addresses(_header(message, "To", defects))
                           + _addresses(_header(message, "Cc", defects))))


def domain_of(address: str) -> str:
    """The domain of an address, lower case."""
    return address.rpartition("@")[2].lower()
