"""Mailboxes of the provincial mail system, provisioned into a real Dovecot (R13.1, R20.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.core.roles import Role
from vanban.core.secretbox import open_sealed
from vanban.directory.models import Agency
from vanban.mail import services
from vanban.mail.models import Mailbox
from vanban.mail.passwd_file import PasswdFile
from vanban.mail.provisioning import ProvisioningUnavailable
from vanban.mail.tests.conftest import DOMAIN
from vanban.mail.tests.servers import MailServers, unique_address

pytestmark = pytest.mark.django_db


def test_created_mailbox_logs_in_over_imap_and_disabled_one_does_not(
        mail_settings: MailServers, make_agency: Any, make_user: Any) -> None:
    """R13.1, R20.1: the province administrator creates an agency's clerk mailbox; Dovecot lets
    it log in with the password shown once; once disabled, the same password is refused."""
    agency = make_agency()
    admin = make_user(make_agency(), roles=[Role.PROVINCE_ADMIN])
    address = unique_address("vanthu", DOMAIN)
    created = services.mailbox_create(actor=admin, address=address, agency=agency)
    mail_settings.wait_login(address, created.password)
    agency.refresh_from_db()
    assert agency.mailbox == address
    assert AuditEvent.objects.filter(action="mail.mailbox_created", object_id=address).exists()
    services.mailbox_disable(actor=admin, mailbox=created.mailbox)
    mail_settings.wait_login(address, created.password, expect=False)
    assert not Mailbox.objects.get(address=address).active
    with pytest.raises(Exception, match="active mailbox"):
        services.mailbox_credentials(address)


def test_password_is_sealed_at_rest_and_read_only_by_the_gateway(
        mail_settings: MailServers, make_agency: Any) -> None:
    """R20.1: the credential in the database is encrypted (bound to its purpose), the Dovecot
    file holds only a salted hash, and the gateway gets the password back."""
    address = unique_address("vanthu", DOMAIN)
    created = services.mailbox_create(actor=None, address=address, agency=make_agency())
    row = Mailbox.objects.get(pk=created.mailbox.pk)
    assert created.password not in row.credential
    assert row.credential.startswith("vbx1:")
    assert open_sealed(row.credential, purpose=services.PURPOSE).decode() == created.password
    with pytest.raises(Exception, match="decrypt"):
        open_sealed(row.credential, purpose="mail.dkim")
    assert created.password not in mail_settings.passwd_file.read_text()
    assert services.mailbox_credentials(address.upper()) == (address, created.password)


def test_personal_mailbox_names_the_staff_member(mail_settings: MailServers, make_agency: Any,
                                                 make_user: Any) -> None:
    """R13.1: a staff member's own mailbox is written to the directory beside the agency's."""
    agency = make_agency()
    user = make_user(agency)
    address = unique_address("canbo", DOMAIN)
    created = services.mailbox_create(actor=None, address=address, agency=agency, user=user)
    user.refresh_from_db()
    assert user.mailbox == address
    assert created.mailbox.kind == "personal"
    assert services.clerk_mailboxes() == []


def test_only_the_province_administrator_creates_mailboxes(
        mail_settings: MailServers, make_agency: Any, make_user: Any) -> None:
    """R20.1: a clerk cannot create a mailbox; nothing is written anywhere."""
    agency = make_agency()
    clerk = make_user(agency, roles=[Role.CLERK])
    address = unique_address("vanthu", DOMAIN)
    with pytest.raises(Forbidden):
        services.mailbox_create(actor=clerk, address=address, agency=agency)
    assert not Mailbox.objects.exists()
    assert PasswdFile(mail_settings.passwd_file).get(address) is None


def test_address_of_another_agency_and_second_clerk_mailbox_refused(
        mail_settings: MailServers, make_agency: Any) -> None:
    first = make_agency(mailbox="chung@vanban.test")
    second = make_agency()
    with pytest.raises(Conflict):
        services.mailbox_create(actor=None, address="chung@vanban.test", agency=second)
    services.mailbox_create(actor=None, address=unique_address(), agency=first)
    with pytest.raises(Conflict):
        services.mailbox_create(actor=None, address=unique_address(), agency=first)


@pytest.mark.parametrize("address", ["van#thu@vanban.test", "van:thu@vanban.test"])
def test_an_address_the_account_file_cannot_hold_is_refused(mail_settings: MailServers,
                                                            make_agency: Any,
                                                            address: str) -> None:
    """R13.1: "#" and ":" are valid in a mail address but end a passwd-file field or start a
    comment: refused with a bilingual reason, never a server error, nothing stored."""
    with pytest.raises(ValidationFailed) as err:
        services.mailbox_create(actor=None, address=address, agency=make_agency())
    assert err.value.code == "mail_address_invalid"
    assert not Mailbox.objects.exists()


def test_mail_system_down_stores_nothing(make_agency: Any, tmp_path: Any) -> None:
    """A provisioning failure rolls the row and its audit event back (nothing half-made)."""
    agency: Agency = make_agency()
    broken = tmp_path / "passwd"
    broken.mkdir()  # a folder where the account file should be: every write fails
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot",
                           VANBAN_MAIL_PASSWD_FILE=str(broken)), \
            pytest.raises(ProvisioningUnavailable):
        services.mailbox_create(actor=None, address=unique_address(), agency=agency)
    with override_settings(VANBAN_MAIL_PROVISIONER=""), pytest.raises(ProvisioningUnavailable):
        services.mailbox_create(actor=None, address=unique_address(), agency=agency)
    assert not Mailbox.objects.exists()
    assert not AuditEvent.objects.filter(action="mail.mailbox_created").exists()


def test_the_account_file_is_not_world_readable(make_agency: Any, tmp_path: Any) -> None:
    """R13.1: the passwd-file holds password hashes: written 0640, keeping the group Dovecot
    reads it with (the existing file's, or the one the settings name)."""
    import grp
    import os
    import stat

    path = tmp_path / "passwd"
    path.write_text("")
    path.chmod(0o644)  # as the gateway once left it
    gid = os.getgid()
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot", VANBAN_MAIL_PASSWD_FILE=str(path)):
        services.mailbox_create(actor=None, address=unique_address(), agency=make_agency())
    info = path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640
    assert info.st_gid == gid
    group = grp.getgrgid(gid).gr_name
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot", VANBAN_MAIL_PASSWD_FILE=str(path),
                           VANBAN_MAIL_PASSWD_GROUP=group):
        services.mailbox_create(actor=None, address=unique_address(), agency=make_agency())
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot", VANBAN_MAIL_PASSWD_FILE=str(path),
                           VANBAN_MAIL_PASSWD_GROUP="khong-co-nhom-nay"), \
            pytest.raises(ProvisioningUnavailable):
        services.mailbox_create(actor=None, address=unique_address(), agency=make_agency())
