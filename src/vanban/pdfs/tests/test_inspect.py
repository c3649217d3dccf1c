"""R3.1 entry points refuse what must not enter, with a clear reason in Vietnamese and English:
non-PDF content behind a .pdf name, encrypted, damaged, active content, too large (issue 3)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pikepdf
import pytest

from vanban.core.errors import ValidationFailed
from vanban.pdfs.errors import PdfRejected, Reason
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.pdfs.tests.conftest import edit_pdf, make_image, sign_pdf

LIMIT = 10 * 1024 * 1024


def _refused(data: bytes, reason: Reason, **kwargs: int) -> PdfRejected:
    with pytest.raises(PdfRejected) as info:
        inspect_pdf(data, max_bytes=kwargs.get("max_bytes", LIMIT))
    err = info.value
    assert err.reason == reason, (err.reason, err.detail)
    assert err.message("vi") != err.message("en")
    assert err.message("vi").strip()
    assert err.message("en").strip()
    assert err.extra["reason"] == reason.value  # the API problem body carries the reason
    assert isinstance(err, ValidationFailed)
    assert err.status == 400
    return err


def test_clean_pdf_is_described(valid_pdf: bytes) -> None:
    """A clean PDF is accepted with its page count, version and hash."""
    info = inspect_pdf(valid_pdf, max_bytes=LIMIT)
    assert info == PdfInfo(page_count=2, pdf_version="1.3", has_signatures=False,
                           sha256=hashlib.sha256(valid_pdf).hexdigest(), size=len(valid_pdf))


def test_default_limit_comes_from_settings(settings, valid_pdf: bytes) -> None:
    """Without ``max_bytes`` the installation's VANBAN_MAX_UPLOAD_BYTES applies."""
    settings.VANBAN_MAX_UPLOAD_BYTES = len(valid_pdf) - 1
    with pytest.raises(PdfRejected) as info:
        inspect_pdf(valid_pdf)
    assert info.value.reason == Reason.TOO_LARGE
    settings.VANBAN_MAX_UPLOAD_BYTES = len(valid_pdf)
    assert inspect_pdf(valid_pdf).page_count == 2


def test_too_large(valid_pdf: bytes) -> None:
    """Files over the configured limit are refused before parsing, naming size and limit."""
    err = _refused(valid_pdf, Reason.TOO_LARGE, max_bytes=1000)
    assert "1000 B" in err.message("vi")
    assert "the limit is 1000 B" in err.message("en")


def test_empty_file() -> None:
    """A zero-byte upload is refused as empty."""
    _refused(b"", Reason.EMPTY)


def test_pdf_without_pages() -> None:
    """A well-formed PDF with no page has nothing to register or sign."""
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.save(out)
    _refused(out.getvalue(), Reason.EMPTY)


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(("data", "vi", "en"), [
    (make_image("PNG"), "ảnh PNG", "a PNG image"),
    (make_image("JPEG"), "ảnh JPEG", "a JPEG image"),
    (_zip(), "tệp nén ZIP", "a ZIP archive"),
    (b"<!DOCTYPE html><html><body>Trang web</body></html>", "trang web HTML", "an HTML"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "Word/Excel cũ", "old Word/Excel"),
    ("Công văn số 05\n".encode(), "văn bản thuần", "plain text"),
    (bytes(range(256)) * 4, "định dạng không xác định", "an unknown format"),
])
def test_not_a_pdf_behind_a_pdf_name(data: bytes, vi: str, en: str) -> None:
    """R3.1: content that is not a PDF is refused, saying what it really is."""
    err = _refused(data, Reason.NOT_PDF)
    assert vi in err.message("vi")
    assert en in err.message("en")


def test_truncated_pdf(valid_pdf: bytes) -> None:
    """A PDF cut short (interrupted upload or scan) is refused as damaged."""
    for cut in (len(valid_pdf) // 2, len(valid_pdf) - 20, 40):
        _refused(valid_pdf[:cut], Reason.BROKEN)


def test_garbage_after_a_valid_header() -> None:
    """A PDF header followed by garbage is refused as damaged."""
    noise = hashlib.sha256(b"seed").digest() * 200
    _refused(b"%PDF-1.7\n" + noise + b"\n%%EOF\n", Reason.BROKEN)
    _refused(b"%PDF-1.7\n" + noise, Reason.BROKEN)
    _refused(b"%PDF-x.y\n" + noise, Reason.BROKEN)


def test_damaged_cross_reference_table(valid_pdf: bytes) -> None:
    """A file that needs repair (wrong xref offset) is refused rather than silently fixed."""
    head, _, tail = valid_pdf.rpartition(b"startxref\n")
    offset = int(tail.split(b"\n")[0])
    damaged = head + b"startxref\n" + str(offset + 7).encode() + b"\n%%EOF\n"
    _refused(damaged, Reason.BROKEN)


@pytest.mark.parametrize(("user", "owner"), [("mật-khẩu", "chủ"), ("", "chủ")])
def test_encrypted_pdf(valid_pdf: bytes, user: str, owner: str) -> None:
    """Encrypted PDFs are refused, with a user password and with an owner password only."""
    encrypted = edit_pdf(valid_pdf, lambda pdf: None,
                         encryption=pikepdf.Encryption(user=user, owner=owner))
    err = _refused(encrypted, Reason.ENCRYPTED)
    assert "mật khẩu" in err.message("vi")


def _js_action(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))


def test_open_action_javascript(valid_pdf: bytes) -> None:
    """JavaScript run on opening the document is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = _js_action(pdf)
    err = _refused(edit_pdf(valid_pdf, change), Reason.JAVASCRIPT)
    assert "khi mở tệp" in err.message("vi")
    assert "run on opening" in err.message("en")


def test_javascript_in_a_link_annotation(valid_pdf: bytes) -> None:
    """JavaScript behind a link annotation on page 2 is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                  Rect=[0, 0, 100, 100], A=_js_action(pdf))
        pdf.pages[1].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    err = _refused(edit_pdf(valid_pdf, change), Reason.JAVASCRIPT)
    assert "annotation" in err.message("en")


def test_javascript_in_the_names_tree(valid_pdf: bytes) -> None:
    """Document-level JavaScript (the /Names /JavaScript tree) is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        tree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("init"), _js_action(pdf)]))
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pdf.make_indirect(tree))
    err = _refused(edit_pdf(valid_pdf, change), Reason.JAVASCRIPT)
    assert "names tree" in err.message("en")


def test_javascript_in_page_additional_actions(valid_pdf: bytes) -> None:
    """JavaScript in a page's additional actions (/AA, run when the page opens) is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].AA = pikepdf.Dictionary(O=_js_action(pdf))
    _refused(edit_pdf(valid_pdf, change), Reason.JAVASCRIPT)


def test_launch_action(valid_pdf: bytes) -> None:
    """A /Launch action (start a program) is refused, and named before any script."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                 F=pikepdf.String("calc.exe"))
        pdf.pages[0].AA = pikepdf.Dictionary(O=_js_action(pdf))
    err = _refused(edit_pdf(valid_pdf, change), Reason.LAUNCH_ACTION)
    assert "Launch" in err.message("vi")


def test_embedded_file(valid_pdf: bytes) -> None:
    """A PDF carrying an attachment is refused: appendices go in as pages (R15.2)."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["phu-luc.docx"] = pikepdf.AttachedFileSpec(pdf, b"PK\x03\x04 payload")
    err = _refused(edit_pdf(valid_pdf, change), Reason.EMBEDDED_FILE)
    assert "phụ lục" in err.message("vi")


def test_objects_in_compressed_object_streams_are_checked(valid_pdf: bytes) -> None:
    """Active content hidden in a compressed object stream is found too."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = _js_action(pdf)
    hidden = edit_pdf(valid_pdf, change, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/JavaScript" not in hidden
    _refused(hidden, Reason.JAVASCRIPT)


def test_uri_links_are_allowed(valid_pdf: bytes) -> None:
    """Ordinary web links (/URI actions) are not active content: the file is accepted."""
    def change(pdf: pikepdf.Pdf) -> None:
        action = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://bacgiang.gov.vn"))
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                  Rect=[0, 0, 100, 100], A=action)
        pdf.pages[0].Annots = pikepdf.Array([link])
    assert inspect_pdf(edit_pdf(valid_pdf, change), max_bytes=LIMIT).page_count == 2


def test_signed_pdf_is_recognised(valid_pdf: bytes, tmp_path: Path) -> None:
    """A PDF signed elsewhere is accepted and reported as signed (incoming documents)."""
    signed = sign_pdf(valid_pdf, tmp_path)
    info = inspect_pdf(signed, max_bytes=LIMIT)
    assert info.has_signatures
    assert info.page_count == 2


def test_pdf_2_0_header(valid_pdf: bytes) -> None:
    """PDF 2.0 files are accepted and their version reported."""
    info = inspect_pdf(edit_pdf(valid_pdf, lambda pdf: None, force_version="2.0"),
                       max_bytes=LIMIT)
    assert info.pdf_version == "2.0"
