"""The hub's Ed25519 key that signs tree heads, and its self-signed X.509 certificate (R7.2).

The private key lives in ``settings.KEYS_DIR / "evidence-hub.key"`` (PKCS#8 PEM, mode 0600),
made on first use; the certificate beside it (``evidence-hub.crt``) names the installation, so a
third party who receives a bundle sees who signed it and can pin it by its SHA-256 fingerprint.
Both files are written atomically (temp file linked into place): two processes racing on first
use end up with the first one's key.
"""

from __future__ import annotations

import base64
import hashlib
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
CERT_YEARS = 20


@dataclass(frozen=True)
class HubKey:
    """The loaded key and certificate of this installation's evidence hub."""

    private_key: Ed25519PrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> str:
        """The certificate as PEM text (what bundles carry)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

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
    return HubKey(private_key=key, certificate=cert)


def hub_key() -> HubKey:
    """This installation's hub key and certificate, created on first use, cached per process."""
    directory = Path(settings.KEYS_DIR)
    with _lock:
        cached = _cache.get(directory)
        if cached is None or not (directory / KEY_FILENAME).exists():
            cached = _cache[directory] = _load(directory)
        return cached
