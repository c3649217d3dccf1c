"""R14.3: ``vanban audit verify|seal|export-key`` for operators and third parties."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection

from vanban.audit import keys, triggers
from vanban.audit.models import AuditEvent, AuditSeal
from vanban.audit.tests.conftest import run_command

Fill = Callable[..., list[AuditEvent]]




def test_verify_intact_exits_zero(fill: Fill) -> None:
    """R14.3: an intact log: exit 0 with a message in Vietnamese and English."""
    fill(7)
    code, out, _ = run_command("audit", "verify")
    assert code == 0
    assert "nguyên vẹn" in out
    assert "intact" in out


def test_verify_tampered_exits_one_naming_event(fill: Fill) -> None:
    """R14.3: a tampered log: exit 1 naming the first bad event, in both languages."""
    fill(7)
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = '999' WHERE seq = 3")
    triggers.install(connection)
    code, _, err = run_command("audit", "verify")
    assert code == 1
    assert "Sự kiện #3 đã bị sửa" in err
    assert "Event #3 was altered" in err
    code, out, _ = run_command("audit", "verify", "--json")
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    assert report["failure"]["seq"] == 3
    assert report["failure"]["kind"] == "altered"


def test_verify_json_intact(fill: Fill) -> None:
    """R14.3: ``--json`` gives a machine-readable report."""
    fill(6)
    code, out, _ = run_command("audit", "verify", "--json")
    report = json.loads(out)
    assert (code, report["ok"], report["count"], report["seals"]) == (0, True, 6, 1)
    assert report["failure"] is None


def test_seal_command(fill: Fill) -> None:
    """R14.3: ``vanban audit seal`` signs the current head."""
    fill(2, seal_every=0)
    code, out, _ = run_command("audit", "seal")
    assert code == 0
    assert "#3" in out
    assert AuditSeal.objects.get().seq == 3


def test_third_party_verifies_with_exported_key(fill: Fill, tmp_path: Path) -> None:
    """R14.3: the exported public key is all a third party needs; another key fails."""
    fill(6)
    exported = tmp_path / "audit-seal.pub"
    code, out, _ = run_command("audit", "export-key", "--output", str(exported))
    assert code == 0
    assert keys.key_id() in out
    assert exported.read_text() == keys.public_key_pem()
    assert run_command("audit", "verify", "--public-key", str(exported))[0] == 0
    other = tmp_path / "other.pub"
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    code, _, err = run_command("audit", "verify", "--public-key", str(other))
    assert code == 1
    assert "#5" in err


def test_export_key_to_stdout(db: None) -> None:
    """R14.3: without ``--output`` the PEM goes to standard output."""
    code, out, _ = run_command("audit", "export-key")
    assert code == 0
    assert out.startswith("-----BEGIN PUBLIC KEY-----")


def test_bad_key_file_is_an_error(db: None, tmp_path: Path) -> None:
    """R14.3: an unreadable key file is reported, not a crash."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("audit", "verify", "--public-key", str(tmp_path / "missing.pem"))
