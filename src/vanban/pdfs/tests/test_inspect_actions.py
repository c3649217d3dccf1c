"""R16.1 at every door: PDFs that reach out by themselves (a web address opened on opening, form
data sent elsewhere, other files opened or read) and decompression bombs are refused with a
reason in Vietnamese and English; ordinary links and ordinary compressed pages still pass."""

from __future__ import annotations

import binascii
import io
import tracemalloc
import zlib

import pikepdf
import pytest

from vanban.pdfs.errors import PdfRejected, Reason
from vanban.pdfs.inspect import inspect_pdf
from vanban.pdfs.streams import find_bomb
from vanban.pdfs.tests.conftest import edit_pdf

LIMIT = 10 * 1024 * 1024
MB = 1024 * 1024


def _refused(data: bytes, reason: Reason, **limits: int) -> PdfRejected:
    with pytest.raises(PdfRejected) as info:
        inspect_pdf(data, max_bytes=LIMIT, **limits)
    err = info.value
    assert err.reason == reason, (err.reason, err.detail)
    assert err.extra["reason"] == reason.value
    assert err.message("vi") != err.message("en")
    return err


def _uri(pdf: pikepdf.Pdf, address: str = "https://tracker.example/open") -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.URI, URI=pikepdf.String(address)))


def _link(pdf: pikepdf.Pdf, action: pikepdf.Object) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100], A=action))


def test_web_address_opened_on_opening_is_refused(valid_pdf: bytes) -> None:
    """R16.1: /OpenAction with a URI contacts a web address without a click: refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = _uri(pdf)
    err = _refused(edit_pdf(valid_pdf, change), Reason.AUTOMATIC_URI)
    assert "khi mở tệp" in err.message("vi")
    assert "opens a web address by itself (run on opening)" in err.message("en")


def test_web_address_in_an_automatic_trigger_is_refused(valid_pdf: bytes) -> None:
    """R16.1: a URI in a page's /AA (run when the page opens), even behind /Next, is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        first = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.GoTo, D=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]),
            Next=_uri(pdf)))
        pdf.pages[1].AA = pikepdf.Dictionary(O=first)
    _refused(edit_pdf(valid_pdf, change), Reason.AUTOMATIC_URI)


def test_action_shared_by_a_link_and_open_action_is_refused(valid_pdf: bytes) -> None:
    """R16.1: the same URI action behind a link (allowed) and /OpenAction (not) is refused,
    whichever way the walk reaches it first."""
    def change(pdf: pikepdf.Pdf) -> None:
        action = _uri(pdf)
        pdf.pages[0].Annots = pikepdf.Array([_link(pdf, action)])
        pdf.Root.OpenAction = action
    _refused(edit_pdf(valid_pdf, change), Reason.AUTOMATIC_URI)


def test_ordinary_links_and_open_at_page_still_pass(valid_pdf: bytes) -> None:
    """R16.1 without false alarms: a clicked web link and an /OpenAction that only shows page
    1 are what ordinary office documents carry."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].Annots = pikepdf.Array([_link(pdf, _uri(pdf, "https://bacgiang.gov.vn"))])
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    assert inspect_pdf(edit_pdf(valid_pdf, change), max_bytes=LIMIT).page_count == 2


def test_submit_form_is_refused(valid_pdf: bytes) -> None:
    """R16.1: a button that sends the form's data to another server is refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        submit = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.SubmitForm, F=pikepdf.Dictionary(
                FS=pikepdf.Name.URL, F=pikepdf.String("https://collect.example/"))))
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Btn,
            T=pikepdf.String("gui"), Rect=[0, 0, 50, 20], A=submit))
        pdf.pages[0].Annots = pikepdf.Array([widget])
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([widget]))
    err = _refused(edit_pdf(valid_pdf, change), Reason.SUBMIT_FORM)
    assert "SubmitForm" in err.message("vi")
    assert "sends form data elsewhere" in err.message("en")


@pytest.mark.parametrize("action", ["GoToR", "ImportData"])
def test_actions_that_open_or_read_another_file_are_refused(valid_pdf: bytes,
                                                            action: str) -> None:
    """R16.1: GoToR (open another PDF) and ImportData (read a data file) are refused."""
    def change(pdf: pikepdf.Pdf) -> None:
        target = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name("/" + action), F=pikepdf.String("\\\\server\\share\\x.pdf"),
            D=pikepdf.Array([0, pikepdf.Name.Fit])))
        pdf.pages[1].Annots = pikepdf.Array([_link(pdf, target)])
    err = _refused(edit_pdf(valid_pdf, change), Reason.OUTSIDE_FILE)
    assert action in err.message("vi")
    assert action in err.message("en")
    assert "annotation" in err.message("en")


def test_go_to_embedded_is_refused_as_an_embedded_file(valid_pdf: bytes) -> None:
    """R16.1: GoToE opens a file carried inside the PDF: refused like the attachment itself."""
    def change(pdf: pikepdf.Pdf) -> None:
        target = pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.GoToE, T=pikepdf.Dictionary(R=pikepdf.Name.C,
                                                        N=pikepdf.String("x.pdf"))))
        pdf.pages[0].Annots = pikepdf.Array([_link(pdf, target)])
    _refused(edit_pdf(valid_pdf, change), Reason.EMBEDDED_FILE)


def _zeros_deflated(size: int, *, level: int = 9) -> bytes:
    engine = zlib.compressobj(level)
    block = bytes(MB)
    body = b"".join(engine.compress(block) for _ in range(size // MB))
    return body + engine.compress(bytes(size % MB)) + engine.flush()


def _with_stream(valid_pdf: bytes, raw: bytes, filters: list[str],
                 **extra: int) -> bytes:
    """``valid_pdf`` with a page content stream stored exactly as ``raw`` under ``filters``."""
    def change(pdf: pikepdf.Pdf) -> None:
        stream = pikepdf.Stream(pdf, b"")
        stream.write(raw, filter=[pikepdf.Name(f) for f in filters])
        for key, value in extra.items():
            stream[f"/{key}"] = value
        pdf.pages[0].Contents = pikepdf.Array([pdf.pages[0].Contents, pdf.make_indirect(stream)])
    # saved as stored: qpdf would otherwise inflate and re-deflate the stream
    return edit_pdf(valid_pdf, change, compress_streams=False,
                    stream_decode_level=pikepdf.StreamDecodeLevel.none)


@pytest.fixture(scope="module")
def bomb_300mb() -> bytes:
    """Deflate of 300 MB of zeros, deflated once more: 300 MB from well under a kilobyte."""
    return zlib.compress(_zeros_deflated(300 * MB), 9)


def test_nested_flate_bomb_is_refused_with_little_memory(valid_pdf: bytes,
                                                         bomb_300mb: bytes) -> None:
    """R16.1: a stream of a few hundred bytes that inflates (Flate over Flate) past the 256 MB
    default is refused, and checking it never holds more than a few megabytes."""
    data = _with_stream(valid_pdf, bomb_300mb, ["/FlateDecode", "/FlateDecode"])
    assert len(bomb_300mb) < 2_000  # the whole bomb weighs less than a kilobyte or two
    tracemalloc.start()
    try:
        err = _refused(data, Reason.DECOMPRESSION_BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * MB, peak
    assert "256.0 MB" in err.message("vi")
    assert "decompression bomb" in err.message("en")


def test_limits_come_from_the_settings(settings, valid_pdf: bytes) -> None:
    """R16.1: VANBAN_PDF_MAX_STREAM_BYTES bounds one stream; VANBAN_PDF_MAX_DECODED_BYTES all."""
    data = _with_stream(valid_pdf, _zeros_deflated(3 * MB), ["/FlateDecode"])
    assert inspect_pdf(data, max_bytes=LIMIT).page_count == 2
    settings.VANBAN_PDF_MAX_STREAM_BYTES = 2 * MB
    _refused(data, Reason.DECOMPRESSION_BOMB)
    settings.VANBAN_PDF_MAX_STREAM_BYTES = 4 * MB
    settings.VANBAN_PDF_MAX_DECODED_BYTES = 5 * MB
    twice = _with_stream(data, _zeros_deflated(3 * MB), ["/FlateDecode"])
    assert inspect_pdf(data, max_bytes=LIMIT).page_count == 2
    err = _refused(twice, Reason.DECOMPRESSION_BOMB)
    assert "objects" not in err.message("en")  # the technical detail stays in the log


def test_declared_decoded_length_is_refused_unread(valid_pdf: bytes) -> None:
    """R16.1: a stream whose /DL declares more than the limit is refused before decoding."""
    data = _with_stream(valid_pdf, zlib.compress(b"q Q\n"), ["/FlateDecode"], DL=10**12)
    err = _refused(data, Reason.DECOMPRESSION_BOMB)
    assert "1000000000000 bytes" in err.detail


def test_bomb_behind_an_ascii_stage_is_found(valid_pdf: bytes) -> None:
    """R16.1: hex-encoding the compressed bytes first does not hide the bomb."""
    hexed = binascii.hexlify(_zeros_deflated(6 * MB)) + b">"
    data = _with_stream(valid_pdf, hexed, ["/ASCIIHexDecode", "/FlateDecode"])
    _refused(data, Reason.DECOMPRESSION_BOMB, max_stream_bytes=4 * MB)


def test_flate_behind_a_stage_not_expanded_is_refused(valid_pdf: bytes) -> None:
    """R16.1: a Flate bomb put behind a RunLength (or LZW) stage cannot slip past the count:
    such a chain is refused whatever it holds."""
    packed = _zeros_deflated(6 * MB)
    run_length = b"".join(bytes([len(packed[i:i + 128]) - 1]) + packed[i:i + 128]
                          for i in range(0, len(packed), 128)) + b"\x80"
    data = _with_stream(valid_pdf, run_length, ["/RunLengthDecode", "/FlateDecode"])
    _refused(data, Reason.DECOMPRESSION_BOMB, max_stream_bytes=4 * MB)


def test_ordinary_compressed_pages_pass(valid_pdf: bytes) -> None:
    """R16.1 without false alarms: real page content, compressed, is measured and passes."""
    with pikepdf.open(io.BytesIO(valid_pdf)) as pdf:
        assert find_bomb(pdf, valid_pdf, max_stream=64 * 1024) is None
    compressed = edit_pdf(valid_pdf, lambda pdf: None,
                          compress_streams=True,
                          stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    assert inspect_pdf(compressed, max_bytes=LIMIT, max_stream_bytes=MB).page_count == 2



def test_object_headers_quoted_inside_a_page_are_harmless(valid_pdf: bytes) -> None:
    """R16.1 without false alarms: page text that looks like object headers (huge numbers,
    objects that do not exist) neither breaks the measurement nor refuses the file."""
    text = b"BT /F1 12 Tf 72 700 Td (4294967296 0 obj 99999999 0 obj 7 65535 obj) Tj ET"
    data = _with_stream(valid_pdf, text, [])
    assert b"4294967296 0 obj" in data
    assert inspect_pdf(data, max_bytes=LIMIT).page_count == 2
