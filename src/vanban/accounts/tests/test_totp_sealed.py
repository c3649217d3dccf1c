"""TOTP secrets are stored sealed under the master key (R14.3, R20.2; issue 9 case 7), and the
migration seals secrets an older installation kept in clear."""

from __future__ import annotations

import importlib

import pyotp
import pytest
from django.apps import apps
from django.db import connection

from vanban.accounts import services
from vanban.accounts.models import TOTP_PURPOSE, TOTPDevice, User
from vanban.accounts.tests.conftest import code_for
from vanban.core.secretbox import SecretBoxError, is_sealed, open_sealed, seal

pytestmark = pytest.mark.django_db


def _stored(device: TOTPDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_secret FROM accounts_totpdevice WHERE id = %s",
                       [device.pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


class _Editor:
    """What the data migration reads of its schema editor: the connection (a real schema
    editor cannot open inside the test's transaction on SQLite)."""

    connection = connection


def test_enrolled_secret_is_sealed(clerk_x: User) -> None:
    """R14.3 (issue 9 case 7): the database holds no clear TOTP secret; codes still work."""
    device = services.totp_enrol_start(user=clerk_x)
    stored = _stored(device)
    assert is_sealed(stored)
    assert device.secret not in stored
    assert open_sealed(stored, purpose=TOTP_PURPOSE).decode() == device.secret
    with pytest.raises(SecretBoxError):
        open_sealed(stored, purpose="another.purpose")
    services.totp_enrol_confirm(user=clerk_x, code=code_for(device))
    assert services.has_confirmed_device(clerk_x)


def test_migration_seals_plain_secrets(clerk_x: User) -> None:
    """R14.3: the data migration encrypts a secret stored in clear by an older version, and
    leaves sealed ones alone."""
    plain = pyotp.random_base32()
    device = TOTPDevice(user=clerk_x, created_at=clerk_x.date_joined)
    device.sealed_secret = plain  # as an older installation stored it
    device.save()
    already = seal(b"JBSWY3DPEHPK3PXP", purpose=TOTP_PURPOSE)
    migration = importlib.import_module("vanban.accounts.migrations.0003_security_hardening")
    migration.seal_totp_secrets(apps, _Editor())
    stored = _stored(device)
    assert is_sealed(stored)
    assert plain not in stored
    device.refresh_from_db()
    assert device.secret == plain
    device.sealed_secret = already
    device.save()
    migration.seal_totp_secrets(apps, _Editor())
    assert _stored(device) == already
