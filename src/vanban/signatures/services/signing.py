"""PAdES signing of an outgoing PDF with the agency certificate (R9.1, R15.1, R15.2)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator import ValidationContext

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import Conflict, ValidationFailed, forbidden
from vanban.core.roles import Actor
from vanban.directory.models import Agency
from vanban.signatures import appearance, archive, keysources, ltv, pades
from vanban.signatures.models import (
    AgencyCertificate,
    CaKind,
    CertStatus,
    KeyStorage,
)
from vanban.signatures.services._common import may_sign, refused
from vanban.signatures.services.tsa import timestamper_for
from vanban.signatures.verification import trust

ACTION = "signatures.pdf_sign"


@dataclass(frozen=True)
class SignedPdf:
    """The signed file (store it as a new blob; the original stays untouched)."""

    data: bytes
    certificate_id: int
    signed_at: datetime
    sha256: str


# The certificate to sign with (selectors.active_certificate's rule) and the latest demo TSA, in
# one statement; the columns a PKCS#12 signature needs are read, the others load on first use.
_USABLE = (
    "SELECT c.id, c.agency_id, c.fingerprint, c.key_storage, c.pkcs12_path, "
    "(SELECT t.id FROM signatures_certificateauthority t WHERE t.kind = %s "
    " ORDER BY t.id DESC LIMIT 1) AS tsa_id, "
    "(SELECT t.fingerprint FROM signatures_certificateauthority t WHERE t.kind = %s "
    " ORDER BY t.id DESC LIMIT 1) AS tsa_fingerprint "
    "FROM signatures_agencycertificate c WHERE c.agency_id = %s AND c.status = %s "
    "AND c.not_before <= %s AND c.not_after > %s AND c.key_storage <> %s "
    "ORDER BY c.not_after DESC, c.id DESC LIMIT 1"
)


def _usable_certificate(agency: Agency) -> tuple[AgencyCertificate, tuple[int, str] | None]:
    """The certificate to sign with, and the demo TSA's (id, fingerprint): one query, no ORM
    compilation (it runs for every signature)."""
    now = clock.now()
    rows = list(AgencyCertificate.objects.raw(_USABLE, [
        CaKind.TSA.value, CaKind.TSA.value, agency.pk, CertStatus.ACTIVE.value, now, now,
        KeyStorage.NONE.value]))
    if not rows:
        raise Conflict("Cơ quan chưa có chứng thư số còn hiệu lực (chưa cấp, đã hết hạn hoặc "
                       "đã bị thu hồi).", "The agency has no valid certificate (none issued, "
                       "expired or revoked).", code="no_valid_certificate")
    certificate = rows[0]
    tsa_id = getattr(certificate, "tsa_id", None)
    tsa_fingerprint = str(getattr(certificate, "tsa_fingerprint", ""))
    local_tsa = None if tsa_id is None else (int(tsa_id), tsa_fingerprint)
    return certificate, local_tsa


def _sign(data: bytes, certificate: AgencyCertificate, agency: Agency, at: datetime,
          local_tsa: tuple[int, str] | None) -> bytes:
    mark = pades.Mark(
        placement=str(getattr(settings, "VANBAN_SIGNATURE_PLACEMENT", appearance.PLACEMENTS[0])),
        lines=appearance.mark_lines(agency_name=agency.name, at=at),
        font_path=str(settings.VANBAN_FONT_PATH))
    try:
        with keysources.signer_for(certificate) as signer:
            return pades.sign_pdf_bytes(data, signer=signer, at=at, mark=mark,
                                        timestamper=timestamper_for(at, local_tsa),
                                        validation_context=_ltv_context(signer, at))
    except (PdfError, SigningError) as err:
        raise ValidationFailed("Không ký được tệp PDF này (tệp hỏng hoặc không hợp lệ).",
                               "This PDF cannot be signed (broken or invalid file).",
                               code="pdf_unsignable", detail=str(err)[:200]) from err


def _ltv_context(signer: object, at: datetime) -> ValidationContext | None:
    """B-LT (ADR 0014): the chain and CRLs this installation holds go into the signed revision,
    so a receiver validates as of the signing time without reaching the issuer. Off with
    ``VANBAN_PADES_LTV = False`` (then B-T)."""
    if not getattr(settings, "VANBAN_PADES_LTV", True):
        return None
    chain = [*getattr(signer, "cert_registry", [])]
    return ltv.signing_context(trust.material(), at=at, chain=chain)


def token_pin_check(agency: Agency) -> Callable[[str], bool] | None:
    """When the agency signs with a key on a PKCS#11 token: a check of the token's PIN, which
    the signer may give as the step-up confirmation (R14.3). None for a key in a file."""
    try:
        certificate, _ = _usable_certificate(agency)
    except Conflict:
        return None
    if certificate.key_storage != KeyStorage.PKCS11:
        return None
    return functools.partial(keysources.pkcs11_pin_valid, certificate)


def pdf_sign(*, actor: Actor | None, agency: Agency, data: bytes,
             confirmed: Mapping[str, str] | None = None) -> SignedPdf:
    """R9.1/R15.1/R15.2: the agency's clerk signs the whole PDF with the agency certificate.

    ``confirmed`` is what the caller's step-up check says about who confirmed and how (R14.3);
    it goes into the audit event as is (it never holds a secret).

    The signature is an incremental update of a copy: ``data`` is never changed and is a
    byte-for-byte prefix of the result. A revoked or expired certificate never signs.
    """
    if not may_sign(actor, agency):
        raise refused(actor, ACTION, agency.code, forbidden())
    certificate, local_tsa = _usable_certificate(agency)
    at = clock.now()
    signed = _sign(data, certificate, agency, at, local_tsa)
    digest = hashlib.sha256(signed).hexdigest()
    # Two autocommit statements (no BEGIN/COMMIT round trips): the event is the only write,
    # and the re-check never locked the certificate row anyway.
    still = AgencyCertificate.objects.filter(pk=certificate.pk,
                                             status=CertStatus.ACTIVE).exists()
    if not still:  # revoked while we were signing
        raise Conflict("Chứng thư số vừa bị thu hồi.", "The certificate was just revoked.",
                       code="certificate_revoked")
    audit_append(actor=actor, action=ACTION, object_type="agency_certificate",
                 object_id=certificate.pk, agency_code=agency.code,
                 data={"input_sha256": hashlib.sha256(data).hexdigest(),
                       "output_sha256": digest, "fingerprint": certificate.fingerprint,
                       **(confirmed or {})})
    if getattr(settings, "VANBAN_PADES_ARCHIVE", True):  # its B-LTA copy, beside (ADR 0014)
        archive.archive_create(signed)
    return SignedPdf(data=signed, certificate_id=certificate.pk, signed_at=at, sha256=digest)
