"""Recipient groups (issue 13, observed 5): the province administrator keeps named lists of
agencies; the outgoing picker offers them, never with the sender itself, and the person's
recently used recipients first. Every change is audited; anyone else is refused (R20.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.directory.groups import (
    recipient_group_delete,
    recipient_group_save,
    recipient_groups_offered,
)
from vanban.directory.models import RecipientGroup

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_province_administrator_keeps_groups_and_each_change_is_audited(
        admin, agency_x, agency_y, stttt) -> None:
    """R20.1: create, rename and delete a group; each is an audit event with the members."""
    group = recipient_group_save(actor=admin, group=None, name="  Các   Sở ",
                                 members=[agency_x, agency_y])
    assert group.name == "Các Sở"
    recipient_group_save(actor=admin, group=group, name="Các Sở, ngành",
                         members=[agency_x, agency_y, stttt], position=1)
    recipient_group_delete(actor=admin, group=group)
    events = AuditEvent.objects.filter(object_type="directory.recipient_group").order_by("seq")
    assert [e.action for e in events] == ["directory.recipient_group_create",
                                          "directory.recipient_group_update",
                                          "directory.recipient_group_delete"]
    assert all(e.actor_username == "qttinh" for e in events)
    assert events[1].before_digest
    assert events[1].after_digest != events[1].before_digest
    assert not RecipientGroup.objects.exists()


def test_others_are_refused_and_the_refusal_is_audited(head_x, clerk_x, agency_y) -> None:
    """R20.1: an agency's head or clerk cannot define the province's groups; nothing saved."""
    for user in (head_x, clerk_x):
        with pytest.raises(Forbidden):
            recipient_group_save(actor=user, group=None, name="Nhóm riêng", members=[agency_y])
        assert _client(user).get("/directory/groups/").status_code == 403
        assert _client(user).post("/directory/groups/new/",
                                  {"name": "Nhóm", "position": "0"}).status_code == 403
    assert not RecipientGroup.objects.exists()
    assert AuditEvent.objects.filter(action="directory.recipient_group_create.denied").count() == 4


def test_bad_input_gets_a_bilingual_reason_and_changes_nothing(admin, agency_x) -> None:
    """An empty or duplicate name is refused in Vietnamese and English."""
    recipient_group_save(actor=admin, group=None, name="Các Sở", members=[agency_x])
    with pytest.raises(ValidationFailed) as empty:
        recipient_group_save(actor=admin, group=None, name="   ", members=[])
    assert "Tên nhóm" in empty.value.vi
    assert "group name" in empty.value.en
    with pytest.raises(Conflict) as twice:
        recipient_group_save(actor=admin, group=None, name="các sở", members=[])
    assert "Đã có" in twice.value.vi
    assert RecipientGroup.objects.count() == 1


def test_the_sender_is_never_offered_within_a_group(admin, agency_x, agency_y) -> None:
    """Issue 13: a group that names the sender is offered without it; a group left empty by
    that is not offered at all."""
    recipient_group_save(actor=admin, group=None, name="Các Sở", members=[agency_x, agency_y])
    recipient_group_save(actor=admin, group=None, name="Chỉ Sở Nội vụ", members=[agency_x])
    offered = recipient_groups_offered(agency_x)
    assert [(g.name, g.codes) for g in offered] == [("Các Sở", (agency_y.code,))]


def test_the_administrator_page_saves_a_group(admin, agency_x, agency_y) -> None:
    """The administrator's form adds a group with the chosen members."""
    client = _client(admin)
    assert client.get("/directory/groups/new/").status_code == 200
    response = client.post("/directory/groups/new/", {
        "name": "UBND các huyện", "position": "2", "members": [agency_x.code, agency_y.code]})
    assert response.status_code == 302
    group = RecipientGroup.objects.get()
    assert {a.code for a in group.members.all()} == {agency_x.code, agency_y.code}
    assert "UBND các huyện" in client.get("/directory/groups/").content.decode()
