"""The left-hand menu: what each role sees, and which entry is lit."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from vanban.core.roles import Role
from vanban.web.context import navigation

pytestmark = pytest.mark.django_db


def _menu(user, path: str) -> dict[str, bool]:
    request = RequestFactory().get(path)
    request.user = user
    request.LANGUAGE_CODE = "vi"
    items = navigation(request)["nav_items"]
    assert isinstance(items, list)
    return {item.url: item.active for item in items}


def test_clerk_sees_the_incoming_work_and_one_entry_is_lit(make_agency, make_user):
    """R10.1, R10.2: the clerk's menu has the inbox, the incoming register and the check report;
    on the register's page only the register is lit, not the inbox whose address is its prefix."""
    clerk = make_user(make_agency(), roles=[Role.CLERK])
    menu = _menu(clerk, "/incoming/register/")
    assert {"/incoming/", "/incoming/register/", "/checks/", "/work/"} <= set(menu)
    assert [url for url, lit in menu.items() if lit] == ["/incoming/register/"]
    assert [url for url, lit in _menu(clerk, "/").items() if lit] == ["/"]


def test_specialist_works_from_my_tasks_not_the_inbox(make_agency, make_user):
    """R8.1: a specialist handles what is assigned; registering is the clerk's."""
    menu = _menu(make_user(make_agency(), roles=[Role.SPECIALIST]), "/work/")
    assert "/work/" in menu
    assert "/incoming/" not in menu
    assert "/work/overdue/" not in menu


def test_mail_pages_are_in_the_menu_of_who_uses_them(make_agency, make_user):
    """R13.1, R4.1: the clerk reaches the mail quarantine, the province administrator the
    official mailboxes and the DKIM keys; neither sees the other's mail pages."""
    agency = make_agency()
    clerk = _menu(make_user(agency, roles=[Role.CLERK]), "/mailgate/quarantine/")
    assert clerk["/mailgate/quarantine/"] is True
    assert "/mail/mailboxes/" not in clerk
    admin = _menu(make_user(agency, roles=[Role.PROVINCE_ADMIN]), "/mail/dkim/")
    assert {"/mail/mailboxes/", "/mail/dkim/"} <= set(admin)
    assert admin["/mail/dkim/"] is True
    assert "/mailgate/quarantine/" not in admin
