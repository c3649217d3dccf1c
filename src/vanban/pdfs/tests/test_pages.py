"""Page images for the document viewer (ADR 0018): rendered at fixed widths, kept by the PDF's
hash, and a clear bilingual message instead of pages for an encrypted or damaged file."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from vanban.core.errors import NotFound
from vanban.pdfs import pages
from vanban.pdfs.errors import RenderFailed
from vanban.pdfs.tests.conftest import edit_pdf, make_pdf

SHA = "ab" * 32


def test_pages_are_counted_and_rendered_at_the_asked_width() -> None:
    """A two-page PDF: two pages, each a PNG exactly the asked width, A4 proportions."""
    data = make_pdf("Trang một", "Trang hai")
    assert pages.count(data) == 2
    for width in pages.WIDTHS:
        image = Image.open(io.BytesIO(pages.render(data, 2, width)))
        assert image.format == "PNG"
        assert image.width == width
        assert abs(image.height / image.width - 842 / 595) < 0.01


def test_a_black_and_white_page_is_stored_in_greyscale() -> None:
    """Most documents have no colour: their pages are greyscale PNGs (smaller to send)."""
    image = Image.open(io.BytesIO(pages.render(make_pdf("Công văn"), 1, 800)))
    assert image.mode == "L"


def test_a_width_outside_the_fixed_ones_is_refused() -> None:
    """Only the fixed widths are rendered, so nobody can fill the cache with sizes."""
    with pytest.raises(RenderFailed) as refused:
        pages.render(make_pdf("x"), 1, 801)
    assert refused.value.code == "page_width_invalid"
    assert "Độ rộng" in refused.value.vi
    assert "width" in refused.value.en


def test_a_missing_page_is_not_found() -> None:
    """Page 0 and a page past the end are 'not found' in both languages."""
    data = make_pdf("một")
    for page in (0, 2):
        with pytest.raises(NotFound) as missing:
            pages.render(data, page, 800)
        assert "trang" in missing.value.vi


@pytest.mark.parametrize("data", [
    edit_pdf(make_pdf("mật"), lambda pdf: None,
             encryption=pikepdf.Encryption(user="mat-khau", owner="chu")),
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF",
    b"not a pdf at all",
], ids=["encrypted", "damaged", "not-pdf"])
def test_an_encrypted_or_damaged_pdf_gets_a_clear_message(data: bytes, tmp_path: Path) -> None:
    """An encrypted or damaged file shows a message telling to download it, never an error
    page; the cache remembers it so a page request does not read the file again."""
    cache = pages.PageCache(tmp_path)
    with pytest.raises(RenderFailed) as refused:
        cache.page_count(SHA, lambda: data)
    assert refused.value.code == "pdf_unreadable"
    assert "mật khẩu" in refused.value.vi
    assert "password" in refused.value.en
    assert cache.known_unreadable(SHA)
    with pytest.raises(RenderFailed):
        cache.page_png(SHA, 1, 800, lambda: pytest.fail("the file was read again"))


def test_the_cache_renders_each_page_once_by_the_pdf_hash(tmp_path: Path) -> None:
    """The page count and each page at each width are read from the file once; later requests
    are answered from the content-addressed cache (hash, page, width name the file)."""
    data = make_pdf("một", "hai")
    reads: list[int] = []

    def read() -> bytes:
        reads.append(1)
        return data

    cache = pages.PageCache(tmp_path)
    assert cache.page_count(SHA, read) == 2
    assert cache.page_count(SHA, read) == 2
    first = cache.page_png(SHA, 1, 800, read)
    assert cache.page_png(SHA, 1, 800, read) == first
    assert cache.page_png(SHA, 1, 480, read) != first
    assert len(reads) == 3
    assert (tmp_path / SHA[:2] / SHA / "1-800.png").read_bytes() == first
    with pytest.raises(ValueError, match="sha256"):
        cache.page_count("../../etc", read)


def test_a_page_past_the_end_is_refused_from_the_cached_count(tmp_path: Path) -> None:
    """A request for a page the PDF does not have is answered from the cached page count: the
    file is read (and parsed) once to count it, never again for such requests."""
    data = make_pdf("một", "hai")
    reads: list[int] = []

    def read() -> bytes:
        reads.append(1)
        return data

    cache = pages.PageCache(tmp_path)
    png = cache.page_png(SHA, 2, 800, read)
    assert Image.open(io.BytesIO(png)).width == 800
    assert len(reads) == 1  # counted and rendered from one read
    for page in (3, 99, 0, -1):
        with pytest.raises(NotFound):
            cache.page_png(SHA, page, 800, lambda: pytest.fail("the file was read again"))
    assert len(reads) == 1
