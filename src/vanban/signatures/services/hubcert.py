"""The provincial CA certifies the evidence hub's key (R7.2, R12.1; docs/evidence.md).

A self-signed hub certificate can only be trusted by pinning its fingerprint, bundle after
bundle. Certified by the provincial issuing CA, the hub key is trusted the way agency
signatures are: through the province's root, which a relying party already holds. The key
itself does not change (every head it signed before stays valid); the certificate is replaced,
its issuers go beside it, and bundles carry the chain.
"""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from vanban.audit.checkpoints import origin_id
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.evidence.hubkey import HubKey, hub_certificate_install, hub_key
from vanban.signatures import pki
from vanban.signatures.models import CertificateAuthority
from vanban.signatures.services._common import is_province_admin, issuer_of, refused
from vanban.signatures.services.certificates import _issuing_ca

ACTION = "signatures.hub_certify"
DEFAULT_DAYS = 5 * 365


def _chain_of(ca: CertificateAuthority) -> list[x509.Certificate]:
    """The CA's certificate and its issuers up to the root."""
    chain: list[x509.Certificate] = []
    current: CertificateAuthority | None = ca
    while current is not None and len(chain) < 8:
        chain.append(pki.load_pems(current.cert_pem)[0])
        current = current.issuer
    return chain


def _certificate(hub: HubKey, issuer: pki.Issuer, days: int) -> x509.Certificate:
    """A certificate of the hub's Ed25519 key: digitalSignature + nonRepudiation, not a CA."""
    key = hub.private_key.public_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vanban"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Evidence hub"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"vanban evidence hub {origin_id()}"[:64]),
    ])
    now = clock.now()
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.cert.subject)
        .public_key(key).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=days), issuer.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer.key.public_key()), critical=False))
    if issuer.crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(issuer.crl_url)], relative_name=None,
            reasons=None, crl_issuer=None)]), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def hub_certify(*, actor: Actor | None, days: int = DEFAULT_DAYS) -> HubKey:
    """Certify the evidence hub's key by the provincial issuing CA and install the certificate
    with its chain (province administrator or console). Audited with both fingerprints."""
    if not is_province_admin(actor):
        raise refused(actor, ACTION, "", forbidden())
    if not 1 <= days <= 10 * 365:
        raise ValidationFailed("Thời hạn phải từ 1 ngày đến 10 năm.",
                               "Validity must be between 1 day and 10 years.")
    ca = _issuing_ca()
    before = hub_key()
    cert = _certificate(before, issuer_of(ca), days)
    after = hub_certificate_install(cert, _chain_of(ca))
    audit_append(actor=actor, action=ACTION, object_type="evidence_hub",
                 object_id=after.fingerprint[:64],
                 data={"before": before.fingerprint, "after": after.fingerprint,
                       "issuer": ca.fingerprint, "root": pki.fingerprint(after.chain[-1]),
                       "not_after": cert.not_valid_after_utc.isoformat()})
    return after
