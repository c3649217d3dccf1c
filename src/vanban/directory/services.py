"""Writes to the directory: agencies and their units (R1.1, R20.1).

Only the province administrator (or the operator at the console, ``actor=None``) creates and
changes agencies and their official mailboxes; an agency's head, delegate or IT officer manages
its units. Every change is audited with its before/after state; a refused attempt is audited too
(in its own transaction, so the refusal survives the error it raises).
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, DomainError, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.directory import rules
from vanban.directory.codes import normalise_code, normalise_unit_code
from vanban.directory.models import Agency, AgencyKind, Unit


class Keep(enum.Enum):
    """Sentinel for "leave unchanged" where ``None`` is a meaningful value (no parent)."""

    KEEP = "keep"


KEEP = Keep.KEEP


# --- state snapshots for the audit log --------------------------------------------------------


def agency_state(agency: Agency) -> dict[str, Any]:
    """The audited state of an agency."""
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "parent_code": agency.parent.code if agency.parent is not None else "",
        "kind": agency.kind,
        "connected": agency.connected,
        "mailbox": agency.mailbox,
        "active": agency.active,
    }


def unit_state(unit: Unit) -> dict[str, Any]:
    """The audited state of a unit."""
    return {"agency_code": unit.agency.code, "code": unit.code, "name": unit.name,
            "short_name": unit.short_name, "active": unit.active}


# --- field rules ------------------------------------------------------------------------------


def clean_text(value: str, *, max_length: int, what_vi: str, what_en: str,
               required: bool = True) -> str:
    """Trimmed text, required and bounded; errors name the field in both languages."""
    text = " ".join(value.split())
    if required and not text:
        raise ValidationFailed(f"Thiếu {what_vi}.", f"The {what_en} is missing.",
                               code="missing_field")
    if len(text) > max_length:
        raise ValidationFailed(
            f"{what_vi.capitalize()} dài tối đa {max_length} ký tự.",
            f"The {what_en} has at most {max_length} characters.",
            code="too_long",
        )
    return text


def clean_mailbox(value: str) -> str:
    """An official mailbox address (lower case) or ``""``."""
    mailbox = value.strip().lower()
    if not mailbox:
        return ""
    try:
        validate_email(mailbox)
    except ValidationError:
        raise ValidationFailed(
            f"Địa chỉ hộp thư “{mailbox}” không hợp lệ.",
            f"Mailbox address “{mailbox}” is invalid.",
            code="bad_mailbox",
        ) from None
    return mailbox


def clean_kind(value: str) -> str:
    """One of :class:`AgencyKind`'s values."""
    if value not in AgencyKind.values:
        raise ValidationFailed(
            f"Loại cơ quan “{value}” không hợp lệ (dùng: {', '.join(AgencyKind.values)}).",
            f"Agency kind “{value}” is invalid (use: {', '.join(AgencyKind.values)}).",
            code="bad_kind",
        )
    return value


def _mailbox_free(mailbox: str, *, exclude_pk: int | None) -> None:
    if not mailbox:
        return
    taken = Agency.objects.filter(mailbox__iexact=mailbox)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise Conflict(f"Hộp thư “{mailbox}” đã được dùng cho cơ quan khác.",
                       f"Mailbox “{mailbox}” is already used by another agency.",
                       code="mailbox_taken")


def cycle_error(code: str) -> ValidationFailed:
    """The error for a parent that would make the tree a loop."""
    return ValidationFailed(
        f"Không thể đặt cơ quan cấp trên như vậy: cây cơ quan sẽ bị vòng lặp tại “{code}”.",
        f"That parent would make a loop in the agency tree at “{code}”.",
        code="cycle",
    )


def _no_cycle(agency: Agency, parent: Agency | None) -> None:
    parents = dict(Agency.objects.values_list("id", "parent_id"))
    current = parent.pk if parent is not None else None
    while current is not None:
        if current == agency.pk:
            raise cycle_error(agency.code)
        current = parents.get(current)


def _refused(actor: Actor | None, action: str, agency_code: str, error: DomainError,
             data: dict[str, Any]) -> DomainError:
    """Audit a refused attempt (committed on its own) and hand back the error to raise.

    Called before the service's transaction opens, so the record survives the refusal.
    """
    object_type = action.removeprefix("directory.").split("_")[0]  # "agency" or "unit"
    return audit_refusal(actor=actor, error=error, action=action, object_type=object_type,
                         agency_code=agency_code, data=data)


# --- agencies ---------------------------------------------------------------------------------


def agency_create(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    short_name: str,
    parent: Agency | None = None,
    kind: str = AgencyKind.OTHER,
    connected: bool = True,
    mailbox: str = "",
    active: bool = True,
) -> Agency:
    """R20.1: the province administrator adds an agency (and its official mailbox)."""
    if not rules.can_manage_agencies(actor):
        # The code is unvalidated input: kept (bounded) in the data, not in agency_code.
        raise _refused(actor, "directory.agency_create", "", forbidden(), {"code": code[:100]})
    with transaction.atomic():
        return _agency_create(actor=actor, code=code, name=name, short_name=short_name,
                              parent=parent, kind=kind, connected=connected, mailbox=mailbox,
                              active=active)


def _agency_create(
    *, actor: Actor | None, code: str, name: str, short_name: str, parent: Agency | None,
    kind: str, connected: bool, mailbox: str, active: bool,
) -> Agency:
    code = normalise_code(code)
    if Agency.objects.filter(code=code).exists():
        raise Conflict(f"Mã định danh “{code}” đã có trong danh bạ.",
                       f"Identifier code “{code}” is already in the directory.",
                       code="duplicate_code")
    mailbox = clean_mailbox(mailbox)
    _mailbox_free(mailbox, exclude_pk=None)
    now = clock.now()
    agency = Agency.objects.create(
        code=code,
        name=clean_text(name, max_length=200, what_vi="tên cơ quan", what_en="agency name"),
        short_name=clean_text(short_name, max_length=30, what_vi="tên viết tắt",
                              what_en="short name"),
        parent=parent, kind=clean_kind(kind), connected=connected, mailbox=mailbox,
        active=active, created_at=now, updated_at=now,
    )
    after = agency_state(agency)
    audit_append(actor=actor, action="directory.agency_create", object_type="agency",
                 object_id=agency.code, agency_code=agency.code, after=after,
                 data={"after": after})
    return agency


def _agency_changes(
    agency: Agency, *, name: str | None, short_name: str | None, parent: Agency | Keep | None,
    kind: str | None, connected: bool | None, mailbox: str | None, active: bool | None,
) -> dict[str, Any]:
    """The cleaned fields that differ from what is stored."""
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = clean_text(name, max_length=200, what_vi="tên cơ quan",
                                    what_en="agency name")
    if short_name is not None:
        wanted["short_name"] = clean_text(short_name, max_length=30, what_vi="tên viết tắt",
                                          what_en="short name")
    if kind is not None:
        wanted["kind"] = clean_kind(kind)
    if connected is not None:
        wanted["connected"] = connected
    if active is not None:
        wanted["active"] = active
    if mailbox is not None:
        wanted["mailbox"] = clean_mailbox(mailbox)
    changes = {k: v for k, v in wanted.items() if getattr(agency, k) != v}
    if not isinstance(parent, Keep) and (parent.pk if parent else None) != agency.parent_id:
        changes["parent"] = parent
    return changes


def agency_update(
    *,
    actor: Actor | None,
    agency: Agency,
    name: str | None = None,
    short_name: str | None = None,
    parent: Agency | Keep | None = KEEP,
    kind: str | None = None,
    connected: bool | None = None,
    mailbox: str | None = None,
    active: bool | None = None,
) -> Agency:
    """R20.1: the province administrator changes an agency. ``None``/``KEEP`` = unchanged.

    Nothing is written or audited when nothing changes (so a repeated import is silent).
    """
    if not rules.can_manage_agencies(actor):
        raise _refused(actor, "directory.agency_update", agency.code, forbidden(),
                       {"code": agency.code})
    with transaction.atomic():
        changes = _agency_changes(agency, name=name, short_name=short_name, parent=parent,
                                  kind=kind, connected=connected, mailbox=mailbox, active=active)
        return _agency_save(actor=actor, agency=agency, changes=changes)


def _agency_save(*, actor: Actor | None, agency: Agency, changes: dict[str, Any]) -> Agency:
    if not changes:
        return agency
    if "parent" in changes:
        _no_cycle(agency, changes["parent"])
    if "mailbox" in changes:
        _mailbox_free(changes["mailbox"], exclude_pk=agency.pk)
    before = agency_state(agency)
    for field, value in changes.items():
        setattr(agency, field, value)
    agency.updated_at = clock.now()
    agency.save()
    after = agency_state(agency)
    audit_append(actor=actor, action="directory.agency_update", object_type="agency",
                 object_id=agency.code, agency_code=agency.code, before=before, after=after,
                 data={"before": before, "after": after})
    return agency


# --- units ------------------------------------------------------------------------------------


def unit_create(
    *, actor: Actor | None, agency: Agency, code: str, name: str, short_name: str = ""
) -> Unit:
    """Add a unit (phòng, ban) to an agency: province administrator or the agency's managers."""
    if not rules.can_manage_units(actor, agency.pk):
        raise _refused(actor, "directory.unit_create", agency.code, forbidden(),
                       {"agency_code": agency.code, "code": code[:100]})
    with transaction.atomic():
        return _unit_create(actor=actor, agency=agency, code=code, name=name,
                            short_name=short_name)


def _unit_create(
    *, actor: Actor | None, agency: Agency, code: str, name: str, short_name: str
) -> Unit:
    code = normalise_unit_code(code)
    if Unit.objects.filter(agency=agency, code=code).exists():
        raise Conflict(f"Cơ quan đã có đơn vị mã “{code}”.",
                       f"The agency already has a unit with code “{code}”.",
                       code="duplicate_code")
    unit = Unit.objects.create(
        agency=agency, code=code,
        name=clean_text(name, max_length=200, what_vi="tên đơn vị", what_en="unit name"),
        short_name=clean_text(short_name, max_length=30, what_vi="tên viết tắt",
                              what_en="short name", required=False),
        created_at=clock.now(),
    )
    after = unit_state(unit)
    audit_append(actor=actor, action="directory.unit_create", object_type="unit",
                 object_id=unit.pk, agency_code=agency.code, after=after, data={"after": after})
    return unit


def unit_update(
    *, actor: Actor | None, unit: Unit, name: str | None = None, short_name: str | None = None,
    active: bool | None = None,
) -> Unit:
    """Rename or (de)activate a unit. Another agency's unit is "not found" (R1.1)."""
    agency = unit.agency
    if not rules.can_see_units(actor, agency.pk):
        raise _refused(actor, "directory.unit_update", agency.code,
                       not_found("đơn vị", "Unit"), {"unit": unit.pk})
    if not rules.can_manage_units(actor, agency.pk):
        raise _refused(actor, "directory.unit_update", agency.code, forbidden(),
                       {"unit": unit.pk})
    with transaction.atomic():
        return _unit_save(actor=actor, unit=unit, name=name, short_name=short_name,
                          active=active)


def _unit_save(
    *, actor: Actor | None, unit: Unit, name: str | None, short_name: str | None,
    active: bool | None,
) -> Unit:
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = clean_text(name, max_length=200, what_vi="tên đơn vị",
                                    what_en="unit name")
    if short_name is not None:
        wanted["short_name"] = clean_text(short_name, max_length=30, what_vi="tên viết tắt",
                                          what_en="short name", required=False)
    if active is not None:
        wanted["active"] = active
    changes = {k: v for k, v in wanted.items() if getattr(unit, k) != v}
    if not changes:
        return unit
    before = unit_state(unit)
    for field, value in changes.items():
        setattr(unit, field, value)
    unit.save()
    after = unit_state(unit)
    audit_append(actor=actor, action="directory.unit_update", object_type="unit",
                 object_id=unit.pk, agency_code=unit.agency.code, before=before, after=after,
                 data={"before": before, "after": after})
    return unit
