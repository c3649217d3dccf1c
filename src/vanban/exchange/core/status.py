"""edXML status messages (vn-standards.md §1.6): build and parse.

Same envelope as document messages; the ``MessageHeader`` holds, in the SDK's order, ``From``,
``ResponseFor``, ``StaffInfo``, ``StatusCode``, ``Description``, ``Timestamp`` (§1.9). Every
status vanban writes carries ``StaffInfo`` (a public C# receiver reads it unchecked): the
caller's, else one made from the sender organisation. The message id still travels as the
``id`` of a ``TraceHeaderList`` after the ``MessageHeader`` (idempotent delivery), which SDK
readers ignore. Codes 01–06, 13, 15, 16 are
known. ``14`` is read as ``15`` (a builder bug in one public adapter writes 14 for "agree").
Any other code is kept as ``StatusCode.UNKNOWN`` with ``raw_code`` holding what was sent,
so the message is stored and logged rather than lost; it is never sent.

Pure Python + lxml: no Django import (import-linter "Pure cores import no framework").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from vanban.exchange.core.notes import Notes
from vanban.exchange.core.organisation import (
    Organisation,
    ResponseFor,
    StaffInfo,
    build_organisation,
    build_response_for,
    build_staff,
    read_organisation,
    read_reply,
    read_staff,
)
from vanban.exchange.core.xmlsafe import (
    EdxmlBadValue,
    Element,
    bad_value,
    child,
    code_text,
    format_timestamp,
    missing,
    new_root,
    open_message,
    parse_timestamp,
    serialise,
    sub,
    text,
)

__all__ = [
    "DEFAULT_STATUS_MAX_BYTES", "StatusCode", "StatusMessage", "build_status", "parse_status",
    "parse_status_tree", "staff_for", "status_code_from_wire",
]

DEFAULT_STATUS_MAX_BYTES = 1024 * 1024


class StatusCode(StrEnum):
    """edXML ``StatusCode`` values; the value is the 2-digit wire code."""

    ARRIVED = "01"
    REJECTED = "02"
    ACCEPTED = "03"
    ASSIGNED = "04"
    PROCESSING = "05"
    COMPLETED = "06"
    RECALL_REQUESTED = "13"
    RECALL_AGREED = "15"
    RECALL_REFUSED = "16"
    UNKNOWN = "unknown"

    @property
    def label_vi(self) -> str:
        """Vietnamese label, as the SDK samples name the codes."""
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label."""
        return _LABELS[self][1]


_LABELS = {
    StatusCode.ARRIVED: ("Đã đến", "Arrived"),
    StatusCode.REJECTED: ("Từ chối tiếp nhận", "Rejected"),
    StatusCode.ACCEPTED: ("Đã tiếp nhận", "Accepted and registered"),
    StatusCode.ASSIGNED: ("Phân công xử lý", "Assigned"),
    StatusCode.PROCESSING: ("Đang xử lý", "Being processed"),
    StatusCode.COMPLETED: ("Hoàn thành", "Completed"),
    StatusCode.RECALL_REQUESTED: ("Yêu cầu lấy lại", "Recall requested"),
    StatusCode.RECALL_AGREED: ("Đồng ý lấy lại/cập nhật", "Recall/update agreed"),
    StatusCode.RECALL_REFUSED: ("Từ chối lấy lại/cập nhật", "Recall/update refused"),
    StatusCode.UNKNOWN: ("Mã trạng thái không xác định", "Unknown status code"),
}
_ALIASES = {"14": StatusCode.RECALL_AGREED}


def status_code_from_wire(raw: str) -> tuple[StatusCode, str]:
    """``(code, raw_code)``: raw_code is "" when the wire value is the canonical one."""
    value = raw.strip()
    if re.fullmatch(r"\d{1,2}", value, re.ASCII):
        value = value.zfill(2)
    if value in _ALIASES:
        return _ALIASES[value], value
    try:
        code = StatusCode(value)
    except ValueError:
        return StatusCode.UNKNOWN, raw.strip()[:35]
    if code is StatusCode.UNKNOWN:
        return code, value
    return code, ("" if value == raw.strip() else raw.strip()[:35])


@dataclass(frozen=True)
class StatusMessage:
    """A status report about a document (§1.6). ``timestamp`` is None only on odd input."""

    message_id: str
    response_for: ResponseFor
    sender: Organisation
    status_code: StatusCode
    timestamp: datetime | None
    description: str = ""
    staff: StaffInfo | None = None
    raw_code: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status_code", StatusCode(self.status_code))
        object.__setattr__(self, "warnings", tuple(self.warnings))


def staff_for(msg: StatusMessage) -> StaffInfo:
    """The ``StaffInfo`` a status is written with: the caller's, else the sender's office
    (its name as department, its e-mail and telephone) with an empty staff name."""
    if msg.staff is not None:
        return msg.staff
    return StaffInfo(department=msg.sender.name, staff="", email=msg.sender.email,
                     mobile=msg.sender.telephone)


def build_status(msg: StatusMessage) -> bytes:
    """The edXML bytes of a status message; unknown codes and naive times are refused."""
    if msg.status_code is StatusCode.UNKNOWN:
        raise EdxmlBadValue(
            "Không gửi được mã trạng thái không xác định.",
            "An unknown status code cannot be sent.",
            field="StatusCode",
        )
    if msg.timestamp is None:
        raise missing("MessageHeader/Timestamp")
    if msg.message_id != msg.message_id.strip():
        raise bad_value("TraceHeaderList/@id", msg.message_id)
    when = format_timestamp(msg.timestamp, "Timestamp")
    root = new_root()
    header = sub(child(root, "edXMLEnvelope"), "edXMLHeader")
    mh = sub(header, "MessageHeader")
    build_organisation(mh, "From", msg.sender)
    build_response_for(mh, msg.response_for)
    build_staff(mh, staff_for(msg))
    sub(mh, "StatusCode", msg.status_code.value)
    sub(mh, "Description", msg.description)
    sub(mh, "Timestamp", when)
    if not msg.message_id:  # as the SDK writes a status: no trace list at all
        return serialise(root)
    trace = sub(header, "TraceHeaderList")
    trace.set("id", msg.message_id)
    hop = sub(trace, "TraceHeader")
    sub(hop, "OrganId", msg.sender.organ_id)
    sub(hop, "Timestamp", when)
    return serialise(root)


def parse_status(data: bytes, *, max_bytes: int = DEFAULT_STATUS_MAX_BYTES) -> StatusMessage:
    """Read a status message, or raise an ``EdxmlError`` saying why not."""
    _root, _envelope, header, mh = open_message(data, max_bytes=max_bytes)
    return parse_status_tree(header, mh)


def parse_status_tree(header: Element, mh: Element) -> StatusMessage:
    """Read an already parsed status header (shared with ``edxml.parse_message``)."""
    notes = Notes()
    reply_el = child(mh, "ResponseFor")
    reply = None if reply_el is None else read_reply(reply_el, notes)
    if reply is None:
        raise missing("MessageHeader/ResponseFor")
    sender = child(mh, "From")
    if sender is None:
        raise missing("MessageHeader/From")
    raw_code = code_text(mh, "StatusCode")
    if not raw_code:
        raise missing("MessageHeader/StatusCode")
    code, raw = status_code_from_wire(raw_code)
    if code is StatusCode.UNKNOWN:
        notes.add("unknown_status_code", f"Status code “{raw[:35]}” is not known; kept",
                  f"Mã trạng thái “{raw[:35]}” không xác định; vẫn lưu")
    raw_time = code_text(mh, "Timestamp")
    when = parse_timestamp(raw_time)
    if when is None:
        notes.add("status_bad_time", f"Status time “{raw_time[:40]}” unreadable",
                  f"Thời điểm “{raw_time[:40]}” của trạng thái không đọc được")
    trace = child(header, "TraceHeaderList")
    return StatusMessage(
        message_id="" if trace is None else str(trace.get("id") or "").strip(),
        response_for=reply,
        sender=read_organisation(sender, "From"),
        status_code=code,
        raw_code=raw,
        timestamp=when,
        description=text(mh, "Description"),
        staff=_staff(child(mh, "StaffInfo"), read_organisation(sender, "From")),
        warnings=notes.items(),
    )


def _staff(el: Element | None, sender: Organisation) -> StaffInfo | None:
    """``StaffInfo`` as sent; None when absent or exactly what the writer makes from the
    sender (``staff_for``), so that reading what was written gives the same message."""
    staff = read_staff(el)
    default = StaffInfo(department=sender.name, staff="", email=sender.email,
                        mobile=sender.telephone)
    return None if staff == default else staff
