"""Parts shared by edXML document and status messages: organisations, staff, replies.

Field names follow vn-standards.md §1.3 (From/To with 8 children), §1.4 (StaffInfo) and
§1.3 item 1.12 / §1.6 (ResponseFor). Free text is kept as sent (NFC-normalised); codes are
trimmed. Reading is tolerant where one bad part must not lose the message: a receiver without
``OrganId`` and an empty ``ResponseFor`` are skipped with a note (``read_recipients``,
``read_replies``).

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vanban.exchange.core.notes import Notes
from vanban.exchange.core.xmlsafe import (
    Element,
    bad_value,
    children,
    code_text,
    format_date,
    parse_date,
    required,
    sub,
    text,
)

# (attribute, element) in the order the SDK writes them.
_ORGAN_FIELDS = (
    ("organ_id", "OrganId"),
    ("in_charge", "OrganizationInCharge"),
    ("name", "OrganName"),
    ("address", "OrganAdd"),
    ("email", "Email"),
    ("telephone", "Telephone"),
    ("fax", "Fax"),
    ("website", "Website"),
)


@dataclass(frozen=True)
class Organisation:
    """An agency as edXML describes it; ``organ_id`` is its identifier code (§1.8)."""

    organ_id: str
    name: str = ""
    in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class StaffInfo:
    """The clerk who handled the message (department, name, contacts)."""

    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class SignerInfo:
    """Who signed: competence prefix + title (e.g. ``TL. BỘ TRƯỞNG``), position, full name."""

    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class ResponseFor:
    """The earlier document a message answers (status messages, revocations, replies)."""

    organ_id: str
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


def build_organisation(parent: Element, tag: str, organ: Organisation) -> None:
    """Write ``<edXML:From>``/``<edXML:To>`` with all 8 children (empty ones too, as the SDK)."""
    if not organ.organ_id.strip():
        raise bad_value(f"{tag}/OrganId", organ.organ_id)
    el = sub(parent, tag)
    for attr, name in _ORGAN_FIELDS:
        sub(el, name, getattr(organ, attr), path=f"{tag}/{name}")


def read_organisation(el: Element, path: str) -> Organisation:
    """Read an organisation; only ``OrganId`` is required (the literal ``null`` is absent)."""
    values = {attr: text(el, name) for attr, name in _ORGAN_FIELDS}
    values["organ_id"] = organ_code(el)
    if not values["organ_id"]:
        required(None, "OrganId", f"{path}/OrganId")
    return Organisation(**values)


def organ_code(el: Element | None) -> str:
    """``OrganId`` trimmed; ``null`` (written by one gateway for "none") reads as empty."""
    value = code_text(el, "OrganId")
    return "" if value.lower() == "null" else value


def read_recipients(mh: Element, notes: Notes) -> tuple[Organisation, ...]:
    """Every ``To`` with an ``OrganId``; one without is skipped with a note, not refused."""
    found: list[Organisation] = []
    for position, el in enumerate(children(mh, "To"), start=1):
        if not organ_code(el):
            name = text(el, "OrganName").strip()[:80]
            notes.add("receiver_without_organ_id",
                      f"Receiver #{position} ({name or 'no name'}) has no OrganId; skipped",
                      f"Nơi nhận thứ {position} ({name or 'không tên'}) thiếu OrganId; bỏ qua")
            continue
        found.append(read_organisation(el, "To"))
    return tuple(found)


def build_staff(parent: Element, staff: StaffInfo) -> None:
    """Write ``<edXML:StaffInfo>``."""
    el = sub(parent, "StaffInfo")
    sub(el, "Department", staff.department, path="StaffInfo/Department")
    sub(el, "Staff", staff.staff, path="StaffInfo/Staff")
    sub(el, "Email", staff.email, path="StaffInfo/Email")
    sub(el, "Mobile", staff.mobile, path="StaffInfo/Mobile")


def read_staff(el: Element | None) -> StaffInfo | None:
    """Read ``StaffInfo`` if present."""
    if el is None:
        return None
    return StaffInfo(
        department=text(el, "Department"), staff=text(el, "Staff"),
        email=text(el, "Email"), mobile=text(el, "Mobile"),
    )


def build_signer(parent: Element, signer: SignerInfo) -> None:
    """Write ``<edXML:SignerInfo>``."""
    el = sub(parent, "SignerInfo")
    sub(el, "Competence", signer.competence, path="SignerInfo/Competence")
    sub(el, "Position", signer.position, path="SignerInfo/Position")
    sub(el, "FullName", signer.full_name, path="SignerInfo/FullName")


def read_signer(el: Element | None) -> SignerInfo | None:
    """Read ``SignerInfo`` if present."""
    if el is None:
        return None
    return SignerInfo(
        competence=text(el, "Competence"), position=text(el, "Position"),
        full_name=text(el, "FullName"),
    )


def build_response_for(parent: Element, reply: ResponseFor) -> None:
    """Write ``<edXML:ResponseFor>``."""
    if not reply.organ_id.strip():
        raise bad_value("ResponseFor/OrganId", reply.organ_id)
    el = sub(parent, "ResponseFor")
    sub(el, "OrganId", reply.organ_id, path="ResponseFor/OrganId")
    sub(el, "Code", reply.code, path="ResponseFor/Code")
    when = format_date(reply.promulgation_date) if reply.promulgation_date else ""
    sub(el, "PromulgationDate", when)
    sub(el, "DocumentId", reply.document_id, path="ResponseFor/DocumentId")


def read_replies(mh: Element, notes: Notes) -> tuple[ResponseFor, ...]:
    """Every usable ``ResponseFor``; an empty one (``<ResponseFor />``) is dropped with a note."""
    found: list[ResponseFor] = []
    for el in children(mh, "ResponseFor"):
        reply = read_reply(el, notes)
        if reply is not None:
            found.append(reply)
    return tuple(found)


def read_reply(el: Element, notes: Notes) -> ResponseFor | None:
    """A tolerant ``ResponseFor``: without ``OrganId`` the issuer is taken from ``DocumentId``
    (``<OrganId>,<date>,<code>``); with neither it is dropped with a note."""
    organ_id = organ_code(el)
    document_id = code_text(el, "DocumentId")
    if not organ_id and document_id and "," in document_id:
        organ_id = document_id.split(",", 1)[0].strip()
        notes.add("response_for_organ_from_document_id",
                  "ResponseFor has no OrganId; taken from its DocumentId",
                  "ResponseFor thiếu OrganId; lấy từ DocumentId")
    if not organ_id:
        notes.add("empty_response_for", "Empty or unidentifiable ResponseFor ignored",
                  "Bỏ qua ResponseFor rỗng hoặc không xác định được")
        return None
    raw_date = code_text(el, "PromulgationDate")
    when = parse_date(raw_date) if raw_date else None
    if raw_date and when is None:
        notes.add("response_for_bad_date", f"ResponseFor date “{raw_date[:40]}” unreadable; "
                  "dropped", f"Ngày “{raw_date[:40]}” của ResponseFor không đọc được; bỏ qua")
    return ResponseFor(organ_id=organ_id, code=code_text(el, "Code"), promulgation_date=when,
                       document_id=document_id)


def read_response_for(el: Element, path: str) -> ResponseFor:
    """Read ``ResponseFor``; an unreadable date is dropped rather than refusing the reply."""
    raw_date = code_text(el, "PromulgationDate")
    return ResponseFor(
        organ_id=required(el, "OrganId", f"{path}/OrganId"),
        code=code_text(el, "Code"),
        promulgation_date=parse_date(raw_date) if raw_date else None,
        document_id=code_text(el, "DocumentId"),
    )
