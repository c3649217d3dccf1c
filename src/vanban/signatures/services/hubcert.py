"""The provincial CA certifies the installation's own keys: the evidence hub key and the audit
seal key (R7.2, R12.1, R14.3; docs/evidence.md, docs/adr/0010).

A self-signed hub certificate or a bare seal key can only be trusted by pinning it, bundle after
bundle, checkpoint after checkpoint. Certified by the provincial issuing CA, both are trusted the
way agency signatures are: through the province's root, which a relying party already holds.
The keys themselves do not change (every head or seal signed before stays valid); the
certificate is replaced, its issuers go beside it, and bundles and checkpoints carry the chain.
Both go through :func:`_certify`: one certificate profile, one chain walk.
"""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID

from vanban.audit import keys as seal_keys
from vanban.audit import sealcert
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
SEAL_ACTION = "signatures.seal_certify"
DEFAULT_DAYS = 5 * 365


def _chain_of(ca: CertificateAuthority) -> list[x509.Certificate]:
    """The CA's certificate and its issuers up to the root."""
    chain: list[x509.Certificate] = []
    current: CertificateAuthority | None = ca
    while current is not None and len(chain) < 8:
        chain.append(pki.load_pems(current.cert_pem)[0])
        current = current.issuer
    return chain


def _certificate(key: Ed25519PublicKey, unit: str, issuer: pki.Issuer,
                 days: int) -> x509.Certificate:
    """A certificate of one of the installation's Ed25519 keys (``unit`` names its role):
    digitalSignature + nonRepudiation, not a CA, never outliving its issuer."""
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "vanban"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
        x509.NameAttribute(NameOID.COMMON_NAME, f"vanban {unit.lower()} {origin_id()}"[:64]),
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


def _certify(*, actor: Actor | None, action: str, key: Ed25519PublicKey, unit: str,
             days: int) -> tuple[x509.Certificate, list[x509.Certificate], CertificateAuthority]:
    """The permission and validity checks both keys share, then the provincial issuing CA's
    certificate of ``key`` and the chain (issuing CA up to the root)."""
    if not is_province_admin(actor):
        raise refused(actor, action, "", forbidden())
    if not 1 <= days <= 10 * 365:
        raise ValidationFailed("Thời hạn phải từ 1 ngày đến 10 năm.",
                               "Validity must be between 1 day and 10 years.")
    ca = _issuing_ca()
    return _certificate(key, unit, issuer_of(ca), days), _chain_of(ca), ca


def hub_certify(*, actor: Actor | None, days: int = DEFAULT_DAYS) -> HubKey:
    """Certify the evidence hub's key by the provincial issuing CA and install the certificate
    with its chain (province administrator or console). Audited with both fingerprints."""
    before = hub_key()
    cert, chain, ca = _certify(actor=actor, action=ACTION, days=days, unit="Evidence hub",
                               key=before.private_key.public_key())
    after = hub_certificate_install(cert, chain)
    audit_append(actor=actor, action=ACTION, object_type="evidence_hub",
                 object_id=after.fingerprint[:64],
                 data={"before": before.fingerprint, "after": after.fingerprint,
                       "issuer": ca.fingerprint, "root": pki.fingerprint(after.chain[-1]),
                       "not_after": cert.not_valid_after_utc.isoformat()})
    return after


def seal_certify(*, actor: Actor | None, days: int = DEFAULT_DAYS) -> sealcert.SealCertificate:
    """Certify the audit seal key by the provincial issuing CA and keep the certificate with
    its chain beside the key (province administrator or console). Only the public key is
    needed, so a key on a PKCS#11 token is certified like the file key. Audited with the key
    id, the certificate's fingerprint and the root's."""
    key = seal_keys.public_key()
    before = sealcert.current()
    cert, chain, ca = _certify(actor=actor, action=SEAL_ACTION, key=key, unit="Audit seal",
                               days=days)
    after = sealcert.install(cert, chain)
    audit_append(actor=actor, action=SEAL_ACTION, object_type="audit_seal_key",
                 object_id=after.key_id[:64],
                 data={"before": before.fingerprint if before else "",
                       "after": after.fingerprint, "issuer": ca.fingerprint,
                       "root": pki.fingerprint(after.chain[-1]),
                       "not_after": cert.not_valid_after_utc.isoformat()})
    return after
