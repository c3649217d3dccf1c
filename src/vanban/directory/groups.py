"""Recipient groups (issue 13, pickers): named lists of agencies the province administrator
keeps ("Các Sở", "UBND các huyện"). Reads are open to every signed-in user (the picker offers
them); writes are the province administrator's, audited with the before/after state (R20.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vanban.audit.services import audit_append, audit_refusal
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.directory import rules
from vanban.directory.models import Agency, RecipientGroup

OBJECT_TYPE = "directory.recipient_group"


@dataclass(frozen=True)
class OfferedGroup:
    """A group as the picker offers it to one sender: the members it may send to."""

    name: str
    codes: tuple[str, ...]


def recipient_groups_all() -> list[RecipientGroup]:
    """Every group with its members, for the administrator's page."""
    return list(RecipientGroup.objects.prefetch_related("members"))


def recipient_group_get(pk: int) -> RecipientGroup:
    """One group, or ``NotFound``."""
    found = RecipientGroup.objects.filter(pk=pk).first()
    if found is None:
        raise not_found("nhóm nơi nhận", "Recipient group")
    return found


def recipient_groups_offered(sender: Agency) -> list[OfferedGroup]:
    """The groups for a document of ``sender``: active members only, the sender itself never
    among them, groups left empty by that left out."""
    offered = []
    for group in RecipientGroup.objects.prefetch_related("members"):
        codes = tuple(sorted(a.code for a in group.members.all()
                             if a.active and a.pk != sender.pk))
        if codes:
            offered.append(OfferedGroup(name=group.name, codes=codes))
    return offered


def _state(group: RecipientGroup) -> dict[str, Any]:
    return {"name": group.name, "position": group.position,
            "members": sorted(a.code for a in group.members.all())}


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise ValidationFailed("Tên nhóm phải có từ 1 đến 100 ký tự.",
                               "A group name must have 1 to 100 characters.", code="group_name")
    return cleaned


def recipient_group_save(*, actor: Actor | None, group: RecipientGroup | None, name: str,
                         members: Iterable[Agency], position: int = 0) -> RecipientGroup:
    """Create (``group`` None) or change a group; only the province administrator."""
    action = "directory.recipient_group_" + ("create" if group is None else "update")
    if not rules.can_manage_agencies(actor):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE,
                            object_id=group.pk if group is not None else "")
    cleaned = _clean_name(name)
    chosen = list(members)
    with transaction.atomic():
        clash = RecipientGroup.objects.filter(name__iexact=cleaned)
        if group is not None:
            clash = clash.exclude(pk=group.pk)
        if clash.exists():
            raise Conflict(f"Đã có nhóm nơi nhận “{cleaned}”.",
                           f"There is already a recipient group “{cleaned}”.",
                           code="duplicate_group")
        now = clock.now()
        before = _state(group) if group is not None else None
        if group is None:
            group = RecipientGroup.objects.create(name=cleaned, position=position,
                                                  created_at=now, updated_at=now)
        else:
            group.name, group.position, group.updated_at = cleaned, position, now
            group.save(update_fields=["name", "position", "updated_at"])
        group.members.set(chosen)
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=group.pk,
                     before=before, after=_state(group))
    return group


def recipient_group_delete(*, actor: Actor | None, group: RecipientGroup) -> None:
    """Remove a group (documents already sent keep their recipients)."""
    action = "directory.recipient_group_delete"
    if not rules.can_manage_agencies(actor):
        raise audit_refusal(actor=actor, error=forbidden(), action=action,
                            object_type=OBJECT_TYPE, object_id=group.pk)
    with transaction.atomic():
        before = _state(group)
        pk = group.pk
        group.delete()
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=pk,
                     before=before)
