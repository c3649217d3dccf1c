"""X.509 building blocks with ``cryptography``: CA and leaf certificates, CRLs, chain checks.

Pure Python: no Django import, so the CA logic can be tested and reasoned about on its own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

RSA_BITS = 2048
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


def new_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key (what Vietnamese agency certificates use)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, hex."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def to_pem(cert: x509.Certificate) -> str:
    """The certificate as PEM text."""
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def load_pems(data: bytes | str) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle (or one DER certificate)."""
    raw = data.encode() if isinstance(data, str) else data
    if b"-----BEGIN" in raw:
        return x509.load_pem_x509_certificates(raw)
    return [x509.load_der_x509_certificate(raw)]


def name(*, common_name: str, organization: str = "", unit: str = "",
         serial_number: str = "") -> x509.Name:
    """A subject with C=VN, the province, the organisation and (for agencies) their code."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Bắc Giang")]
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    if serial_number:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attrs)


@dataclass(frozen=True)
class Issuer:
    """The CA that signs: its certificate, key and the URL where its CRL is published."""

    cert: x509.Certificate
    key: Key
    crl_url: str = ""


def _builder(subject: x509.Name, public_key: PublicKey, issuer_name: x509.Name, *,
             now: datetime, days: int) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _finish(builder: x509.CertificateBuilder, issuer: Issuer | None, self_key: Key) -> \
        x509.Certificate:
    if issuer is None:
        return builder.sign(self_key, hashes.SHA256())
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
        critical=False)
    if issuer.crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(issuer.crl_url)], relative_name=None,
            reasons=None, crl_issuer=None)]), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def make_ca(*, subject: x509.Name, key: Key, issuer: Issuer | None, now: datetime,
            days: int) -> x509.Certificate:
    """A CA certificate: self-signed when ``issuer`` is None (a root)."""
    builder = _builder(subject, key.public_key(),
                       issuer.cert.subject if issuer else subject, now=now, days=days)
    builder = (builder.add_extension(x509.BasicConstraints(ca=True, path_length=None if issuer
                                                           is None else 0), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=False, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=True,
                   crl_sign=True, encipher_only=False, decipher_only=False), critical=True))
    return _finish(builder, issuer, key)


def make_tsa(*, subject: x509.Name, key: Key, issuer: Issuer, now: datetime,
             days: int) -> x509.Certificate:
    """A time-stamping certificate (RFC 3161 requires the critical timeStamping EKU)."""
    builder = (_builder(subject, key.public_key(), issuer.cert.subject, now=now, days=days)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, content_commitment=True, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=False,
                   crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                              critical=True))
    return _finish(builder, issuer, key)


def make_leaf(*, subject: x509.Name, public_key: PublicKey, issuer: Issuer, now: datetime,
              days: int) -> x509.Certificate:
    """An agency's signing certificate: digitalSignature + nonRepudiation, not a CA."""
    builder = (_builder(subject, public_key, issuer.cert.subject, now=now, days=days)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=True, content_commitment=True, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=False,
                   crl_sign=False, encipher_only=False, decipher_only=False), critical=True))
    return _finish(builder, issuer, issuer.key)


@dataclass(frozen=True)
class RevokedEntry:
    """One line of a CRL."""

    serial: int
    revoked_at: datetime
    reason: str


def make_crl(*, issuer: Issuer, revoked: list[RevokedEntry], number: int, now: datetime,
             next_update: datetime) -> bytes:
    """A DER CRL signed by ``issuer``."""
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
               .last_update(now - timedelta(minutes=5)).next_update(next_update)
               .add_extension(x509.CRLNumber(number), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.key.public_key()), critical=False))
    for entry in revoked:
        item = (x509.RevokedCertificateBuilder().serial_number(entry.serial)
                .revocation_date(entry.revoked_at))
        flag = REASONS.get(entry.reason, x509.ReasonFlags.unspecified)
        if flag is not x509.ReasonFlags.unspecified:
            item = item.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer`` signed ``cert`` (names match and the signature verifies)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):  # wrong key type or bad signature
        return False
    return True


def chain_to(cert: x509.Certificate, *, anchors: list[x509.Certificate],
             intermediates: list[x509.Certificate]) -> list[x509.Certificate] | None:
    """The path from ``cert`` up to one of ``anchors`` (excluding ``cert``), or None."""
    path: list[x509.Certificate] = []
    current = cert
    for _ in range(8):
        for anchor in anchors:
            if issued_by(current, anchor):
                return [*path, anchor]
        parent = next((c for c in intermediates if issued_by(current, c)), None)
        if parent is None or parent in path:
            return None
        path.append(parent)
        current = parent
    return None


def public_keys_match(cert: x509.Certificate, key: Key) -> bool:
    """Whether ``key`` is the private half of ``cert``'s public key."""
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return cert.public_key().public_bytes(enc, fmt) == key.public_key().public_bytes(enc, fmt)
