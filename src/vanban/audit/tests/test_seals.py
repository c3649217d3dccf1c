"""R14.3: the installation seal key and the signed checkpoints of the chain."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.test import override_settings

from vanban.audit import chain, keys
from vanban.audit.models import AuditEvent, AuditHead, AuditSeal
from vanban.audit.services import audit_seal
from vanban.core.errors import Forbidden
from vanban.core.roles import Role

Fill = Callable[..., list[AuditEvent]]


def test_key_created_once_private_to_owner(tmp_path: Path) -> None:
    """R14.3: the seal key is made on first use, mode 0600, and reused afterwards."""
    with override_settings(KEYS_DIR=tmp_path / "keys"):
        first = keys.key_id()
        path = keys.key_path()
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        keys.forget_cached_key()  # a new process reads the same file
        assert keys.key_id() == first


def test_key_id_is_sha256_of_public_key_der(db: None) -> None:
    """R14.3: third parties recompute the key id from the exported PEM alone."""
    pem = keys.public_key_pem()
    der = serialization.load_pem_public_key(pem.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert hashlib.sha256(der).hexdigest() == keys.key_id()


def test_append_seals_every_n_events(fill: Fill) -> None:
    """R14.3: every VANBAN_AUDIT_SEAL_EVERY-th append signs the head in the same transaction."""
    events = fill(9, seal_every=4)
    seals = list(AuditSeal.objects.all())
    assert [s.seq for s in seals] == [4, 8]
    for seal in seals:
        assert seal.hash == events[seal.seq - 1].hash
        assert seal.key_id == keys.key_id()
        message = chain.seal_message(seq=seal.seq, head_hash=seal.hash,
                                     at_iso=chain.iso_utc(seal.at))
        assert keys.signature_valid(keys.public_key(), seal.signature, message)
        assert not keys.signature_valid(keys.public_key(), seal.signature, message + b"x")


def test_sealing_disabled_with_zero(fill: Fill) -> None:
    """R14.3: VANBAN_AUDIT_SEAL_EVERY=0 turns periodic seals off (manual seals still work)."""
    fill(5, seal_every=0)
    assert not AuditSeal.objects.exists()


def test_manual_seal_records_who_and_signs_head(fill: Fill) -> None:
    """R14.3: ``audit_seal`` appends an ``audit.seal`` event and seals exactly that head."""
    fill(3, seal_every=0)
    seal = audit_seal(actor=None)
    head = AuditHead.objects.get()
    assert (seal.seq, seal.hash) == (head.seq, head.hash) == (4, head.hash)
    assert AuditEvent.objects.get(seq=4).action == "audit.seal"


def test_manual_seal_on_periodic_seal_is_one_seal(fill: Fill) -> None:
    """R14.3: when the seal event itself falls on the period, there is still one seal."""
    fill(3, seal_every=0)
    with override_settings(VANBAN_AUDIT_SEAL_EVERY=4):
        seal = audit_seal(actor=None)
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == [seal.seq] == [4]


def test_seal_needs_admin_or_it(make_agency: Callable[..., object],
                                make_user: Callable[..., object]) -> None:
    """R14.3: a clerk may not seal; the province administrator and IT officers may."""
    agency = make_agency()
    with pytest.raises(Forbidden):
        audit_seal(actor=make_user(agency, roles=[Role.CLERK]))  # type: ignore[arg-type]
    seal = audit_seal(actor=make_user(agency, roles=[Role.IT_OFFICER]))  # type: ignore[arg-type]
    assert AuditEvent.objects.get(seq=seal.seq).actor_username
