"""Rendering with poppler-utils: what a reader sees, used to check the Vietnamese glyphs of the
visible signature mark (R15.1) and the order of merged pages (R15.2)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from vanban.pdfs.errors import RenderFailed
from vanban.pdfs.render import first_page_png, page_text
from vanban.pdfs.tests.conftest import make_pdf

TEXT = "Ký bởi: Ủy ban nhân dân tỉnh Bắc Giang"


def test_first_page_png_at_the_requested_resolution() -> None:
    """Page 1 renders to a PNG whose size follows the dpi (A4 at 72 and 144 dpi)."""
    pdf = make_pdf(TEXT, "Trang 2")
    small = Image.open(io.BytesIO(first_page_png(pdf)))
    large = Image.open(io.BytesIO(first_page_png(pdf, dpi=144)))
    assert small.format == "PNG"
    assert small.size in {(595, 842), (596, 842)}  # A4 is 595.28 pt wide
    assert large.size in {(1190, 1684), (1191, 1684)}
    assert min(small.convert("L").tobytes()) < 128  # something dark was drawn: the text


def test_page_text_keeps_vietnamese_diacritics() -> None:
    """R15.1: extracted text shows the Vietnamese glyphs exactly, page by page."""
    pdf = make_pdf(TEXT, "Trang 2: Hỏa tốc")
    assert page_text(pdf).strip() == TEXT
    assert page_text(pdf, 2).strip() == "Trang 2: Hỏa tốc"
    assert "Ký bởi:" in page_text(pdf, layout=True)


def test_page_out_of_range_and_bad_input() -> None:
    """A missing page or a damaged file gives a clear error, not a crash."""
    pdf = make_pdf(TEXT)
    with pytest.raises(RenderFailed) as info:
        page_text(pdf, 3)
    assert info.value.message("vi").startswith("Không hiển thị được tệp PDF (pdftotext")
    assert "cannot be rendered" in info.value.message("en")
    with pytest.raises(RenderFailed):
        first_page_png(b"not a pdf")
    with pytest.raises(ValueError, match="start at 1"):
        page_text(pdf, 0)


def test_timeout_stops_the_renderer() -> None:
    """A renderer that runs too long is stopped and reported in both languages."""
    pdf = make_pdf(*[TEXT] * 5)
    with pytest.raises(RenderFailed) as info:
        first_page_png(pdf, dpi=1200, timeout=0.001)
    assert info.value.code == "pdf_render_timeout"
    assert "giây" in info.value.message("vi")
