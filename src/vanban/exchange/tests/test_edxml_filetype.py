"""Types detected from the bytes (issue 10): the declared content type of an attachment cannot
be trusted, so the main document is chosen by what the bytes are (R14.1)."""

from __future__ import annotations

import io
import zipfile

import pytest

from vanban.exchange.core import filetype
from vanban.exchange.core.filetype import detect_type


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, b"x")
    return out.getvalue()


@pytest.mark.parametrize(("data", "expected"), [
    (b"%PDF-1.7\n...", filetype.PDF),
    (b"\xef\xbb\xbfjunk\n%PDF-1.4\n", filetype.PDF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), filetype.DOC),
    (_zip("[Content_Types].xml", "word/document.xml"), filetype.DOCX),
    (_zip("[Content_Types].xml", "xl/workbook.xml"), filetype.XLSX),
    (_zip("[Content_Types].xml", "ppt/presentation.xml"), filetype.PPTX),
    (_zip("a.pdf", "b.doc"), filetype.ZIP),
    (b"PK\x03\x04 damaged", filetype.ZIP),
    (b"\x89PNG\r\n\x1a\n" + bytes(20), filetype.PNG),
    (b"\xff\xd8\xff\xe0" + bytes(20), filetype.JPEG),
    (b"II*\x00" + bytes(20), filetype.TIFF),
    (b"MM\x00*" + bytes(20), filetype.TIFF),
    ('<?xml version="1.0"?><a>Văn bản</a>'.encode(), filetype.XML),
    ("Công văn số 12\r\n".encode(), filetype.TEXT),
    ("é".encode() * 2047 + b"\xc3", filetype.TEXT),  # a character cut by the sniff window
    (b"\x00\x01\x02binary", filetype.OCTET),
    (b"", filetype.OCTET),
])
def test_detect_type(data: bytes, expected: str) -> None:
    """R14.1: each kind the exchange meets is told from its first bytes."""
    assert detect_type(data) == expected
