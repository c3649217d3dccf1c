"""Secrets at rest: AES-GCM under the master key, bound to their purpose (R14.3, R20.2)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from vanban.core import secretbox


@pytest.fixture(autouse=True)
def _fresh_key(tmp_path: Path) -> Iterator[None]:
    secretbox.forget_cached_key()
    with override_settings(KEYS_DIR=tmp_path / "keys", VANBAN_HOME=tmp_path,
                           VANBAN_MASTER_KEY="", VANBAN_MASTER_KEY_FILE=""):
        yield
    secretbox.forget_cached_key()


def test_round_trip_and_no_plaintext_in_the_stored_value() -> None:
    """R20.2: a TOTP secret is stored encrypted, never as itself."""
    sealed = secretbox.seal(b"JBSWY3DPEHPK3PXP", purpose="totp")
    assert secretbox.is_sealed(sealed)
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert secretbox.open_sealed(sealed, purpose="totp") == b"JBSWY3DPEHPK3PXP"
    assert secretbox.seal(b"x", purpose="totp") != secretbox.seal(b"x", purpose="totp")


def test_value_moved_to_another_purpose_or_edited_does_not_open() -> None:
    """R14.3: a ciphertext copied to another column or altered is refused."""
    sealed = secretbox.seal(b"secret", purpose="totp")
    with pytest.raises(secretbox.SecretBoxError):
        secretbox.open_sealed(sealed, purpose="audit-seal-key")
    raw = bytearray(base64.b64decode(sealed[len(secretbox.PREFIX):]))
    raw[-1] ^= 1
    with pytest.raises(secretbox.SecretBoxError):
        secretbox.open_sealed(secretbox.PREFIX + base64.b64encode(bytes(raw)).decode(),
                              purpose="totp")


def test_default_key_file_is_private_and_inside_home(tmp_path: Path) -> None:
    """The embedded default creates KEYS_DIR/master.key with mode 0600."""
    secretbox.seal(b"x", purpose="p")
    path = tmp_path / "keys" / "master.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert secretbox.master_key_inside_home()


def test_key_from_environment_and_a_missing_named_file(tmp_path: Path) -> None:
    """Production: the key from VANBAN_MASTER_KEY; a named key file that is absent is an error."""
    key = base64.b64encode(bytes(range(32))).decode()
    with override_settings(VANBAN_MASTER_KEY=key):
        secretbox.forget_cached_key()
        assert not secretbox.master_key_inside_home()
        sealed = secretbox.seal(b"x", purpose="p")
    secretbox.forget_cached_key()
    with override_settings(VANBAN_MASTER_KEY=key):
        assert secretbox.open_sealed(sealed, purpose="p") == b"x"
    secretbox.forget_cached_key()
    with override_settings(VANBAN_MASTER_KEY_FILE=str(tmp_path / "absent.key")), \
            pytest.raises(secretbox.SecretBoxError):
        secretbox.master_key()
