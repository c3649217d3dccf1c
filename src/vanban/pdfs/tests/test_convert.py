"""Scanned page images become one PDF losslessly (issue 3, files): JPEG bytes are embedded as
they are, PNG/TIFF pixels are kept exactly, other formats are refused with a clear reason."""

from __future__ import annotations

import io
from typing import cast

import pikepdf
import pytest
from PIL import Image

from vanban.core.errors import ValidationFailed
from vanban.pdfs.convert import images_to_pdf
from vanban.pdfs.errors import ImageRejected
from vanban.pdfs.inspect import inspect_pdf
from vanban.pdfs.tests.conftest import make_image


def test_jpeg_is_embedded_byte_for_byte() -> None:
    """A JPEG page is embedded unchanged (no recompression): the stream equals the input."""
    jpeg = make_image("JPEG", size=(300, 200), quality=85, dpi=(300, 300))
    pdf = images_to_pdf([jpeg])
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        (name,) = list(doc.pages[0].Resources.XObject.keys())
        image = doc.pages[0].Resources.XObject[name]
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == jpeg
        width = float(doc.pages[0].MediaBox[2])
    assert width == pytest.approx(300 / 300 * 72)  # page size follows the scan's resolution


@pytest.mark.parametrize(("fmt", "mode", "color"), [
    ("PNG", "RGB", (10, 120, 240)),
    ("PNG", "L", (90,)),
    ("TIFF", "RGB", (250, 250, 240)),
])
def test_png_and_tiff_pixels_are_kept(fmt: str, mode: str, color: tuple[int, ...]) -> None:
    """PNG and TIFF pages keep every pixel (lossless): decoding the PDF image gives the input."""
    data = make_image(fmt, size=(64, 48), mode=mode, color=color)
    pdf = images_to_pdf([data])
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        (name,) = list(doc.pages[0].Resources.XObject.keys())
        stream = cast(pikepdf.Stream, doc.pages[0].Resources.XObject[name])
        embedded = pikepdf.PdfImage(stream).as_pil_image()
    original = Image.open(io.BytesIO(data))
    assert embedded.size == original.size
    assert embedded.convert(mode).tobytes() == original.convert(mode).tobytes()


def test_pages_in_order_and_multipage_tiff() -> None:
    """Pages follow the order given; every frame of a multi-page TIFF becomes a page."""
    first = make_image("JPEG", size=(100, 100))
    frames = [Image.new("L", (50 + i, 40), 30 * i) for i in range(3)]
    tiff = io.BytesIO()
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    last = make_image("PNG", size=(80, 60))
    pdf = images_to_pdf([first, tiff.getvalue(), last])
    info = inspect_pdf(pdf, max_bytes=10 * 1024 * 1024)
    assert info.page_count == 5
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        widths = []
        for page in doc.pages:
            (name,) = list(page.Resources.XObject.keys())
            widths.append(int(page.Resources.XObject[name].Width))
    assert widths == [100, 50, 51, 52, 80]


@pytest.mark.parametrize(("fmt", "vi", "en"), [
    ("GIF", "ảnh GIF", "a GIF image"),
    ("BMP", "ảnh BMP", "a BMP image"),
    ("WEBP", "ảnh WebP", "a WebP image"),
])
def test_other_image_formats_are_refused(fmt: str, vi: str, en: str) -> None:
    """Only JPEG, PNG and TIFF are accepted; the error names the page and the real format."""
    good = make_image("JPEG")
    with pytest.raises(ImageRejected) as info:
        images_to_pdf([good, make_image(fmt, mode="RGB")])
    err = info.value
    assert isinstance(err, ValidationFailed)
    assert (err.reason, err.page) == ("unsupported_image", 2)
    assert err.message("vi").startswith("Ảnh trang 2: chỉ nhận ảnh JPEG, PNG hoặc TIFF")
    assert vi in err.message("vi")
    assert en in err.message("en")


def test_pdf_and_empty_inputs_are_refused() -> None:
    """A PDF or an empty file is not an image; an empty list has nothing to convert."""
    for data in (b"%PDF-1.7\n", b""):
        with pytest.raises(ImageRejected) as info:
            images_to_pdf([data])
        assert info.value.reason == "unsupported_image"
    with pytest.raises(ImageRejected) as info:
        images_to_pdf([])
    assert info.value.reason == "no_images"


def test_damaged_image_is_refused() -> None:
    """An image with a valid signature but damaged content is refused, not a server error."""
    png = make_image("PNG")
    with pytest.raises(ImageRejected) as info:
        images_to_pdf([png[:40]])
    assert info.value.reason == "broken_image"
    assert "không đọc được ảnh" in info.value.message("vi")
