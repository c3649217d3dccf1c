"""Scanned pages as images become one PDF without recompression: JPEG data is embedded byte for
byte, PNG and TIFF pixels are kept exactly (lossless, as the issue requires for scans).

Pure Python: no Django import.
"""

from __future__ import annotations

import img2pdf

from vanban.pdfs.errors import ImageRejected
from vanban.pdfs.sniff import JPEG, PNG, TIFF, UNKNOWN, sniff

ACCEPTED = frozenset({JPEG.code, PNG.code, TIFF.code})


def images_to_pdf(images: list[bytes]) -> bytes:
    """One PDF page per image (every frame of a multi-page TIFF), in the order given."""
    if not images:
        raise ImageRejected("no_images", "Chưa có ảnh nào để chuyển thành PDF.",
                            "There are no images to convert to PDF.")
    for number, data in enumerate(images, start=1):
        kind = sniff(data) if data else UNKNOWN
        if kind.code not in ACCEPTED:
            raise ImageRejected(
                "unsupported_image",
                f"chỉ nhận ảnh JPEG, PNG hoặc TIFF; tệp này là {kind.vi}.",
                f"only JPEG, PNG or TIFF images are accepted; this file is {kind.en}.",
                page=number)
    try:
        result: bytes = img2pdf.convert(images)
    except Exception as err:  # img2pdf/Pillow raise many types for unreadable images
        raise ImageRejected("broken_image", f"không đọc được ảnh ({_page_hint(err)}).",
                            f"an image cannot be read ({_page_hint(err)}).") from err
    return result


def _page_hint(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]
