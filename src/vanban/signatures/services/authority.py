"""The trust store and the certificate authorities we operate (R21.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cryptography import x509
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.signatures import keystore, pki
from vanban.signatures.models import (
    AgencyCertificate,
    CaKind,
    CertificateAuthority,
    CertStatus,
    TrustedRoot,
)
from vanban.signatures.services._common import is_province_admin, issuer_of, refused, subject_text

CRL_VALIDITY = timedelta(days=30)
ROOT_DAYS = 20 * 365
ISSUING_DAYS = 10 * 365
TSA_DAYS = 5 * 365


def _parse_one(pem: bytes | str) -> x509.Certificate:
    try:
        certs = pki.load_pems(pem)
    except ValueError as err:
        raise ValidationFailed("Tệp không phải chứng thư số X.509 hợp lệ.",
                               "Not a valid X.509 certificate.", code="bad_certificate") from err
    if not certs:
        raise ValidationFailed("Không có chứng thư số nào trong tệp.",
                               "The file holds no certificate.", code="bad_certificate")
    return certs[0]


def trust_add(*, actor: Actor | None, pem: bytes | str) -> TrustedRoot:
    """Trust a root CA (e.g. the Government Cipher Committee's). Idempotent by fingerprint."""
    if not is_province_admin(actor):
        raise refused(actor, "signatures.trust_add", "", forbidden())
    cert = _parse_one(pem)
    if cert.issuer != cert.subject or not pki.issued_by(cert, cert):
        raise ValidationFailed("Chỉ tin cậy chứng thư gốc (tự ký).",
                               "Only self-signed root certificates can be trusted.",
                               code="not_a_root")
    fingerprint = pki.fingerprint(cert)
    with transaction.atomic():
        root, created = TrustedRoot.objects.get_or_create(
            fingerprint=fingerprint,
            defaults={"pem": pki.to_pem(cert), "subject": subject_text(cert.subject),
                      "added_at": clock.now()})
        if not created and not root.active:
            root.active = True
            root.save(update_fields=["active"])
        audit_append(actor=actor, action="signatures.trust_add", object_type="trusted_root",
                     object_id=root.pk, data={"fingerprint": fingerprint, "new": created,
                                              "subject": root.subject})
    return root


@dataclass(frozen=True)
class DemoPki:
    """The demo's root, provincial issuing CA and time-stamp authority."""

    root: CertificateAuthority
    issuing: CertificateAuthority
    tsa: CertificateAuthority


def _store_ca(*, kind: str, name: str, cert: x509.Certificate, key: pki.Key,
              issuer: CertificateAuthority | None) -> CertificateAuthority:
    fingerprint = pki.fingerprint(cert)
    return CertificateAuthority.objects.create(
        kind=kind, name=name, cert_pem=pki.to_pem(cert), fingerprint=fingerprint,
        key_path=keystore.save_ca_key(key, fingerprint=fingerprint), issuer=issuer, demo=True,
        created_at=clock.now())


def ca_create_demo(*, actor: Actor | None) -> DemoPki:
    """Build the demo PKI with ``cryptography``: a root (added to the trust store), the
    provincial issuing CA under it, and a TSA certificate for the demo's own time-stamps."""
    if not is_province_admin(actor):
        raise refused(actor, "signatures.ca_create_demo", "", forbidden())
    with transaction.atomic():
        if CertificateAuthority.objects.filter(demo=True, kind=CaKind.ROOT).exists():
            raise Conflict("Hạ tầng khóa công khai thử nghiệm đã có.",
                           "The demo PKI already exists.", code="demo_pki_exists")
        now = clock.now()
        root_key = pki.new_key()
        root_name = "CA gốc thử nghiệm tỉnh Bắc Giang"
        root_cert = pki.make_ca(subject=pki.name(common_name=root_name, organization="vanban"),
                                key=root_key, issuer=None, now=now, days=ROOT_DAYS)
        root = _store_ca(kind=CaKind.ROOT, name=root_name, cert=root_cert, key=root_key,
                         issuer=None)
        issuer = issuer_of(root)
        ca_key, tsa_key = pki.new_key(), pki.new_key()
        ca_name = "CA cấp chứng thư số cơ quan tỉnh Bắc Giang"
        ca_cert = pki.make_ca(subject=pki.name(common_name=ca_name, organization="UBND tỉnh "
                                               "Bắc Giang"), key=ca_key, issuer=issuer, now=now,
                              days=ISSUING_DAYS)
        issuing = _store_ca(kind=CaKind.ISSUING, name=ca_name, cert=ca_cert, key=ca_key,
                            issuer=root)
        tsa_name = "Dịch vụ dấu thời gian thử nghiệm"
        tsa_cert = pki.make_tsa(subject=pki.name(common_name=tsa_name, organization="vanban"),
                                key=tsa_key, issuer=issuer, now=now, days=TSA_DAYS)
        tsa = _store_ca(kind=CaKind.TSA, name=tsa_name, cert=tsa_cert, key=tsa_key, issuer=root)
        trust_add(actor=actor, pem=root.cert_pem)
        for ca in (root, issuing):
            crl_publish(ca=ca)
        audit_append(actor=actor, action="signatures.ca_create_demo",
                     object_type="certificate_authority", object_id=issuing.pk,
                     data={"root": root.fingerprint, "issuing": issuing.fingerprint,
                           "tsa": tsa.fingerprint})
        return DemoPki(root=root, issuing=issuing, tsa=tsa)


def crl_publish(*, ca: CertificateAuthority) -> CertificateAuthority:
    """Regenerate the CA's CRL (next number) from the revoked certificates and the revoked
    subordinate CAs. Called inside the transaction of the change that needs it."""
    now = clock.now()
    entries = [pki.RevokedEntry(serial=int(c.serial), revoked_at=c.revoked_at or now,
                                reason=c.revocation_reason)
               for c in AgencyCertificate.objects.filter(issued_by=ca,
                                                         status=CertStatus.REVOKED)]
    ca.crl_number += 1
    ca.crl_next_update = now + CRL_VALIDITY
    ca.crl_der = pki.make_crl(issuer=issuer_of(ca, with_crl=False), revoked=entries,
                              number=ca.crl_number, now=now, next_update=ca.crl_next_update)
    ca.save(update_fields=["crl_number", "crl_next_update", "crl_der"])
    audit_append(actor=None, action="signatures.crl_publish", object_type="certificate_authority",
                 object_id=ca.pk, data={"number": ca.crl_number, "revoked": len(entries)})
    return ca


def crl_refresh_due(*, within: timedelta = timedelta(days=7)) -> list[CertificateAuthority]:
    """Republish every CRL this installation signs (root and issuing CAs) whose next update is
    less than ``within`` away or already past, so that verifiers never meet an expired CRL and
    fail a valid signature (R21.1). Safe to run daily from cron: a fresh CRL is left alone."""
    due_before = clock.now() + within
    refreshed = []
    with transaction.atomic():
        for ca in (CertificateAuthority.objects.select_for_update()
                   .filter(kind__in=(CaKind.ROOT, CaKind.ISSUING)).order_by("pk")):
            if ca.crl_next_update is None or ca.crl_next_update <= due_before:
                refreshed.append(crl_publish(ca=ca))
    return refreshed

