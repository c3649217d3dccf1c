"""One PAdES signature over a whole PDF, as an incremental update of a copy (R15.1, R15.2),
and the archival document time-stamps that keep it verifiable (R12.1, ADR 0014).

Pure signing mechanics with pyHanko (no database): the caller supplies the signer, the
time-stamper, the mark and the validation context. The input bytes are never modified; the
result is new bytes whose prefix is exactly the input, so one signature covers the whole file as
it was uploaded. With a validation context the signature is PAdES B-LT *in one revision*: the
certificates and revocation data go into the DSS of the revision the signature covers, so the
file still has a single signature over its entire length.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pikepdf
from asn1crypto import cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import (
    DSSContentSettings,
    PdfSigningSession,
    PdfTimeStamper,
    SigDSSPlacementPreference,
)
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from vanban.signatures import appearance


@dataclass(frozen=True)
class Mark:
    """The visible mark: where (a placement rule) and what it says."""

    placement: str
    lines: list[str]
    font_path: str


class _TimedPdfSigner(signers.PdfSigner):
    """Uses our clock for the signature dictionary's /M, so it matches the visible mark."""

    def __init__(self, *args: Any, at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> \
            PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._at
        return session


def _inherited(page: generic.DictionaryObject, key: str) -> Any:
    node: Any = page
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


def page_box(writer: IncrementalPdfFileWriter) -> tuple[float, float, float, float]:
    """Page 1's visible area (CropBox, else MediaBox), normalised to (x0, y0, x1, y1)."""
    page_ref, _ = writer.find_page_for_modification(0)  # type: ignore[no-untyped-call]
    page = page_ref.get_object()
    box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    x_a, y_a, x_b, y_b = (float(v) for v in box)
    return min(x_a, x_b), min(y_a, y_b), max(x_a, x_b), max(y_a, y_b)


def reserve_for(signer: Any, *, timestamped: bool) -> int:
    """Bytes to reserve for the CMS (hex, so twice the DER), sized from the certificates.

    Reserving up front skips pyHanko's trial signature that estimates the size.
    """
    certs = [*list(signer.cert_registry), signer.signing_cert]
    der = sum(len(c.dump()) for c in certs) + 2048
    if timestamped:
        der += sum(len(c.dump()) for c in certs) + 3072
    return 2 * der + 1024


# The DSS goes into the signed revision itself (no VRI: it would need the signature first).
_DSS_IN_SIGNED_REVISION = DSSContentSettings(
    placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False)


def sign_pdf_bytes(data: bytes, *, signer: Any, at: datetime, mark: Mark,
                   timestamper: TimeStamper | None = None,
                   bytes_reserved: int | None = None,
                   validation_context: ValidationContext | None = None) -> bytes:
    """Sign ``data`` and return the new file: PAdES B-B, B-T with ``timestamper``, B-LT when
    ``validation_context`` is given too (its certificates and CRLs are embedded)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    field_name = f"ChuKyCoQuan-{uuid.uuid4().hex[:8]}"
    box = appearance.mark_box(mark.placement, page_box(writer), len(mark.lines),
                              appearance.text_width(list(mark.lines), mark.font_path))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, use_pades_lta=False,
        embed_validation_info=validation_context is not None,
        validation_context=validation_context, dss_settings=_DSS_IN_SIGNED_REVISION)
    pdf_signer = _TimedPdfSigner(
        meta, signer, at=at, timestamper=timestamper,
        stamp_style=appearance.stamp_style(mark.font_path),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=0, box=box))
    out = pdf_signer.sign_pdf(
        writer, bytes_reserved=bytes_reserved or reserve_for(signer, timestamped=bool(
            timestamper)), appearance_text_params={"mark": "\n".join(mark.lines)})
    return bytes(out.getvalue())



def archive_stamp(data: bytes, *, timestamper: TimeStamper,
                  validation_context: ValidationContext, md_algorithm: str = "sha256",
                  certs: list[Any] | None = None, bytes_reserved: int | None = None) -> bytes:
    """Add an archival document time-stamp (PAdES B-LTA), or renew the chain: the validation
    data known now (the context's CRLs and OCSP responses, and ``certs``: the chains of the
    earlier time-stamps) goes into the DSS, and a new document time-stamp with
    ``md_algorithm`` covers everything, the earlier stamps included. Returns new bytes whose
    prefix is ``data``."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, certs=certs or [],
                                               validation_context=validation_context)
    out = PdfTimeStamper(timestamper).timestamp_pdf(writer, md_algorithm, validation_context,
                                                    in_place=False,
                                                    bytes_reserved=bytes_reserved)
    return bytes(out.getvalue())


def document_stamps(data: bytes) -> list[Any]:
    """The document time-stamps of a file, oldest first (pyHanko's embedded signatures)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return list(reader.embedded_timestamp_signatures)


def stamp_tokens(data: bytes) -> list[cms.ContentInfo]:
    """The RFC 3161 tokens of the document time-stamps, oldest first (by how much of the file
    each covers). Read with the C++ parser: pyHanko's reads the reserved /Contents hex digit
    by digit, which costs more than the time-stamp itself."""
    found: list[tuple[int, cms.ContentInfo]] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        form: Any = pdf.Root.get("/AcroForm")
        for field in (form.get("/Fields") or []) if form is not None else []:
            value = field.get("/V")
            if value is None or value.get("/SubFilter") != "/ETSI.RFC3161":
                continue
            byte_range = [int(v) for v in value["/ByteRange"]]
            # The reserved space is zero-padded after the DER; strict=False ignores the rest
            # (stripping zeros would cut a DER ending in a zero byte).
            token = cms.ContentInfo.load(bytes(value["/Contents"]), strict=False)
            found.append((byte_range[2] + byte_range[3], token))
    return [token for _, token in sorted(found, key=lambda item: item[0])]
