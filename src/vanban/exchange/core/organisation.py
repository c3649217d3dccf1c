"""Parts shared by edXML document and status messages: organisations, staff, replies.

Field names follow vn-standards.md §1.3 (From/To with 8 children), §1.4 (StaffInfo) and
§1.3 item 1.12 / §1.6 (ResponseFor). Free text is kept exactly; codes are trimmed.

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vanban.exchange.core.xmlsafe import (
    Element,
    bad_value,
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
    """Read an organisation; only ``OrganId`` is required."""
    values = {attr: text(el, name) for attr, name in _ORGAN_FIELDS}
    values["organ_id"] = required(el, "OrganId", f"{path}/OrganId")
    return Organisation(**values)


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


def read_response_for(el: Element, path: str) -> ResponseFor:
    """Read ``ResponseFor``; an unreadable date is dropped rather than refusing the reply."""
    raw_date = code_text(el, "PromulgationDate")
    return ResponseFor(
        organ_id=required(el, "OrganId", f"{path}/OrganId"),
        code=code_text(el, "Code"),
        promulgation_date=parse_date(raw_date) if raw_date else None,
        document_id=code_text(el, "DocumentId"),
    )
