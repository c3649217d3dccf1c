"""The demo province's recipient groups (``vanban demo load``): what a province administrator
would define first, so the drafting form's picker shows groups from the first minute."""

from __future__ import annotations

from vanban.directory.groups import recipient_group_save
from vanban.directory.models import Agency, AgencyKind

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Các Sở, ban, ngành", (AgencyKind.DEPARTMENT,)),
    ("UBND các huyện, thành phố", (AgencyKind.DISTRICT,)),
    ("UBND tỉnh và Văn phòng UBND tỉnh", (AgencyKind.PROVINCE, AgencyKind.OFFICE)),
)


def demo_groups_load() -> None:
    """One group per line of :data:`GROUPS`, with the active agencies of those kinds."""
    for position, (name, kinds) in enumerate(GROUPS):
        members = Agency.objects.filter(kind__in=kinds, active=True)
        if members.exists():
            recipient_group_save(actor=None, group=None, name=name, members=members,
                                 position=position)
