"""PAdES signing of an outgoing PDF with the agency certificate (R9.1, R15.1, R15.2)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.signatures import appearance, keysources, keystore, pades, selectors
from vanban.signatures.models import AgencyCertificate, CaKind, CertificateAuthority, CertStatus
from vanban.signatures.pki import Key, load_pems
from vanban.signatures.services._common import may_sign, refused
from vanban.signatures.timestamps import LocalTimeStamper, UrlTimeStamper

ACTION = "signatures.pdf_sign"


@dataclass(frozen=True)
class SignedPdf:
    """The signed file (store it as a new blob; the original stays untouched)."""

    data: bytes
    certificate_id: int
    signed_at: datetime
    sha256: str


@functools.lru_cache(maxsize=8)
def _local_tsa(ca_id: int, fingerprint: str) -> tuple[object, Key, list[object]]:
    """The demo TSA's certificate, key (parsed once) and issuer chain."""
    ca = CertificateAuthority.objects.select_related("issuer").get(pk=ca_id)
    key = keystore.load_ca_key(ca.key_path)
    chain = []
    parent = ca.issuer
    while parent is not None:
        chain.append(keysources.asn1_cert(load_pems(parent.cert_pem)[0]))
        parent = parent.issuer
    return keysources.asn1_cert(load_pems(ca.cert_pem)[0]), key, chain


def timestamper(at: datetime) -> TimeStamper | None:
    """The configured TSA (``VANBAN_TSA_URL``), else the demo's own TSA, else none (B-B)."""
    url = str(getattr(settings, "VANBAN_TSA_URL", "") or "")
    if url:
        return UrlTimeStamper(url)
    tsa = CertificateAuthority.objects.filter(kind=CaKind.TSA).order_by("-id").first()
    if tsa is None:
        return None
    cert, key, chain = _local_tsa(tsa.pk, tsa.fingerprint)
    return LocalTimeStamper(tsa_cert=cert, key=key, chain=chain, at=at)


def _usable_certificate(agency: Agency) -> AgencyCertificate:
    certificate = selectors.active_certificate(agency)
    if certificate is None:
        raise Conflict("Cơ quan chưa có chứng thư số còn hiệu lực (chưa cấp, đã hết hạn hoặc "
                       "đã bị thu hồi).", "The agency has no valid certificate (none issued, "
                       "expired or revoked).", code="no_valid_certificate")
    return certificate


def _sign(data: bytes, certificate: AgencyCertificate, agency: Agency, at: datetime) -> bytes:
    mark = pades.Mark(
        placement=str(getattr(settings, "VANBAN_SIGNATURE_PLACEMENT", appearance.PLACEMENTS[0])),
        lines=appearance.mark_lines(agency_name=agency.name, at=at),
        font_path=str(settings.VANBAN_FONT_PATH))
    try:
        with keysources.signer_for(certificate) as signer:
            return pades.sign_pdf_bytes(data, signer=signer, at=at, mark=mark,
                                        timestamper=timestamper(at))
    except (PdfError, SigningError) as err:
        raise ValidationFailed("Không ký được tệp PDF này (tệp hỏng hoặc không hợp lệ).",
                               "This PDF cannot be signed (broken or invalid file).",
                               code="pdf_unsignable", detail=str(err)[:200]) from err


def pdf_sign(*, actor: Actor | None, agency: Agency, data: bytes) -> SignedPdf:
    """R9.1/R15.1/R15.2: the agency's clerk signs the whole PDF with the agency certificate.

    The signature is an incremental update of a copy: ``data`` is never changed and is a
    byte-for-byte prefix of the result. A revoked or expired certificate never signs.
    """
    if not may_sign(actor, agency):
        raise refused(actor, ACTION, agency.code, forbidden())
    certificate = _usable_certificate(agency)
    at = clock.now()
    signed = _sign(data, certificate, agency, at)
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        still = AgencyCertificate.objects.filter(pk=certificate.pk,
                                                 status=CertStatus.ACTIVE).exists()
        if not still:  # revoked while we were signing
            raise Conflict("Chứng thư số vừa bị thu hồi.", "The certificate was just revoked.",
                           code="certificate_revoked")
        audit_append(actor=actor, action=ACTION, object_type="agency_certificate",
                     object_id=certificate.pk, agency_code=agency.code,
                     data={"input_sha256": hashlib.sha256(data).hexdigest(),
                           "output_sha256": digest, "fingerprint": certificate.fingerprint})
    return SignedPdf(data=signed, certificate_id=certificate.pk, signed_at=at, sha256=digest)
