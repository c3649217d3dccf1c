"""Recognise a file by its first bytes (not by its name), to say what a refused file really is.

Pure Python: no Django import.
"""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    """A recognised format: a short code and how to name it to the user."""

    code: str
    vi: str
    en: str


JPEG = Kind("jpeg", "ảnh JPEG", "a JPEG image")
PNG = Kind("png", "ảnh PNG", "a PNG image")
TIFF = Kind("tiff", "ảnh TIFF", "a TIFF image")
PDF = Kind("pdf", "tài liệu PDF", "a PDF document")
_SIGNATURES: tuple[tuple[bytes, Kind], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"GIF87a", Kind("gif", "ảnh GIF", "a GIF image")),
    (b"GIF89a", Kind("gif", "ảnh GIF", "a GIF image")),
    (b"BM", Kind("bmp", "ảnh BMP", "a BMP image")),
    (b"PK\x03\x04", Kind("zip", "tệp nén ZIP (hoặc Word/Excel .docx/.xlsx)",
                         "a ZIP archive (or a Word/Excel .docx/.xlsx file)")),
    (b"\xd0\xcf\x11\xe0", Kind("ole", "tài liệu Word/Excel cũ (.doc/.xls)",
                               "an old Word/Excel document (.doc/.xls)")),
    (b"Rar!", Kind("rar", "tệp nén RAR", "a RAR archive")),
    (b"7z\xbc\xaf", Kind("7z", "tệp nén 7z", "a 7z archive")),
    (b"MZ", Kind("exe", "chương trình Windows", "a Windows program")),
    (b"\x7fELF", Kind("elf", "chương trình", "a program")),
)
_MARKUP = Kind("html", "trang web HTML hoặc XML", "an HTML or XML page")
_TEXT = Kind("text", "văn bản thuần", "plain text")
UNKNOWN = Kind("unknown", "định dạng không xác định", "an unknown format")


def sniff(data: bytes) -> Kind:
    """The format of ``data`` judged from its first bytes."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        return Kind("webp", "ảnh WebP", "a WebP image")
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        return _MARKUP
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return UNKNOWN
    return _TEXT if head else UNKNOWN
