"""R14.3: the seal key held in a PKCS#11 token (SoftHSM2 here): made on the token, never
extractable, the same key in every process, and its seals verify with the exported public key.

Each check runs in a fresh process: SoftHSM2 reads ``SOFTHSM2_CONF`` once per process, and the
test must not share a token store with other tests of the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SCRIPT = r"""
import json, sys
from django.conf import settings
settings.configure(KEYS_DIR=sys.argv[1], VANBAN_HOME=sys.argv[1], VANBAN_MASTER_KEY="",
                   VANBAN_MASTER_KEY_FILE="", VANBAN_AUDIT_SEAL_PKCS11_MODULE=sys.argv[2],
                   VANBAN_AUDIT_SEAL_PKCS11_TOKEN="seal", VANBAN_AUDIT_SEAL_PKCS11_PIN="2468")
from pkcs11 import Attribute
from vanban.audit import chain, keys, tokenkey
message = chain.seal_message(seq=7, head_hash="ab" * 32, at_iso="2026-03-02T01:30:00+00:00")
signature = keys.sign(message)
with tokenkey._session() as session:
    private = tokenkey._keys(session)[1]
    extractable = bool(private[Attribute.EXTRACTABLE])
print(json.dumps({"key_id": keys.key_id(), "pem": keys.public_key_pem(),
                  "valid": keys.signature_valid(keys.public_key(), signature, message),
                  "extractable": extractable, "signature": signature,
                  "file": (__import__("pathlib").Path(sys.argv[1]) / keys.KEY_FILENAME).exists()}))
"""


@pytest.fixture
def token(tmp_path: Path) -> dict[str, str]:
    """A private SoftHSM2 store with one initialised token labelled ``seal``."""
    if not Path(MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is not installed: run ./scripts/setup as root (Debian softhsm2)")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n"
                    "objectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "seal", "--pin",
                    "2468", "--so-pin", "97531"], check=True, capture_output=True, env=env,
                   timeout=60)
    return env


def _run(env: dict[str, str], keys_dir: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(keys_dir), MODULE], env=env,
                          check=True, capture_output=True, text=True, timeout=120)
    value = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(value, dict)
    return value


def test_seal_key_on_token(token: dict[str, str], tmp_path: Path) -> None:
    """R14.3: with a token configured the seal key is generated there, not extractable, not
    written to KEYS_DIR, the same in a second process, and its signatures verify."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from vanban.audit import chain, keys

    keys_dir = tmp_path / "keys"
    first = _run(token, keys_dir)
    second = _run(token, keys_dir)
    assert first["valid"] is True
    assert first["extractable"] is False
    assert first["file"] is False
    assert first["key_id"] == second["key_id"]
    public = keys.load_public_key(str(first["pem"]).encode())
    assert isinstance(public, Ed25519PublicKey)
    assert keys.key_id(public) == first["key_id"]
    message = chain.seal_message(seq=7, head_hash="ab" * 32, at_iso="2026-03-02T01:30:00+00:00")
    assert keys.signature_valid(public, str(second["signature"]), message)
    assert not keys.signature_valid(public, str(second["signature"]), message + b"x")
