"""Real files for the intake tests, made on the spot with reportlab, pikepdf, Pillow and pyHanko."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def make_pdf(*pages: str) -> bytes:
    """A PDF with one page per text, in a font that has the Vietnamese glyphs."""
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT))
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for text in pages:
        pdf.setFont("DejaVuSans", 14)
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def edit_pdf(data: bytes, change: Callable[[pikepdf.Pdf], None], **save: object) -> bytes:
    """``data`` opened with pikepdf, changed, and saved again."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        pdf.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


def make_image(fmt: str, *, size: tuple[int, int] = (120, 80), mode: str = "RGB",
               color: tuple[int, ...] = (200, 30, 30), **params: object) -> bytes:
    """An image file in ``fmt`` (JPEG, PNG, TIFF, GIF, BMP, WEBP) with a gradient, for realism."""
    image = Image.new(mode, size, color)
    for x in range(size[0]):
        image.putpixel((x, x % size[1]), (x % 256,) * len(image.getbands()))
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def sign_pdf(data: bytes, tmp: Path) -> bytes:
    """``data`` signed with a throw-away self-signed key (a real PAdES signature by pyHanko)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cơ quan thử")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]  # untyped in pyHanko
        str(tmp / "key.pem"), str(tmp / "cert.pem"))
    assert signer is not None
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    signed = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Sig1"),
                              signer=signer)
    return bytes(signed.getvalue())


@pytest.fixture(scope="session")
def valid_pdf() -> bytes:
    """A small, clean two-page PDF."""
    return make_pdf("Trang chính: Công văn số 05/UBND-VX", "Trang 2")
