"""The hub's Ed25519 key that signs tree heads, and its X.509 certificate (R7.2).

The private key lives in ``settings.KEYS_DIR / "evidence-hub.key"`` (PKCS#8 PEM, mode 0600),
made on first use; the certificate beside it (``evidence-hub.crt``) names the installation, so a
third party who receives a bundle sees who signed it and can pin it by its SHA-256 fingerprint.
Both files are written atomically (temp file linked into place): two processes racing on first
use end up with the first one's key.

The first certificate is self-signed. The provincial CA can then certify the same key
(``vanban cert certify-hub``, :func:`hub_certificate_install`): the certificate is replaced,
``evidence-hub-chain.pem`` holds its issuers (root last) and bundles carry them, so a relying
party trusts the province's root instead of pinning one hub certificate. The key does not
change, so every head signed before verifies as before; the replaced certificate is kept beside
(``evidence-hub-<fingerprint>.crt``).

Rotation (:func:`hub_key_rotate`) moves the key, its certificate and chain to
``evidence-hub-retired/<key id>.*`` and makes a new key; heads signed by a retired key keep
verifying with its kept certificate (:func:`certificates_by_key`), and until the new key has
signed a head of its own, bundles keep using the last head of the old one (the overlap).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from django.conf import settings

from vanban.core import clock, keyfiles

KEY_FILENAME = "evidence-hub.key"
CERT_FILENAME = "evidence-hub.crt"
CHAIN_FILENAME = "evidence-hub-chain.pem"
RETIRED_DIR = "evidence-hub-retired"  # <key id>.key / .crt / .chain.pem of rotated keys
CERT_YEARS = 20


@dataclass(frozen=True)
class HubKey:
    """The loaded key and certificate of this installation's evidence hub."""

    private_key: Ed25519PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()  # the issuers when a CA certified it, root last

    @property
    def certificate_pem(self) -> str:
        """The certificate as PEM text (what bundles carry)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def chain_pem(self) -> list[str]:
        """The issuers' certificates as PEM texts (empty: self-signed)."""
        return [c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain]

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the certificate's DER: what a relying party pins."""
        return hashlib.sha256(self.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()

    def sign(self, message: bytes) -> str:
        """Ed25519 signature of ``message``, base64."""
        return base64.b64encode(self.private_key.sign(message)).decode()


_cache: dict[Path, HubKey] = {}
_lock = threading.Lock()


def _new_certificate(key: Ed25519PrivateKey) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vanban"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Evidence hub"),
        x509.NameAttribute(NameOID.COMMON_NAME,
                           f"vanban evidence hub {settings.VANBAN_PUBLIC_URL}"[:64]),
    ])
    now = clock.now()
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, None)
    )


def _load(directory: Path) -> HubKey:
    key_path, cert_path = directory / KEY_FILENAME, directory / CERT_FILENAME
    if not key_path.exists():
        keyfiles.write_once(key_path, Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise TypeError(f"{key_path} is not an Ed25519 private key")
    key = loaded
    if not cert_path.exists():
        pem = _new_certificate(key).public_bytes(serialization.Encoding.PEM)
        keyfiles.write_once(cert_path, pem)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.public_key() != key.public_key():
        raise ValueError(f"{cert_path} does not belong to {key_path}")
    chain_path = directory / CHAIN_FILENAME
    chain = (tuple(x509.load_pem_x509_certificates(chain_path.read_bytes()))
             if chain_path.exists() and cert.issuer != cert.subject else ())
    return HubKey(private_key=key, certificate=cert, chain=chain)


chain_problem = keyfiles.chain_problem
_replace = keyfiles.replace
_pem = keyfiles.pem


def hub_key_rotate() -> tuple[HubKey, HubKey]:
    """Retire the current key (kept under ``evidence-hub-retired/<key id>``, certificate and
    chain beside) and make a new one, self-signed until the CA certifies it. Returns the old
    and the new key. The caller signs a last head with the old key first."""
    old = hub_key()
    directory = Path(settings.KEYS_DIR)
    retired = directory / RETIRED_DIR
    ident = _key_id(old.private_key)
    keyfiles.write_once(retired / f"{ident}.crt", _pem([old.certificate]))
    if old.chain:
        keyfiles.write_once(retired / f"{ident}.chain.pem", _pem(old.chain))
    with _lock:
        os.replace(directory / KEY_FILENAME, retired / f"{ident}.key")
        (directory / CERT_FILENAME).unlink(missing_ok=True)
        (directory / CHAIN_FILENAME).unlink(missing_ok=True)
        _cache.pop(directory, None)
    return old, hub_key()


def _key_id(key: Ed25519PrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class KnownCertificate:
    """The certificate (and chain) of a hub key, current or retired."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def certificate_pem(self) -> str:
        """PEM text."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def chain_pem(self) -> list[str]:
        """The issuers as PEM texts."""
        return [c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain]


def certificates_by_key() -> dict[str, KnownCertificate]:
    """Every hub key's certificate by key id: the current one and the retired ones."""
    current = hub_key()
    known = {_key_id(current.private_key): KnownCertificate(current.certificate, current.chain)}
    retired = Path(settings.KEYS_DIR) / RETIRED_DIR
    for path in sorted(retired.glob("*.crt")) if retired.is_dir() else []:
        chain_path = path.with_suffix(".chain.pem")
        chain = (tuple(x509.load_pem_x509_certificates(chain_path.read_bytes()))
                 if chain_path.exists() else ())
        known.setdefault(path.stem, KnownCertificate(
            x509.load_pem_x509_certificate(path.read_bytes()), chain))
    return known


def hub_certificate_install(cert: x509.Certificate, chain: list[x509.Certificate]) -> HubKey:
    """Install a CA-issued certificate of the hub's (unchanged) key with its issuers. Refuses a
    certificate of another key or one the chain does not issue; keeps the replaced one."""
    current = hub_key()
    if cert.public_key() != current.private_key.public_key():
        raise ValueError("the certificate is not of the evidence hub's key")
    problem = chain_problem(cert, chain)
    if problem:
        raise ValueError(f"the chain does not issue the certificate: {problem}")
    directory = Path(settings.KEYS_DIR)
    keyfiles.write_once(directory / f"evidence-hub-{current.fingerprint[:16]}.crt",
                        current.certificate.public_bytes(serialization.Encoding.PEM))
    _replace(directory / CHAIN_FILENAME, _pem(chain))
    _replace(directory / CERT_FILENAME, cert.public_bytes(serialization.Encoding.PEM))
    with _lock:
        _cache.pop(directory, None)
    return hub_key()


def hub_key() -> HubKey:
    """This installation's hub key and certificate, created on first use, cached per process."""
    directory = Path(settings.KEYS_DIR)
    with _lock:
        cached = _cache.get(directory)
        if cached is None or not (directory / KEY_FILENAME).exists():
            cached = _cache[directory] = _load(directory)
        return cached
