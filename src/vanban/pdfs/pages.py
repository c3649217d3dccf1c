"""Pages of a stored PDF as PNG images for the document viewer (ADR 0018).

The viewer shows a document beside the form that acts on it as plain ``<img>`` tags, one per
page, so the page needs no frame and no script-run PDF engine (the CSP stays strict). Pages are
rendered with pdfium at a few fixed widths and kept in a content-addressed cache (the PDF's
SHA-256, the page and the width name the file), so a page is rendered once per installation
whoever looks at it, and a cached file can never show another document's page.

Pure Python: no Django import. The caller passes the cache folder and a function that reads the
PDF only when the cache does not answer.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium  # ships no type information
from PIL import Image

from vanban.core.errors import NotFound
from vanban.pdfs.errors import RenderFailed

WIDTHS = (480, 800, 1200)  # pixels; anything else is refused so the cache stays small
DEFAULT_WIDTH = 800
MAX_PAGES = 500  # pages offered by the viewer; a longer file is read through its download
MAX_ASPECT = 4.0  # a page taller than 4 widths is cut (a scroll of paper is not a page)

_SHA = re.compile(r"^[0-9a-f]{64}$")
# pdfium is not thread-safe: one document opened at a time per process.
_LOCK = threading.Lock()

Reader = Callable[[], bytes]


def unreadable() -> RenderFailed:
    """The error shown instead of the pages of an encrypted or damaged PDF."""
    return RenderFailed(
        "Không hiển thị được các trang của tệp này (tệp được đặt mật khẩu, mã hoá hoặc bị "
        "hỏng). Hãy tải tệp về để xem.",
        "The pages of this file cannot be shown (it is password-protected, encrypted or "
        "damaged). Download the file to read it.", code="pdf_unreadable")


def check_width(width: int) -> int:
    """``width`` if it is one of :data:`WIDTHS`, else a bilingual refusal."""
    if width not in WIDTHS:
        raise RenderFailed(
            f"Độ rộng ảnh trang không hợp lệ; chỉ nhận {', '.join(map(str, WIDTHS))}.",
            f"Invalid page image width; only {', '.join(map(str, WIDTHS))} are accepted.",
            code="page_width_invalid")
    return width


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:  # encrypted, damaged or not a PDF
        raise unreadable() from err


def count(data: bytes) -> int:
    """How many pages ``data`` has; :func:`unreadable` when pdfium cannot open it."""
    with _LOCK:
        pdf = _open(data)
        try:
            return len(pdf)
        finally:
            pdf.close()


def render(data: bytes, page: int, width: int) -> bytes:
    """Page ``page`` (1-based) of ``data`` as a PNG ``width`` pixels wide."""
    check_width(width)
    with _LOCK:
        pdf = _open(data)
        try:
            if not 1 <= page <= min(len(pdf), MAX_PAGES):
                raise _no_page(page)
            sheet = pdf[page - 1]
            try:
                points_w, points_h = sheet.get_size()
                if points_w <= 0 or points_h <= 0:
                    raise unreadable()
                scale = width / points_w
                crop_h = max(0.0, points_h - points_w * MAX_ASPECT)
                bitmap = sheet.render(scale=scale, crop=(0, crop_h, 0, 0), may_draw_forms=True)
                image = _compact(bitmap.to_pil().convert("RGB"))
            except pdfium.PdfiumError as err:
                raise unreadable() from err
            finally:
                sheet.close()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _compact(image: Image.Image) -> Image.Image:
    """The page in greyscale when it has no colour (a third of the PNG's size)."""
    low_high = image.convert("HSV").getchannel("S").getextrema()
    most = low_high[1] if isinstance(low_high, tuple) else low_high
    return image.convert("L") if isinstance(most, (int, float)) and most <= 8 else image


def _once(read: Reader) -> Reader:
    """``read`` calling the store at most once (the count and the page may both need it)."""
    kept: list[bytes] = []

    def again() -> bytes:
        if not kept:
            kept.append(read())
        return kept[0]

    return again


def _no_page(page: int) -> NotFound:
    return NotFound(f"Tệp không có trang {page}.", f"The file has no page {page}.",
                    code="page_missing")


class PageCache:
    """Rendered pages and page counts under ``root``, named by the PDF's SHA-256.

    Files are written to a temporary name and renamed, so two workers rendering the same page
    at once both end with one whole file; a damaged cache file is only ever a cache miss.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise ValueError("sha256 must be 64 lowercase hex digits")
        return self.root / sha256[:2] / sha256

    def page_count(self, sha256: str, read: Reader) -> int:
        """The number of pages the viewer offers (at most :data:`MAX_PAGES`)."""
        path = self._dir(sha256) / "pages"
        with contextlib.suppress(OSError, ValueError):
            return int(path.read_text("ascii"))
        try:
            found = min(count(read()), MAX_PAGES)
        except RenderFailed:
            self._write(self._dir(sha256) / "unreadable", b"")
            raise
        self._write(path, str(found).encode("ascii"))
        return found

    def known_unreadable(self, sha256: str) -> bool:
        """Whether this PDF already failed to open (so a page does not read it again)."""
        return (self._dir(sha256) / "unreadable").exists()

    def page_png(self, sha256: str, page: int, width: int, read: Reader) -> bytes:
        """Page ``page`` at ``width`` pixels, from the cache or rendered and kept."""
        check_width(width)
        path = self._dir(sha256) / f"{page}-{width}.png"
        with contextlib.suppress(OSError):
            return path.read_bytes()
        if self.known_unreadable(sha256):
            raise unreadable()
        if page < 1:
            raise _no_page(page)
        read = _once(read)
        # The count is cached: a page past the end is refused without reading the PDF again.
        if page > self.page_count(sha256, read):
            raise _no_page(page)
        png = render(read(), page, width)
        self._write(path, png)
        return png

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
