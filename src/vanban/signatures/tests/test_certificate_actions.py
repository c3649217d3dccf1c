"""R21.1: the province administrator issues, renews and revokes agency certificates from the
``/signatures/`` page; other roles see no forms and get 403 on the actions."""

from __future__ import annotations

import pytest
from cryptography import x509
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core.roles import Role
from vanban.signatures import pki, views
from vanban.signatures.models import AgencyCertificate, CertificateAuthority, CertStatus


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_every_crl_reason_has_a_label():
    """R21.1: the revoke form offers exactly the reasons the CRL can carry."""
    assert set(views.REASON_LABELS) == set(pki.REASONS)


def test_admin_issues_from_the_page(demo_pki, agency, admin, client):
    """R21.1: the administrator issues a certificate to an agency chosen from the directory."""
    client.force_login(admin)
    page = client.get("/signatures/").content.decode()
    assert 'data-testid="issue-form"' in page
    assert f'<option value="{agency.code}">' in page
    response = client.post("/signatures/issue/", {"agency": agency.code, "valid_days": "365"},
                           follow=True)
    row = AgencyCertificate.objects.get(agency=agency)
    assert row.status == CertStatus.ACTIVE
    assert (row.not_after - row.not_before).days == 365
    assert AuditEvent.objects.filter(action="signatures.certificate_issue",
                                     agency_code=agency.code, actor_id=admin.pk).exists()
    assert any("Đã cấp chứng thư số" in m for m in _messages(response))
    assert f'data-testid="renew-{row.pk}"' in response.content.decode()


def test_issue_errors_are_messages_in_the_page_language(demo_pki, agency, admin, client):
    """R21.1: a second issue while one is valid is refused with the service's message."""
    client.force_login(admin)
    client.post("/signatures/issue/", {"agency": agency.code})
    response = client.post("/signatures/issue/", {"agency": agency.code}, follow=True)
    assert "Cơ quan đã có chứng thư số còn hiệu lực; hãy gia hạn." in _messages(response)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/signatures/issue/", {"agency": agency.code, "valid_days": "x"},
                           follow=True)
    assert AgencyCertificate.objects.filter(agency=agency).count() == 1
    assert "Validity must be a number of days." in _messages(response)
    assert client.post("/signatures/999999/renew/").status_code == 404


def test_admin_renews_from_the_page(issued, admin, client, agency):
    """R21.1: renewal from the page supersedes the old certificate and issues a new one."""
    client.force_login(admin)
    response = client.post(f"/signatures/{issued.pk}/renew/", follow=True)
    issued.refresh_from_db()
    assert issued.status == CertStatus.REVOKED
    assert issued.revocation_reason == "superseded"
    new = AgencyCertificate.objects.get(agency=agency, status=CertStatus.ACTIVE)
    assert new.pk != issued.pk
    assert AuditEvent.objects.filter(action="signatures.certificate_renew",
                                     actor_id=admin.pk).exists()
    assert any("Đã gia hạn chứng thư số" in m for m in _messages(response))


def test_admin_revokes_with_reason_and_crl_lists_it(issued, admin, client, demo_pki):
    """R21.1: revocation with a reason (after confirming) republishes the CRL with the serial."""
    client.force_login(admin)
    page = client.get("/signatures/").content.decode()
    assert "Lộ khóa" in page
    assert 'name="confirm"' in page
    response = client.post(f"/signatures/{issued.pk}/revoke/",
                           {"reason": "key_compromise"}, follow=True)
    issued.refresh_from_db()
    assert issued.status == CertStatus.ACTIVE  # not confirmed: nothing happens
    assert "Hãy đánh dấu ô xác nhận trước khi thu hồi." in _messages(response)
    response = client.post(f"/signatures/{issued.pk}/revoke/",
                           {"reason": "key_compromise", "confirm": "1"}, follow=True)
    issued.refresh_from_db()
    assert issued.status == CertStatus.REVOKED
    assert issued.revocation_reason == "key_compromise"
    ca = CertificateAuthority.objects.get(pk=demo_pki.issuing.pk)
    crl = x509.load_der_x509_crl(bytes(ca.crl_der))
    entry = crl.get_revoked_certificate_by_serial_number(int(issued.serial))
    assert entry is not None
    assert any("Đã thu hồi chứng thư số" in m for m in _messages(response))
    assert "Lộ khóa" in response.content.decode()
    assert AuditEvent.objects.filter(action="signatures.certificate_revoke",
                                     actor_id=admin.pk).exists()


def test_revoke_refuses_unknown_reason(issued, admin, client):
    """R21.1: only the CRL reasons are accepted."""
    client.force_login(admin)
    response = client.post(f"/signatures/{issued.pk}/revoke/",
                           {"reason": "bored", "confirm": "1"}, follow=True)
    issued.refresh_from_db()
    assert issued.status == CertStatus.ACTIVE
    assert "Lý do thu hồi không hợp lệ." in _messages(response)


@pytest.mark.parametrize("role", [Role.CLERK, Role.HEAD])
def test_other_roles_see_no_forms_and_get_403(issued, agency, make_user, client, role):
    """R21.1: agency staff see no forms; every action URL answers 403 and changes nothing."""
    user = make_user(agency, roles=[role])
    client.force_login(user)
    page = client.get("/signatures/").content.decode()
    assert agency.code in page
    assert "issue-form" not in page
    assert "renew-" not in page
    assert "revoke-" not in page
    assert 'name="confirm"' not in page
    assert client.post("/signatures/issue/", {"agency": agency.code}).status_code == 403
    assert client.post("/signatures/issue/", {"agency": "nope"}).status_code == 403
    assert client.post(f"/signatures/{issued.pk}/renew/").status_code == 403
    assert client.post(f"/signatures/{issued.pk}/revoke/",
                       {"reason": "key_compromise", "confirm": "1"}).status_code == 403
    assert client.post("/signatures/999999/revoke/").status_code == 403
    issued.refresh_from_db()
    assert issued.status == CertStatus.ACTIVE
    assert AgencyCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="signatures.certificate_revoke.denied").exists()


def test_actions_need_post_and_csrf(issued, admin):
    """R21.1: the actions are POST only and CSRF-protected."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(f"/signatures/{issued.pk}/renew/").status_code == 405
    assert client.post(f"/signatures/{issued.pk}/revoke/",
                       {"reason": "unspecified", "confirm": "1"}).status_code == 403
    issued.refresh_from_db()
    assert issued.status == CertStatus.ACTIVE
    assert client.post("/signatures/999999/renew/").status_code == 403  # CSRF first
