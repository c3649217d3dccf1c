"""What a file really is, from its first bytes: the declared content type of an edXML
attachment cannot be trusted (the SDK writes ``application/zip`` for a zipped ``.doc`` and
``application/pdf`` for a zipped PDF), so the main document is chosen by content.

Pure Python: no Django import.
"""

from __future__ import annotations

import io
import zipfile

__all__ = [
    "DOC", "DOCX", "JPEG", "OCTET", "PDF", "PNG", "PPTX", "TEXT", "TIFF", "XLSX", "XML", "ZIP",
    "detect_type", "is_zip",
]

PDF = "application/pdf"
DOC = "application/msword"  # OLE2 compound file (.doc, and also old .xls/.ppt)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
XML = "application/xml"
TEXT = "text/plain"
OCTET = "application/octet-stream"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
_SNIFF = 4096
_IMAGES = ((b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"II*\x00", TIFF),
           (b"MM\x00*", TIFF))


def is_zip(data: bytes) -> bool:
    """A zip archive by its local-file-header magic (what the SDK's wrapper starts with)."""
    return data[:4] == _ZIP_MAGIC


def detect_type(data: bytes) -> str:
    """The MIME type the bytes show; ``application/octet-stream`` when nothing fits."""
    head = data[:_SNIFF]
    # A PDF may carry a little junk before its header (readers accept up to 1 KB).
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(_OLE2):
        return DOC
    if is_zip(head):
        return _zip_kind(data)
    for magic, kind in _IMAGES:
        if head.startswith(magic):
            return kind
    return _text_kind(head)


def _zip_kind(data: bytes) -> str:
    """OOXML documents are zips holding ``[Content_Types].xml``; the rest are plain zips."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        return ZIP
    if "[Content_Types].xml" not in names:
        return ZIP
    for prefix, kind in _OOXML:
        if any(name.startswith(prefix) for name in names):
            return kind
    return ZIP


def _text_kind(head: bytes) -> str:
    if not head:
        return OCTET
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still text.
        if exc.start < len(body) - 3:
            return OCTET
        text = body[:exc.start].decode("utf-8")
    if any(ch < " " and ch not in "\t\n\r\f" for ch in text):
        return OCTET
    if text.lstrip().startswith("<?xml") or text.lstrip().startswith("<"):
        return XML
    return TEXT
