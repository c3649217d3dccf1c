"""The province administrator's mailbox and DKIM pages (R13.1, R20.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from vanban.core.roles import Role
from vanban.mail.models import DkimKey, Mailbox
from vanban.mail.tests.conftest import DOMAIN, make_keypair
from vanban.mail.tests.servers import MailServers, unique_address

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_password_is_shown_once(mail_settings: MailServers, make_agency: Any,
                                make_user: Any) -> None:
    """R20.1: the answer to the creation shows the password; the page never shows it again,
    and the new mailbox logs in with it."""
    agency = make_agency()
    admin = signed_in(make_user(make_agency(), roles=[Role.PROVINCE_ADMIN]))
    address = unique_address("vt", DOMAIN)
    response = admin.post(reverse("mail:mailboxes"), {"address": address,
                                                      "agency": agency.code})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["created"].password
    assert password in response.content.decode()
    mail_settings.wait_login(address, password)
    again = admin.get(reverse("mail:mailboxes"))
    assert address in again.content.decode()
    assert password not in again.content.decode()
    box = Mailbox.objects.get(address=address)
    admin.post(reverse("mail:mailbox_disable", args=[box.pk]))
    box.refresh_from_db()
    assert not box.active


def test_bad_input_is_said_and_nothing_is_made(mail_settings: MailServers, make_agency: Any,
                                               make_user: Any) -> None:
    admin = signed_in(make_user(make_agency(), roles=[Role.PROVINCE_ADMIN]))
    response = admin.post(reverse("mail:mailboxes"), {"address": "khong-phai-thu",
                                                      "agency": make_agency().code})
    assert response.status_code == 400
    assert "khong-phai-thu" in response.content.decode()
    assert not Mailbox.objects.exists()


def test_dkim_page_adds_and_disables_keys(make_agency: Any, make_user: Any) -> None:
    admin = signed_in(make_user(make_agency(), roles=[Role.PROVINCE_ADMIN]))
    keys = make_keypair()
    response = admin.post(reverse("mail:dkim"), {
        "domain": DOMAIN, "selector": "web1", "public_pem": keys.public_pem,
        "private_pem": keys.private_pem})
    assert response.status_code == 302
    key = DkimKey.objects.get(selector="web1")
    assert key.can_sign
    page = admin.get(reverse("mail:dkim")).content.decode()
    assert f"web1._domainkey.{DOMAIN}" in page
    assert "PRIVATE KEY" not in page
    admin.post(reverse("mail:dkim_disable", args=[key.pk]))
    key.refresh_from_db()
    assert not key.active


def test_a_clerk_is_refused(make_agency: Any, make_user: Any) -> None:
    """R20.1: only the province administrator manages mailboxes and keys."""
    agency = make_agency()
    clerk = signed_in(make_user(agency, roles=[Role.CLERK, Role.IT_OFFICER]))
    assert clerk.get(reverse("mail:mailboxes")).status_code == 403
    assert clerk.post(reverse("mail:mailboxes"), {"address": unique_address(),
                                                  "agency": agency.code}).status_code == 403
    assert clerk.get(reverse("mail:dkim")).status_code == 403
    assert not Mailbox.objects.exists()
