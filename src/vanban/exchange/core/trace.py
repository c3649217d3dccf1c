"""edXML ``TraceHeaderList``: hops and the business block (new, revoke, update, replace), §1.4.

The message id used for idempotent delivery travels as the ``id`` attribute of
``TraceHeaderList`` (an attribute one public implementation already writes there); messages
without it read as ``message_id == ""`` and the caller falls back to its own key.

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from vanban.exchange.core.notes import Notes
from vanban.exchange.core.organisation import StaffInfo, build_staff, organ_code, read_staff
from vanban.exchange.core.xmlsafe import (
    Element,
    bad_value,
    bool_value,
    child,
    children,
    code_text,
    format_timestamp,
    int_value,
    parse_timestamp,
    path_child,
    sub,
    text,
)


class BusinessType(StrEnum):
    """``BussinessDocType``: what the message does to the document."""

    NEW = "new"
    REVOKE = "revoke"
    UPDATE = "update"
    REPLACE = "replace"


WIRE_BUSINESS = {
    BusinessType.NEW: "0", BusinessType.REVOKE: "1",
    BusinessType.UPDATE: "2", BusinessType.REPLACE: "3",
}
_FROM_WIRE = {wire: kind for kind, wire in WIRE_BUSINESS.items()}
DEFAULT_REASON = {
    BusinessType.NEW: "Văn bản điện tử mới",
    BusinessType.REVOKE: "Thu hồi văn bản điện tử",
    BusinessType.UPDATE: "Cập nhật văn bản điện tử",
    BusinessType.REPLACE: "Văn bản thay thế",
}


@dataclass(frozen=True)
class TraceHop:
    """One system the message passed through, and when; ``organ_id`` is "" for a hop that
    named no agency (the axis writes its own hop so)."""

    organ_id: str
    timestamp: datetime


@dataclass(frozen=True)
class ReceiverChange:
    """Update messages: an agency added to (``added``) or removed from the receivers."""

    organ_id: str
    added: bool


@dataclass(frozen=True)
class Replacement:
    """Replace messages: the document replaced and the agencies concerned."""

    document_id: str
    organ_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "organ_ids", tuple(self.organ_ids))


@dataclass(frozen=True)
class Business:
    """The ``Bussiness`` block. ``document_id`` empty means the message's own document."""

    type: BusinessType = BusinessType.NEW
    reason: str = ""
    document_id: str = ""
    paper: bool = False
    staff: StaffInfo | None = None
    document_info_changed: bool = False
    receivers_changed: bool = False
    receiver_changes: tuple[ReceiverChange, ...] = ()
    replacements: tuple[Replacement, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", BusinessType(self.type))
        object.__setattr__(self, "receiver_changes", tuple(self.receiver_changes))
        object.__setattr__(self, "replacements", tuple(self.replacements))
        if not self.reason:
            object.__setattr__(self, "reason", DEFAULT_REASON[self.type])


def build_trace(header: Element, *, message_id: str, document_id: str,
                hops: tuple[TraceHop, ...], business: Business) -> None:
    """Write ``TraceHeaderList`` (hops, then the business block). An empty ``message_id``
    (a message read without one, forwarded as it came) writes no ``id``; a blank one is a
    slip and refused."""
    if message_id != message_id.strip() or (message_id and not message_id.strip()):
        raise bad_value("TraceHeaderList/@id", message_id)
    trace = sub(header, "TraceHeaderList")
    if message_id:
        trace.set("id", message_id)
    for hop in hops:
        el = sub(trace, "TraceHeader")
        if hop.organ_id:
            sub(el, "OrganId", hop.organ_id, path="TraceHeader/OrganId")
        sub(el, "Timestamp", format_timestamp(hop.timestamp, "TraceHeader/Timestamp"))
    el = sub(trace, "Bussiness")
    sub(el, "DocumentId", business.document_id or document_id, path="Bussiness/DocumentId")
    sub(el, "BussinessDocType", WIRE_BUSINESS[business.type])
    sub(el, "BussinessDocReason", business.reason, path="Bussiness/BussinessDocReason")
    sub(el, "Paper", "1" if business.paper else "0")
    if business.staff is not None:
        build_staff(el, business.staff)
    if (business.type is BusinessType.UPDATE or business.receiver_changes
            or business.document_info_changed or business.receivers_changed):
        _build_update(el, business)
    if business.replacements:
        replacements = sub(el, "ReplacementInfoList")
        for item in business.replacements:
            info = sub(replacements, "ReplacementInfo")
            sub(info, "DocumentId", item.document_id, path="ReplacementInfo/DocumentId")
            organs = sub(info, "OrganIdList")
            for organ_id in item.organ_ids:
                sub(organs, "OrganId", organ_id, path="OrganIdList/OrganId")


def _build_update(parent: Element, business: Business) -> None:
    info = sub(parent, "BussinessDocumentInfo")
    sub(info, "DocumentInfo", "1" if business.document_info_changed else "0")
    sub(info, "DocumentReceiver", "1" if business.receivers_changed else "0")
    receivers = sub(info, "ReceiverList")
    for change in business.receiver_changes:
        el = sub(receivers, "Receiver")
        sub(el, "OrganId", change.organ_id, path="Receiver/OrganId")
        sub(el, "ReceiverType", "1" if change.added else "0")


def _receiver_changes(info: Element | None, notes: Notes) -> tuple[ReceiverChange, ...]:
    """Update receivers; one without ``OrganId`` is skipped with a note, not refused."""
    found: list[ReceiverChange] = []
    for r in children(child(info, "ReceiverList"), "Receiver"):
        organ_id = organ_code(r)
        if not organ_id:
            notes.add("receiver_without_organ_id",
                      "An update's Receiver has no OrganId; skipped",
                      "Nơi nhận trong thông tin cập nhật thiếu OrganId; bỏ qua")
            continue
        found.append(ReceiverChange(organ_id=organ_id, added=bool_value(r, "ReceiverType")))
    return tuple(found)


def read_message_id(header: Element) -> str:
    """The ``id`` attribute of ``TraceHeaderList`` ("" if absent)."""
    trace = child(header, "TraceHeaderList")
    return "" if trace is None else str(trace.get("id") or "").strip()


def read_hops(header: Element, notes: Notes | None = None) -> tuple[TraceHop, ...]:
    """Every trace hop, with or without ``OrganId``; a hop whose time cannot be read is
    skipped with a note (hops are informative only)."""
    hops: list[TraceHop] = []
    for position, el in enumerate(children(child(header, "TraceHeaderList"), "TraceHeader"),
                                  start=1):
        raw = code_text(el, "Timestamp")
        when = parse_timestamp(raw)
        if when is None:
            if notes is not None:
                notes.add("trace_hop_bad_time",
                          f"Trace hop #{position} time “{raw[:40]}” unreadable; hop skipped",
                          f"Thời điểm “{raw[:40]}” của chặng {position} không đọc được; bỏ qua")
            continue
        hops.append(TraceHop(organ_id=organ_code(el), timestamp=when))
    return tuple(hops)


def read_business(header: Element, document_id: str, notes: Notes | None = None) -> Business:
    """The business block; absent means a new document (as the oldest senders do)."""
    el = path_child(header, "TraceHeaderList", "Bussiness")
    if el is None:
        return Business()
    raw_type = code_text(el, "BussinessDocType") or "0"
    kind = _FROM_WIRE.get(str(int_value(el, "BussinessDocType", "BussinessDocType", 0)))
    if kind is None:
        raise bad_value("Bussiness/BussinessDocType", raw_type)
    acted_on = code_text(el, "DocumentId")
    info = child(el, "BussinessDocumentInfo")
    return Business(
        type=kind,
        reason=text(el, "BussinessDocReason"),
        document_id="" if acted_on == document_id else acted_on,
        paper=bool_value(el, "Paper"),
        staff=read_staff(child(el, "StaffInfo")),
        document_info_changed=bool_value(info, "DocumentInfo"),
        receivers_changed=bool_value(info, "DocumentReceiver"),
        receiver_changes=_receiver_changes(info, notes or Notes()),
        replacements=tuple(
            Replacement(
                document_id=code_text(r, "DocumentId"),
                organ_ids=tuple(
                    organ_id for o in children(child(r, "OrganIdList"), "OrganId")
                    if (organ_id := "".join(o.itertext()).strip())
                ),
            )
            for r in children(child(el, "ReplacementInfoList"), "ReplacementInfo")
        ),
    )
