"""One PAdES signature over a whole PDF, as an incremental update of a copy (R15.1, R15.2).

Pure signing mechanics with pyHanko (no database): the caller supplies the signer, the
time-stamper and the mark. The input bytes are never modified; the result is new bytes whose
prefix is exactly the input, so one signature covers the whole file as it was uploaded.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps.api import TimeStamper

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


def sign_pdf_bytes(data: bytes, *, signer: Any, at: datetime, mark: Mark,
                   timestamper: TimeStamper | None = None,
                   bytes_reserved: int | None = None) -> bytes:
    """Sign ``data`` (PAdES B-B, or B-T with ``timestamper``) and return the new file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    field_name = f"ChuKyCoQuan-{uuid.uuid4().hex[:8]}"
    box = appearance.mark_box(mark.placement, page_box(writer), len(mark.lines))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, use_pades_lta=False)
    pdf_signer = _TimedPdfSigner(
        meta, signer, at=at, timestamper=timestamper,
        stamp_style=appearance.stamp_style(mark.font_path),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=0, box=box))
    out = pdf_signer.sign_pdf(
        writer, bytes_reserved=bytes_reserved or reserve_for(signer, timestamped=bool(
            timestamper)), appearance_text_params={"mark": "\n".join(mark.lines)})
    return bytes(out.getvalue())
