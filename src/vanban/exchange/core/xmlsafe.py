"""Safe XML reading and strict writing helpers shared by the edXML and status codecs.

Messages come from other installations and from the national axis, so the parser refuses
everything that lets a sender make us read files or expand entities (DOCTYPE, entity
declarations), and every failure surfaces as one of the ``EdxmlError`` types below, never as an
``lxml`` exception. Values are looked up by local name so that prefixed, default-namespace and
mixed layouts all read the same (vn-standards.md §1.2).

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from lxml import etree

from vanban.core.errors import ValidationFailed

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
PREFIX = "edXML"
# Viet Nam has kept UTC+7 with no daylight saving since 1975; a fixed offset keeps this pure.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y/%m/%d"
TIMESTAMP_FORMAT = "%Y/%m/%d %H:%M:%S"
# libxml2 refuses a single text node over 10 MB unless ``huge_tree`` is set.
PLAIN_TREE_TEXT_LIMIT = 10_000_000

_XML_CHARS = re.compile("^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")

Element = Any  # lxml ships no type information; elements are handled dynamically.


class EdxmlError(ValidationFailed):
    """Base of every refusal of an edXML or status message."""

    code = "edxml_invalid"


class EdxmlNotXml(EdxmlError):
    """The bytes are not well-formed XML."""

    code = "edxml_not_xml"


class EdxmlForbiddenConstruct(EdxmlError):
    """DOCTYPE or entity declarations (entity expansion, external entities)."""

    code = "edxml_doctype_forbidden"


class EdxmlUnknownRoot(EdxmlError):
    """Root element or namespace is not edXML (QCVN 102:2016)."""

    code = "edxml_unknown_root"


class EdxmlMissingField(EdxmlError):
    """A field the exchange cannot work without is absent or empty."""

    code = "edxml_missing_field"


class EdxmlBadValue(EdxmlError):
    """A field is present but its value cannot be used (date, number, code, characters)."""

    code = "edxml_bad_value"


class EdxmlTooLarge(EdxmlError):
    """The whole message is over the configured size."""

    status = 413
    code = "edxml_too_large"


class EdxmlAttachmentTooLarge(EdxmlTooLarge):
    """One attachment is over the configured size."""

    code = "edxml_attachment_too_large"


class EdxmlZipBomb(EdxmlTooLarge):
    """A zipped attachment expands too far (size, ratio or number of entries)."""

    code = "edxml_zip_bomb"


class EdxmlBadBase64(EdxmlError):
    """An attachment's ``ContentTransferEncoded`` is not valid base64."""

    code = "edxml_bad_base64"


def missing(path: str) -> EdxmlMissingField:
    """The refusal for an absent required element."""
    return EdxmlMissingField(
        f"Thông điệp edXML thiếu trường bắt buộc “{path}”.",
        f"The edXML message lacks the required field “{path}”.",
        field=path,
    )


def bad_value(path: str, value: str) -> EdxmlBadValue:
    """The refusal for an unusable value (shown truncated: it comes from outside)."""
    shown = value[:60]
    return EdxmlBadValue(
        f"Giá trị “{shown}” của trường “{path}” không hợp lệ.",
        f"The value “{shown}” of field “{path}” is invalid.",
        field=path,
    )


# ---------------------------------------------------------------- reading


def parse_xml(data: bytes, *, max_bytes: int, huge_tree: bool = False) -> Element:
    """Parse untrusted bytes into a root element, refusing oversize input and any DTD."""
    if not isinstance(data, bytes | bytearray):
        raise EdxmlNotXml("Thông điệp không phải XML.", "The message is not XML.")
    if len(data) > max_bytes:
        raise EdxmlTooLarge(
            f"Thông điệp dài {len(data)} byte, vượt giới hạn {max_bytes} byte.",
            f"The message is {len(data)} bytes, over the limit of {max_bytes} bytes.",
            size=len(data), limit=max_bytes,
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=huge_tree, remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(bytes(data), parser)
    except (etree.XMLSyntaxError, ValueError, LookupError, UnicodeError) as exc:
        detail = str(exc)[:200]
        raise EdxmlNotXml(
            f"Thông điệp không phải XML hợp lệ: {detail}",
            f"The message is not well-formed XML: {detail}",
        ) from None
    if root is None:
        raise EdxmlNotXml("Thông điệp rỗng.", "The message is empty.")
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise EdxmlForbiddenConstruct(
            "Thông điệp chứa khai báo DOCTYPE/thực thể; không được phép vì lý do an toàn.",
            "The message contains a DOCTYPE or entity declarations, refused for safety.",
        )
    return root


def check_root(root: Element) -> None:
    """The root must be ``{NS}edXML``; anything else is another format."""
    if root.tag != f"{{{NS}}}edXML":
        tag = str(root.tag)[:120]
        raise EdxmlUnknownRoot(
            f"Phần tử gốc “{tag}” không phải edXML (QCVN 102:2016, không gian tên {NS}).",
            f"Root element “{tag}” is not edXML (QCVN 102:2016, namespace {NS}).",
            root=tag,
        )


def local(el: Element) -> str:
    """An element's name without namespace."""
    return str(etree.QName(el).localname)


def children(el: Element | None, name: str) -> Iterator[Element]:
    """Child elements called ``name`` in any namespace (lenient on prefixes)."""
    if el is None:
        return
    for child in el.iterchildren(etree.Element):
        if local(child) == name:
            yield child


def child(el: Element | None, name: str) -> Element | None:
    """The first child element called ``name``, or None."""
    return next(children(el, name), None)


def path_child(el: Element | None, *names: str) -> Element | None:
    """Follow a path of local names."""
    for name in names:
        el = child(el, name)
    return el


def text(el: Element | None, name: str) -> str:
    """The text of child ``name`` as sent but NFC-normalised ("" if absent); not trimmed.

    Vietnamese arrives in NFD from some systems; NFC makes search and comparison agree."""
    found = child(el, name)
    if found is None:
        return ""
    return nfc("".join(found.itertext()))


def nfc(value: str) -> str:
    """NFC form (cheap when already NFC, as almost all input is)."""
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize(
        "NFC", value)


def code_text(el: Element | None, name: str) -> str:
    """The trimmed text of child ``name``: codes, ids, numbers and dates."""
    return text(el, name).strip()


def required(el: Element | None, name: str, path: str) -> str:
    """Trimmed text that must be present and non-empty."""
    value = code_text(el, name)
    if not value:
        raise missing(path)
    return value


def int_value(el: Element | None, name: str, path: str, default: int) -> int:
    """An integer field; absent or empty gives ``default`` (lenient), garbage is refused."""
    raw = code_text(el, name)
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", raw):
        raise bad_value(path, raw)
    return int(raw)


def optional_int(el: Element | None, name: str, path: str) -> int | None:
    """An integer field that may be absent."""
    raw = code_text(el, name)
    return None if not raw else int_value(el, name, path, 0)


def bool_value(el: Element | None, name: str) -> bool:
    """``1``/``true`` are true; everything else (absent, ``0``, ``false``, garbage) is false."""
    return code_text(el, name).lower() in {"1", "true"}


_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}[/-]\d{1,2}[/-]\d{1,2}|\d{1,2}[/-]\d{1,2}[/-]\d{4})"
    r"(?:[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?", re.ASCII)


def parse_date(raw: str) -> date | None:
    """Read a date in the formats seen in the wild; None when none fits."""
    value = raw.strip()[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse_timestamp(raw: str) -> datetime | None:
    """Read a timestamp: ``yyyy/MM/dd HH:mm:ss`` and its relatives (``-``, ``T``, ``dd/MM/yyyy``,
    milliseconds, a zone). Without a zone it is local Viet Nam time, as the SDKs write it."""
    found = _TIMESTAMP.fullmatch(raw.strip())
    if found is None:
        return None
    day = parse_date(found["date"])
    if day is None:
        return None
    # Kept to the millisecond: what the writer can carry back out.
    frac = (found["frac"] or "")[:3].ljust(6, "0")
    try:
        parsed = datetime(day.year, day.month, day.day, int(found["h"] or 0),
                          int(found["m"] or 0), int(found["s"] or 0), int(frac),
                          tzinfo=_zone(found["zone"]))
    except ValueError:
        return None
    return parsed.astimezone(VN_TZ)


def _zone(raw: str | None) -> timezone:
    if not raw:
        return VN_TZ
    if raw == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def strip_cid(raw: str) -> str:
    """The bare content id: drops ``cid:`` (any case) and MIME angle brackets."""
    value = raw.strip()
    if value[:4].lower() == "cid:":
        value = value[4:]
    return value.strip().strip("<>").strip()


# ---------------------------------------------------------------- writing


def check_text(value: str, path: str) -> str:
    """Refuse characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    if not _XML_CHARS.match(value):
        raise EdxmlBadValue(
            f"Trường “{path}” chứa ký tự không dùng được trong XML.",
            f"Field “{path}” contains characters that XML cannot carry.",
            field=path,
        )
    return value


def q(name: str) -> str:
    """The qualified tag of an edXML element."""
    return f"{{{NS}}}{name}"


def sub(parent: Element, name: str, value: str | None = None, *, path: str = "",
        declare: bool = False) -> Element:
    """Append ``<edXML:name>value</edXML:name>``; ``declare`` binds the prefix on the element."""
    el = etree.SubElement(parent, q(name), nsmap={PREFIX: NS} if declare else None)
    if value is not None:
        el.text = check_text(value, path or name)
    return el


def new_root() -> Element:
    """``<edXML xmlns=NS>`` holding ``<edXML:edXMLEnvelope xmlns:edXML=NS>``, as the SDK writes."""
    root = etree.Element(q("edXML"), nsmap={None: NS})
    etree.SubElement(root, q("edXMLEnvelope"), nsmap={PREFIX: NS})
    return root


def serialise(root: Element) -> bytes:
    """UTF-8 bytes with an XML declaration; the same tree always gives the same bytes.

    Written into one buffer after the declaration: concatenating would copy a big message."""
    out = io.BytesIO()
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    etree.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=False)
    return out.getvalue()


def format_date(value: date) -> str:
    """``yyyy/MM/dd`` as in the SDK samples."""
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: datetime, path: str) -> str:
    """Local Viet Nam time ``yyyy/MM/dd HH:mm:ss``; a naive datetime is a programming slip.

    A time in whole milliseconds (what the reader makes of ``…:36.123``) is written with them,
    so a forward carries what it received; any finer time (the local clock) is written to
    the second, as the SDK writes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise EdxmlBadValue(
            f"Thời điểm “{path}” thiếu múi giờ.", f"Timestamp “{path}” has no time zone.",
            field=path,
        )
    local_time = value.astimezone(VN_TZ)
    stamp = f"{format_date(local_time.date())} {local_time:%H:%M:%S}"
    micro = local_time.microsecond
    if micro and micro % 1000 == 0:
        stamp += f".{micro // 1000:03d}"
    return stamp


def open_message(data: bytes, *, max_bytes: int, huge_tree: bool = False) -> tuple[
    Element, Element, Element, Element
]:
    """Parse and walk to ``(root, edXMLEnvelope, edXMLHeader, MessageHeader)``."""
    root = parse_xml(data, max_bytes=max_bytes, huge_tree=huge_tree)
    check_root(root)
    envelope = child(root, "edXMLEnvelope")
    if envelope is None:
        raise missing("edXMLEnvelope")
    header = child(envelope, "edXMLHeader")
    if header is None:
        raise missing("edXMLEnvelope/edXMLHeader")
    message_header = child(header, "MessageHeader")
    if message_header is None:
        raise missing("edXMLHeader/MessageHeader")
    return root, envelope, header, message_header
