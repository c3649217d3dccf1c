"""The audit seal key's certificate by the provincial CA, kept beside the key (R14.3, R7.2).

A checkpoint signed by a bare key can only be trusted by pinning that key. Once the provincial
issuing CA certified it (``vanban cert certify-seal``, in the signatures app, which calls
:func:`install`), the certificate lies in ``KEYS_DIR / "audit-seal.crt"`` with its issuers in
``audit-seal-chain.pem`` (root last), both replaced atomically, and every checkpoint exported
afterwards carries them (:func:`current`). Only the public key is needed, so a key on a PKCS#11
token is certified the same way as the sealed file key.

A replaced certificate (renewed, or of the older key after the key moved to a token) is kept,
written once, under ``audit-seal-certs/<key id>-<fingerprint>.crt`` with its chain beside:
:func:`certificates_by_key` still knows the older key's certificate, so what it signed keeps its
chain. This module only reads and stores files; it imports nothing above the audit app.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from vanban.audit import keys
from vanban.core import keyfiles

CERT_FILENAME = "audit-seal.crt"
CHAIN_FILENAME = "audit-seal-chain.pem"
KEPT_DIR = "audit-seal-certs"


@dataclass(frozen=True)
class SealCertificate:
    """A certificate of a seal key with its issuers (root last)."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def key_id(self) -> str:
        """The certified key's id (as in seals and checkpoints); '' for a non-Ed25519 key."""
        key = self.certificate.public_key()
        return keys.key_id(key) if isinstance(key, Ed25519PublicKey) else ""

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the certificate's DER."""
        return hashlib.sha256(self.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()

    @property
    def certificate_pem(self) -> str:
        """The certificate as PEM text (what checkpoints carry)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def chain_pem(self) -> tuple[str, ...]:
        """The issuers as PEM texts."""
        return tuple(c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain)


def _dir() -> Path:
    return Path(settings.KEYS_DIR)


def _read(cert_path: Path, chain_path: Path) -> SealCertificate | None:
    """The certificate at ``cert_path`` with its chain, or None when missing or when the chain
    does not issue it (a reader caught between the two atomic replacements)."""
    if not cert_path.exists() or not chain_path.exists():
        return None
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    chain = x509.load_pem_x509_certificates(chain_path.read_bytes())
    if keyfiles.chain_problem(cert, chain):
        return None
    return SealCertificate(cert, tuple(chain))


def stored() -> SealCertificate | None:
    """The certificate kept beside the seal key, whatever key it certifies."""
    return _read(_dir() / CERT_FILENAME, _dir() / CHAIN_FILENAME)


def current() -> SealCertificate | None:
    """The certificate of the key that seals now (None: not certified yet, or the certificate
    kept is of the older key, the key having moved to a token since)."""
    found = stored()
    return found if found is not None and found.key_id == keys.key_id() else None


def certificates_by_key() -> dict[str, SealCertificate]:
    """Every kept certificate of a seal key by key id: the one beside the key first, then the
    replaced ones (the latest expiring first for a key certified more than once)."""
    found = stored()
    known = {found.key_id: found} if found is not None else {}
    kept = _dir() / KEPT_DIR
    older = [_read(path, path.with_suffix(".chain.pem"))
             for path in (sorted(kept.glob("*.crt")) if kept.is_dir() else [])]
    for item in sorted((o for o in older if o is not None),
                       key=lambda o: o.certificate.not_valid_after_utc, reverse=True):
        known.setdefault(item.key_id, item)
    return known


def install(cert: x509.Certificate, chain: list[x509.Certificate]) -> SealCertificate:
    """Keep a CA-issued certificate of the current seal key with its issuers. Refuses a
    certificate of another key or one the chain does not issue; the replaced one is kept."""
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey) or keys.key_id(key) != keys.key_id():
        raise ValueError("the certificate is not of the audit seal key")
    problem = keyfiles.chain_problem(cert, chain)
    if problem:
        raise ValueError(f"the chain does not issue the certificate: {problem}")
    previous = stored()
    if previous is not None:
        name = f"{previous.key_id[:16]}-{previous.fingerprint[:16]}"
        kept = _dir() / KEPT_DIR
        keyfiles.write_once(kept / f"{name}.chain.pem", keyfiles.pem(previous.chain))
        keyfiles.write_once(kept / f"{name}.crt", keyfiles.pem([previous.certificate]))
    keyfiles.replace(_dir() / CHAIN_FILENAME, keyfiles.pem(chain))
    keyfiles.replace(_dir() / CERT_FILENAME, keyfiles.pem([cert]))
    installed = current()
    if installed is None:  # pragma: no cover - written just above
        raise ValueError("the certificate could not be read back")
    return installed
