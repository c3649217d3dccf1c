"""Agency certificates: issue, renew, revoke (province administrator), register (R21.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.signatures import keysources, keystore, pki
from vanban.signatures.models import (
    AgencyCertificate,
    CaKind,
    CertificateAuthority,
    CertSource,
    CertStatus,
    KeyStorage,
    TrustedRoot,
)
from vanban.signatures.services._common import (
    is_province_admin,
    issuer_of,
    may_register,
    refused,
    subject_text,
)
from vanban.signatures.services.authority import crl_publish

DEFAULT_VALID_DAYS = 2 * 365


@dataclass(frozen=True)
class Pkcs11Ref:
    """Where a token-held key is: module, token label, key label, and the PIN *reference*
    (``env:VAR`` or ``file:/path``; the PIN itself is never stored)."""

    module_path: str
    token_label: str
    key_label: str
    pin_ref: str


def _state(cert: AgencyCertificate) -> dict[str, Any]:
    return {"fingerprint": cert.fingerprint, "serial": cert.serial, "status": cert.status,
            "not_after": cert.not_after.isoformat(), "key_storage": cert.key_storage}


def _issuing_ca() -> CertificateAuthority:
    ca = CertificateAuthority.objects.filter(kind=CaKind.ISSUING).order_by("-id").first()
    if ca is None:
        raise Conflict("Chưa có CA cấp chứng thư số của tỉnh.",
                       "There is no provincial issuing CA yet.", code="no_issuing_ca")
    return ca


def agency_subject(agency: Agency) -> x509.Name:
    """O and CN = the agency name, OU and serialNumber = its identifier code."""
    return pki.name(common_name=agency.name, organization=agency.name, unit=agency.code,
                    serial_number=agency.code)


def _save(*, agency: Agency, cert: x509.Certificate, source: str,
          ca: CertificateAuthority | None, chain: list[x509.Certificate],
          **key_fields: str) -> AgencyCertificate:
    fingerprint = pki.fingerprint(cert)
    if AgencyCertificate.objects.filter(fingerprint=fingerprint).exists():
        raise Conflict("Chứng thư số này đã được đăng ký.",
                       "This certificate is already registered.", code="duplicate_certificate")
    return AgencyCertificate.objects.create(
        agency=agency, pem=pki.to_pem(cert), chain_pem="".join(pki.to_pem(c) for c in chain),
        serial=str(cert.serial_number), fingerprint=fingerprint,
        subject=subject_text(cert.subject), issuer_subject=subject_text(cert.issuer),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        source=source, issued_by=ca, created_at=clock.now(), **key_fields)


def _issue(*, actor: Actor | None, agency: Agency, valid_days: int,
           action: str) -> AgencyCertificate:
    ca = _issuing_ca()
    key = pki.new_key()
    cert = pki.make_leaf(subject=agency_subject(agency), public_key=key.public_key(),
                         issuer=issuer_of(ca), now=clock.now(), days=valid_days)
    fingerprint = pki.fingerprint(cert)
    path = keystore.save_pkcs12(key=key, cert=cert, chain=[], fingerprint=fingerprint,
                                friendly_name=agency.code)
    row = _save(agency=agency, cert=cert, source=CertSource.ISSUED, ca=ca, chain=[],
                key_storage=KeyStorage.PKCS12, pkcs12_path=path)
    audit_append(actor=actor, action=action, object_type="agency_certificate", object_id=row.pk,
                 agency_code=agency.code, after=_state(row))
    return row


def certificate_issue(*, actor: Actor | None, agency: Agency,
                      valid_days: int = DEFAULT_VALID_DAYS) -> AgencyCertificate:
    """Issue a new certificate and key (encrypted PKCS#12) to an agency from the provincial CA."""
    action = "signatures.certificate_issue"
    if not is_province_admin(actor):
        raise refused(actor, action, agency.code, forbidden())
    if not 1 <= valid_days <= 5 * 365:
        raise ValidationFailed("Thời hạn phải từ 1 ngày đến 5 năm.",
                               "Validity must be between 1 day and 5 years.")
    with transaction.atomic():
        if AgencyCertificate.objects.filter(agency=agency, status=CertStatus.ACTIVE,
                                            source=CertSource.ISSUED,
                                            not_after__gt=clock.now()).exists():
            raise Conflict("Cơ quan đã có chứng thư số còn hiệu lực; hãy gia hạn.",
                           "The agency already has a valid certificate; renew it instead.",
                           code="certificate_exists")
        return _issue(actor=actor, agency=agency, valid_days=valid_days, action=action)


def certificate_renew(*, actor: Actor | None, certificate: AgencyCertificate,
                      valid_days: int = DEFAULT_VALID_DAYS) -> AgencyCertificate:
    """Issue a successor (new key) and revoke the old certificate as superseded."""
    action = "signatures.certificate_renew"
    if not is_province_admin(actor):
        raise refused(actor, action, certificate.agency.code, forbidden())
    with transaction.atomic():
        new = _issue(actor=actor, agency=certificate.agency, valid_days=valid_days,
                     action=action)
        if certificate.status == CertStatus.ACTIVE:
            _revoke(actor=actor, certificate=certificate, reason="superseded")
        return new


def _revoke(*, actor: Actor | None, certificate: AgencyCertificate,
            reason: str) -> AgencyCertificate:
    before = _state(certificate)
    certificate.status = CertStatus.REVOKED
    certificate.revoked_at = clock.now()
    certificate.revocation_reason = reason
    certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
    if certificate.issued_by is not None:
        crl_publish(ca=certificate.issued_by)
    audit_append(actor=actor, action="signatures.certificate_revoke",
                 object_type="agency_certificate", object_id=certificate.pk,
                 agency_code=certificate.agency.code, before=before, after=_state(certificate),
                 data={"reason": reason})
    transaction.on_commit(lambda: keysources.forget(certificate))
    return certificate


def certificate_revoke(*, actor: Actor | None, certificate: AgencyCertificate,
                       reason: str = "unspecified") -> AgencyCertificate:
    """Revoke: the certificate signs no more, and (if we issued it) the CRL lists it."""
    action = "signatures.certificate_revoke"
    if not is_province_admin(actor):
        raise refused(actor, action, certificate.agency.code, forbidden())
    if reason not in pki.REASONS:
        raise ValidationFailed("Lý do thu hồi không hợp lệ.", "Unknown revocation reason.",
                               allowed=sorted(pki.REASONS))
    with transaction.atomic():
        locked = AgencyCertificate.objects.select_for_update().filter(pk=certificate.pk).first()
        if locked is None:
            raise not_found("chứng thư số", "Certificate")
        if locked.status == CertStatus.REVOKED:
            raise Conflict("Chứng thư số đã bị thu hồi.", "The certificate is already revoked.",
                           code="already_revoked")
        return _revoke(actor=actor, certificate=locked, reason=reason)


def _anchors() -> tuple[list[x509.Certificate], dict[str, CertificateAuthority]]:
    roots = [pki.load_pems(r.pem)[0] for r in TrustedRoot.objects.filter(active=True)]
    cas = {ca.fingerprint: ca for ca in CertificateAuthority.objects.exclude(kind=CaKind.TSA)}
    return roots + [pki.load_pems(ca.cert_pem)[0] for ca in cas.values()], cas


def _load_key(key_pem: bytes, password: bytes | None) -> pki.Key:
    try:
        key = serialization.load_pem_private_key(key_pem, password=password)
    except (ValueError, TypeError) as err:
        raise ValidationFailed("Không đọc được khóa bí mật (sai mật khẩu hoặc định dạng).",
                               "Cannot read the private key (wrong password or format).",
                               code="bad_key") from err
    if not isinstance(key, pki.Key):
        raise ValidationFailed("Chỉ hỗ trợ khóa RSA hoặc EC.", "Only RSA or EC keys are "
                               "supported.", code="bad_key")
    return key


def _checked_chain(cert: x509.Certificate, extra: list[x509.Certificate]) -> tuple[
        list[x509.Certificate], CertificateAuthority | None]:
    anchors, cas = _anchors()
    path = pki.chain_to(cert, anchors=anchors, intermediates=extra)
    if path is None:
        raise ValidationFailed("Chứng thư số không do CA gốc được tin cậy cấp.",
                               "The certificate does not chain to a trusted root.",
                               code="untrusted_certificate")
    if cert.not_valid_after_utc <= clock.now().astimezone(UTC):
        raise ValidationFailed("Chứng thư số đã hết hạn.", "The certificate has expired.",
                               code="certificate_expired")
    ca = cas.get(pki.fingerprint(path[0]))
    # Our own CA: its chain comes from the CA rows. Otherwise keep the whole path to embed.
    return ([] if ca is not None else path), ca


def certificate_register(*, actor: Actor | None, agency: Agency, cert_pem: bytes | str,
                         key_pem: bytes | None = None, key_password: bytes | None = None,
                         pkcs11: Pkcs11Ref | None = None) -> AgencyCertificate:
    """Record a certificate issued elsewhere for ``agency``: with its key (then kept as an
    encrypted PKCS#12), on a PKCS#11 token, or without a key (for verification only)."""
    action = "signatures.certificate_register"
    if not may_register(actor, agency):
        raise refused(actor, action, agency.code, forbidden())
    if key_pem is not None and pkcs11 is not None:
        raise ValidationFailed("Chọn tệp khóa hoặc token PKCS#11, không chọn cả hai.",
                               "Give a key file or a PKCS#11 token, not both.")
    try:
        cert, *extra = pki.load_pems(cert_pem)
    except ValueError as err:
        raise ValidationFailed("Tệp không phải chứng thư số X.509 hợp lệ.",
                               "Not a valid X.509 certificate.", code="bad_certificate") from err
    with transaction.atomic():
        chain, ca = _checked_chain(cert, extra)
        fields: dict[str, str] = {"key_storage": KeyStorage.NONE}
        if key_pem is not None:
            key = _load_key(key_pem, key_password)
            if not pki.public_keys_match(cert, key):
                raise ValidationFailed("Khóa bí mật không khớp với chứng thư số.",
                                       "The private key does not match the certificate.",
                                       code="key_mismatch")
            fields = {"key_storage": KeyStorage.PKCS12, "pkcs12_path": keystore.save_pkcs12(
                key=key, cert=cert, chain=chain, fingerprint=pki.fingerprint(cert),
                friendly_name=agency.code)}
        elif pkcs11 is not None:
            fields = {"key_storage": KeyStorage.PKCS11, "pkcs11_module": pkcs11.module_path,
                      "pkcs11_token_label": pkcs11.token_label,
                      "pkcs11_key_label": pkcs11.key_label, "pkcs11_pin_ref": pkcs11.pin_ref}
        row = _save(agency=agency, cert=cert, source=CertSource.REGISTERED, ca=ca, chain=chain,
                    **fields)
        audit_append(actor=actor, action=action, object_type="agency_certificate",
                     object_id=row.pk, agency_code=agency.code, after=_state(row))
        return row
