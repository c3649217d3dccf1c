"""The tolerant edXML document reader: accept what real e-office systems send.

A message is refused only when the document itself cannot be identified or used: no sender
``OrganId``, no receiver with an ``OrganId``, no code (neither number nor notation), no
readable promulgation date, no subject, or a business type it cannot tell. Everything else
that deviates (an empty ``ResponseFor``, a receiver without ``OrganId``, a hop without time,
a priority outside −1..9, an unreadable optional number or date) is tolerated and noted in
``EdocMessage.warnings``. Everything not understood but carried (``Direction``, the
``Signature`` block, every hop, both content types) is kept so a forward carries it on.

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from vanban.exchange.core.attachments import read_attachments
from vanban.exchange.core.document import MAX_PRIORITY, MIN_PRIORITY, EdocMessage
from vanban.exchange.core.notes import Notes
from vanban.exchange.core.organisation import (
    Organisation,
    read_organisation,
    read_recipients,
    read_replies,
    read_signer,
)
from vanban.exchange.core.trace import read_business, read_hops, read_message_id
from vanban.exchange.core.unzip import ZipLimits
from vanban.exchange.core.xmlsafe import (
    Element,
    bad_value,
    child,
    children,
    code_text,
    missing,
    nfc,
    parse_date,
    text,
)

__all__ = ["read_edoc"]

_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")


def read_edoc(root: Element, envelope: Element, header: Element, mh: Element, *,
              max_attachment_bytes: int, zip_limits: ZipLimits | None = None) -> EdocMessage:
    """The document message in an opened envelope, or an ``EdxmlError`` saying why not."""
    notes = Notes()
    sender_el, recipients, code, promulgated, subject = _identify(mh, notes)
    info = child(mh, "PromulgationInfo")
    notation = code_text(code, "CodeNotation")
    document_id = code_text(mh, "DocumentId")
    kind = child(mh, "DocumentType")
    other = child(mh, "OtherInfo")
    attachments = read_attachments(
        root, envelope, limit=max_attachment_bytes, notes=notes,
        zip_limits=zip_limits or ZipLimits(max_bytes=max_attachment_bytes))
    return EdocMessage(
        message_id=read_message_id(header),
        sender=read_organisation(sender_el, "From"),
        recipients=recipients,
        code_number=code_text(code, "CodeNumber"),
        code_notation=notation,
        promulgation_date=promulgated,
        subject=subject,
        promulgation_place=text(info, "Place"),
        type_name=text(kind, "TypeName"),
        type_code=_int(kind, "Type", 1, notes) or 0,
        type_detail=_int(kind, "TypeDetail", 0, notes) or 0,
        content=text(mh, "Content"),
        signer=read_signer(child(mh, "SignerInfo")),
        due_date=_optional_date(mh, "DueDate", notes),
        to_places=tuple(nfc("".join(el.itertext()))
                        for el in children(child(mh, "ToPlaces"), "Place")),
        priority=_priority(other, notes),
        sphere=text(other, "SphereOfPromulgation"),
        typer_notation=text(other, "TyperNotation"),
        promulgation_amount=_int(other, "PromulgationAmount", None, notes),
        page_amount=_int(other, "PageAmount", None, notes),
        appendixes=tuple(nfc("".join(el.itertext())) for el in children(
            child(other, "Appendixes"), "Appendix")),
        steering_type=_int(mh, "SteeringType", None, notes),
        direction=_direction(other, notes),
        response_for=read_replies(mh, notes),
        document_id=document_id,
        business=read_business(header, document_id, notes),
        trace=read_hops(header, notes),
        attachments=attachments,
        signature=read_signature(header),
        warnings=notes.items(),
    )


def _identify(mh: Element, notes: Notes) -> tuple[
        Element, tuple[Organisation, ...], Element, date, str]:
    """What identifies the document, or the refusal: sender, receivers, code, date, subject."""
    sender_el = child(mh, "From")
    if sender_el is None:
        raise missing("MessageHeader/From")
    if child(mh, "To") is None:
        raise missing("MessageHeader/To")
    recipients = read_recipients(mh, notes)
    if not recipients:
        raise missing("To/OrganId")
    code = child(mh, "Code")
    if code is None or not (code_text(code, "CodeNotation") or code_text(code, "CodeNumber")):
        raise missing("MessageHeader/Code")
    promulgated = _required_date(child(mh, "PromulgationInfo"), "PromulgationDate",
                                 "PromulgationInfo/PromulgationDate")
    subject = text(mh, "Subject")
    if not subject.strip():
        raise missing("MessageHeader/Subject")
    return sender_el, recipients, code, promulgated, subject


def read_signature(header: Element) -> bytes:
    """The ``Signature`` block in canonical form (exclusive C14N), ``b""`` when absent.

    C14N refuses some namespaces real senders write (a relative namespace URI); such a block
    is kept as serialised instead, so an odd signature never makes the document unreadable.
    """
    found = child(header, "Signature")
    if found is None:
        return b""
    try:
        data: bytes = etree.tostring(found, method="c14n", exclusive=True, with_comments=False)
    except etree.C14NError:
        data = etree.tostring(found)
    return data


def _required_date(el: Element | None, name: str, path: str) -> date:
    raw = code_text(el, name)
    if not raw:
        raise missing(path)
    value = parse_date(raw)
    if value is None:
        raise bad_value(path, raw)
    return value


def _optional_date(el: Element | None, name: str, notes: Notes) -> date | None:
    raw = code_text(el, name)
    value = parse_date(raw) if raw else None
    if raw and value is None:
        notes.add("bad_date", f"{name} “{raw[:40]}” unreadable; ignored",
                  f"Ngày {name} “{raw[:40]}” không đọc được; bỏ qua")
    return value


def _int(el: Element | None, name: str, default: int | None, notes: Notes) -> int | None:
    """An integer field: absent gives ``default``; garbage gives ``default`` with a note."""
    raw = code_text(el, name)
    if not raw:
        return default
    if _INTEGER.fullmatch(raw) is None:
        notes.add("bad_number", f"{name} “{raw[:40]}” is not a number; ignored",
                  f"Giá trị {name} “{raw[:40]}” không phải số; bỏ qua")
        return default
    return int(raw)


def _priority(other: Element | None, notes: Notes) -> int:
    value = _int(other, "Priority", 0, notes) or 0
    if not MIN_PRIORITY <= value <= MAX_PRIORITY:
        notes.add("priority_out_of_range",
                  f"Priority {value} outside {MIN_PRIORITY}..{MAX_PRIORITY}; read as 0",
                  f"Độ khẩn {value} ngoài khoảng {MIN_PRIORITY}..{MAX_PRIORITY}; coi là 0")
        return 0
    return value


def _direction(other: Element | None, notes: Notes) -> bool | None:
    raw = code_text(other, "Direction").lower()
    if not raw:
        return None
    if raw in {"true", "1"}:
        return True
    if raw in {"false", "0"}:
        return False
    notes.add("bad_direction", f"Direction “{raw[:20]}” is not true/false; ignored",
              f"Direction “{raw[:20]}” không phải true/false; bỏ qua")
    return None
