"""``vanban mail mailbox …`` and ``vanban mail check`` against the real servers."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from vanban.mail.tests.conftest import DOMAIN
from vanban.mail.tests.servers import MailServers, free_port, unique_address

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("mail", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_mailbox_commands(mail_settings: MailServers, make_agency: Any, make_user: Any) -> None:
    """R13.1: create prints the password once, list never shows it, disable stops the login."""
    agency = make_agency(code="000.00.31.H06")
    user = make_user(agency, username="cb.thu")
    clerk_address = unique_address("vt", DOMAIN)
    out, _ = run("mailbox", "create", clerk_address, "--agency", "000.00.31.H06")
    password = out.strip().splitlines()[-1].rsplit(": ", 1)[1]
    mail_settings.wait_login(clerk_address, password)
    run("mailbox", "create", unique_address("cb", DOMAIN), "--user", "cb.thu")
    out, _ = run("mailbox", "list", "--json")
    rows = json.loads(out)
    assert {row["owner"] for row in rows} == {"000.00.31.H06", user.username}
    assert password not in out
    run("mailbox", "disable", clerk_address)
    mail_settings.wait_login(clerk_address, password, expect=False)
    with pytest.raises(CommandError) as refused:
        run("mailbox", "create", unique_address(), "--agency", "999.99.99.H99")
    assert refused.value.returncode == 2


def test_check_passes_against_the_servers(mail_settings: MailServers, make_agency: Any) -> None:
    """``vanban mail check`` logs in over IMAP and SMTP with a clerk mailbox: exit 0."""
    from vanban.mail.services import mailbox_create

    created = mailbox_create(actor=None, address=unique_address("vt", DOMAIN),
                             agency=make_agency())
    mail_settings.wait_login(created.mailbox.address, created.password)
    out, err = run("check")
    assert "is writable" in out
    assert "IMAP" in out
    assert "DSN" in out
    assert err == ""


def test_check_says_what_is_wrong(mail_settings: MailServers, make_agency: Any) -> None:
    """Exit 1 with the reason in plain words: a refused connection, a wrong password, no
    STARTTLS where the settings ask for it."""
    from vanban.core.secretbox import seal
    from vanban.mail.models import Mailbox
    from vanban.mail.services import PURPOSE, mailbox_create

    created = mailbox_create(actor=None, address=unique_address("vt", DOMAIN),
                             agency=make_agency())
    mail_settings.wait_login(created.mailbox.address, created.password)
    with override_settings(VANBAN_MAIL_SMTP_PORT=free_port(), VANBAN_MAIL_IMAP_PORT=free_port()):
        err = _failed("check")
    assert "từ chối kết nối" in err
    assert "refused the connection" in err
    with override_settings(VANBAN_MAIL_SMTP_STARTTLS=True):
        assert "STARTTLS" in _failed("check")
    Mailbox.objects.filter(pk=created.mailbox.pk).update(
        credential=seal(b"sai-mat-khau", purpose=PURPOSE))
    err = _failed("check", "--mailbox", created.mailbox.address)
    assert "wrong password" in err


def _failed(*args: str) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("mail", *args, stdout=out, stderr=err)
    assert failed.value.returncode == 1
    return err.getvalue()


def test_a_provisioning_outage_exits_1_with_a_plain_message(make_agency: Any,
                                                           tmp_path: Path) -> None:
    """R13.1: the mail system's account file cannot be written: exit 1 (the action failed,
    not a usage error) with the reason in Vietnamese and English; an unknown agency stays 2."""
    make_agency(code="000.00.32.H06")
    broken = tmp_path / "passwd"
    broken.mkdir()  # a folder where the account file should be: every write fails
    with override_settings(VANBAN_MAIL_PROVISIONER="dovecot",
                           VANBAN_MAIL_PASSWD_FILE=str(broken)), \
            pytest.raises(CommandError) as failed:
        run("mailbox", "create", unique_address(), "--agency", "000.00.32.H06")
    assert failed.value.returncode == 1
    assert "Dovecot" in str(failed.value)
    assert "Traceback" not in str(failed.value)
    with override_settings(VANBAN_MAIL_PROVISIONER=""), pytest.raises(CommandError) as off:
        run("mailbox", "create", unique_address(), "--agency", "000.00.32.H06")
    assert off.value.returncode == 1
    with pytest.raises(CommandError) as usage:
        run("mailbox", "create", unique_address(), "--agency", "999.99.99.H99")
    assert usage.value.returncode == 2
