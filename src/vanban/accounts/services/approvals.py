"""The head's decision on a pending signing or registering role (R20.1, R16.2).

A clerk or one-stop role asked for by a delegate or IT officer is a :class:`RoleRequest`; it
confers nothing until the head of the account's agency (or the province) approves it, which
turns it into a grant. A refusal keeps the account without the role. Both are audited and told
to the account's owner.
"""

from __future__ import annotations

from django.db import transaction

from vanban.accounts import privileges
from vanban.accounts.models import RoleGrant, RoleRequest, User
from vanban.accounts.services._common import (
    USER_OBJECT,
    actor_party,
    agency_code_of,
    refuse,
    target_party,
)
from vanban.accounts.services.notices import notice_send
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, forbidden, not_found
from vanban.core.roles import ROLE_LABELS_EN, ROLE_LABELS_VI, Role

ACTION = "staff.role_decide"


def _request_get(actor: User, request_id: object) -> RoleRequest:
    """The request, scoped like staff look-ups: another agency's is NotFound (R1.1)."""
    try:
        pk = int(str(request_id))
    except ValueError:
        pk = 0
    found = RoleRequest.objects.select_related("user", "user__agency").filter(pk=pk).first()
    if found is None or (found.user.agency_id != actor.agency_id
                         and not actor.has_role(Role.PROVINCE_ADMIN)):
        raise not_found("yêu cầu cấp vai trò", "Role request")
    return found


def role_request_decide(*, actor: User, request_id: object, approve: bool, note: str = ""
                        ) -> RoleRequest:
    """Approve (the role becomes a grant) or refuse a pending role of another account."""
    found = _request_get(actor, request_id)
    user = found.user
    if not privileges.may_approve(actor_party(actor), target_party(user)):
        raise refuse(actor, forbidden(), action=ACTION, object_id=user.pk,
                     data={"request": found.pk, "role": found.role})
    role = Role(found.role)
    now = clock.now()
    with transaction.atomic():
        locked = RoleRequest.objects.select_for_update().get(pk=found.pk)
        if locked.state != RoleRequest.State.PENDING:
            raise Conflict("Yêu cầu này đã được quyết định.",
                           "This request has already been decided.", code="request_decided")
        locked.state = RoleRequest.State.APPROVED if approve else RoleRequest.State.REFUSED
        locked.decided_by, locked.decided_at, locked.note = actor, now, note.strip()[:500]
        locked.save(update_fields=["state", "decided_by", "decided_at", "note"])
        if approve:
            RoleGrant.objects.get_or_create(user=user, role=role.value,
                                            defaults={"granted_at": now})
            user.forget_roles()
        audit_append(actor=actor, action=ACTION, object_type=USER_OBJECT, object_id=user.pk,
                     agency_code=agency_code_of(user),
                     data={"request": locked.pk, "role": role.value, "approved": approve,
                           "requested_by": locked.requested_by_id, "note": locked.note})
        verb_vi, verb_en = ("phê duyệt", "approved") if approve else ("từ chối", "refused")
        notice_send(user=user, kind="role_decided",
                    vi=f"Vai trò «{ROLE_LABELS_VI[role]}» của tài khoản {user.username} đã được "
                       f"{actor.username} {verb_vi}.",
                    en=f"The role '{ROLE_LABELS_EN[role]}' of account {user.username} was "
                       f"{verb_en} by {actor.username}.")
    return locked

