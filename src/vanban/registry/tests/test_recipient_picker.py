"""The drafting form's recipients picker (issue 13, observed 5): the person's recently used
agencies first, the province's recipient groups for one-click adding, never the sender."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from vanban.directory.groups import recipient_group_save
from vanban.directory.tests.conftest import admin, agency_x, agency_y, clerk_x, province, stttt

pytestmark = pytest.mark.django_db
__all__ = ["admin", "agency_x", "agency_y", "clerk_x", "province", "stttt"]  # fixtures


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_drafting_form_offers_groups_and_recent_recipients_first(
        admin, agency_x, agency_y, stttt, clerk_x) -> None:
    """Issue 13, observed 5: the recipients list starts with the clerk's recently used
    agencies, carries the groups for one-click adding, and never offers the sender."""
    from vanban.registry import services

    recipient_group_save(actor=admin, group=None, name="Các Sở", members=[agency_x, agency_y])
    services.document_create(actor=clerk_x, agency=agency_x, type_code="cong_van",
                             subject="Về việc thử", recipients=[
                                 services.RecipientInput(agency=stttt)])
    body = _client(clerk_x).get("/documents/new/").content.decode()
    select = re.search(r'<select name="agencies".*?</select>', body, re.S)
    assert select is not None
    groups = re.findall(r'<optgroup label="([^"]+)"', select.group(0))
    assert groups[0] == "Dùng gần đây"
    first = re.search(r'<optgroup label="Dùng gần đây">(.*?)</optgroup>', select.group(0), re.S)
    assert first is not None
    assert stttt.code in first.group(1)
    assert f'value="{agency_x.code}"' not in select.group(0)
    offered = re.search(r'data-groups="([^"]*)"', select.group(0))
    assert offered is not None
    assert "Các Sở" in offered.group(1)
    assert agency_y.code in offered.group(1)
