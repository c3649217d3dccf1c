"""Roles of the regulation (requirements.md, 'People and places') and the actor protocol that
services receive, so lower apps can check permissions without importing the user model.

Pure Python: no Django import.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """A staff member's role. Values are stored in the database; never rename one."""

    PROVINCE_ADMIN = "province_admin"  # Sở TT&TT: agencies, mailboxes, certificates
    HEAD = "head"  # Thủ trưởng cơ quan
    DELEGATE = "delegate"  # Người được ủy quyền
    CLERK = "clerk"  # Văn thư
    SPECIALIST = "specialist"  # Chuyên viên
    ONESTOP = "onestop"  # Cán bộ tiếp nhận và trả kết quả
    IT_OFFICER = "it_officer"  # Cán bộ chuyên trách CNTT
    SECURITY_OFFICER = "security_officer"  # Cán bộ phụ trách an toàn thông tin


ROLE_LABELS_VI: dict[Role, str] = {
    Role.PROVINCE_ADMIN: "Quản trị cấp tỉnh (Sở TT&TT)",
    Role.HEAD: "Thủ trưởng cơ quan",
    Role.DELEGATE: "Người được ủy quyền",
    Role.CLERK: "Văn thư",
    Role.SPECIALIST: "Chuyên viên",
    Role.ONESTOP: "Cán bộ một cửa",
    Role.IT_OFFICER: "Cán bộ CNTT",
    Role.SECURITY_OFFICER: "Cán bộ an toàn thông tin",
}
ROLE_LABELS_EN: dict[Role, str] = {
    Role.PROVINCE_ADMIN: "Province administrator",
    Role.HEAD: "Agency head",
    Role.DELEGATE: "Delegate",
    Role.CLERK: "Clerk",
    Role.SPECIALIST: "Specialist",
    Role.ONESTOP: "One-stop officer",
    Role.IT_OFFICER: "IT officer",
    Role.SECURITY_OFFICER: "Security officer",
}

# Roles that may manage staff accounts of their own agency (R20.1).
STAFF_MANAGERS = frozenset({Role.HEAD, Role.DELEGATE, Role.IT_OFFICER})
# Roles that may read their agency's audit log (R16.2).
AUDIT_READERS = frozenset({Role.HEAD, Role.IT_OFFICER, Role.SECURITY_OFFICER})
# Roles that keep the incoming register: they see what arrives and every incoming document of
# their agency. Anyone else sees only the documents they hold (or held) a work line of
# (need-to-know, R16.2, R16.5).
REGISTER_KEEPERS = frozenset({Role.CLERK, Role.HEAD, Role.DELEGATE})


class Actor(Protocol):
    """Who performs an action. Implemented by the user model; tests may pass their own."""

    @property
    def pk(self) -> object: ...

    @property
    def username(self) -> str: ...

    @property
    def agency_id(self) -> int | None: ...

    def has_role(self, role: Role) -> bool:
        """Whether the actor holds ``role`` in its own agency."""
        ...


def keeps_register(actor: Actor | None, agency_id: int | None) -> bool:
    """A clerk, the head or a delegate of ``agency_id`` (or the console operator): who reads
    what arrives for the agency and its incoming register (R16.2, R16.5)."""
    if actor is None:
        return True
    return (agency_id is not None and actor.agency_id == agency_id
            and any(actor.has_role(role) for role in REGISTER_KEEPERS))
