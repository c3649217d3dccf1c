"""R15.2: the main document and its appendices become one file so one signature covers all."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from vanban.pdfs.errors import PdfRejected, Reason
from vanban.pdfs.inspect import inspect_pdf
from vanban.pdfs.merge import merge_pdfs
from vanban.pdfs.render import page_text
from vanban.pdfs.tests.conftest import edit_pdf, make_pdf, sign_pdf

LIMIT = 10 * 1024 * 1024


def test_main_text_first_then_appendices_in_order() -> None:
    """R15.2: page counts add up and the order is main text, appendix 1, appendix 2."""
    main = make_pdf("Quyết định: trang 1", "Quyết định: trang 2")
    first = make_pdf("Phụ lục I")
    second = make_pdf("Phụ lục II: trang 1", "Phụ lục II: trang 2", "Phụ lục II: trang 3")
    merged = merge_pdfs([main, first, second], max_bytes=LIMIT)
    info = inspect_pdf(merged, max_bytes=LIMIT)
    assert info.page_count == 2 + 1 + 3
    texts = [page_text(merged, n).strip() for n in range(1, 7)]
    assert texts == ["Quyết định: trang 1", "Quyết định: trang 2", "Phụ lục I",
                     "Phụ lục II: trang 1", "Phụ lục II: trang 2", "Phụ lục II: trang 3"]


def test_merge_is_deterministic() -> None:
    """R15.2: merging the same parts twice gives the same bytes, hence the same stored blob."""
    parts = [make_pdf("Văn bản"), make_pdf("Phụ lục")]
    assert merge_pdfs(parts, max_bytes=LIMIT) == merge_pdfs(parts, max_bytes=LIMIT)


def test_single_part_is_returned_unchanged() -> None:
    """With no appendix the uploaded bytes are kept as they are (nothing is rewritten)."""
    main = make_pdf("Văn bản")
    assert merge_pdfs([main], max_bytes=LIMIT) is main


def test_a_refused_appendix_names_its_part() -> None:
    """R15.2: an appendix with JavaScript is refused and the error says which file it was."""
    main = make_pdf("Văn bản")

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert(1)"))
    bad = edit_pdf(make_pdf("Phụ lục"), change)
    with pytest.raises(PdfRejected) as info:
        merge_pdfs([main, bad], max_bytes=LIMIT)
    err = info.value
    assert (err.reason, err.part) == (Reason.JAVASCRIPT, 2)
    assert err.message("vi").startswith("Tệp thứ 2: Tệp PDF chứa mã JavaScript")
    assert err.message("en").startswith("File 2: The PDF contains JavaScript")
    assert err.extra == {"reason": "javascript", "part": 2}


def test_a_too_large_part_keeps_its_figures() -> None:
    """The size refusal of a part keeps its size and limit in the message."""
    with pytest.raises(PdfRejected) as info:
        merge_pdfs([make_pdf("a"), make_pdf("b")], max_bytes=100)
    assert info.value.part == 1
    assert "100 B" in info.value.message("en")


def test_signed_part_is_refused(tmp_path: Path) -> None:
    """R15.2: merging would break an existing signature; merge first, then sign once."""
    signed = sign_pdf(make_pdf("Văn bản đã ký"), tmp_path)
    with pytest.raises(PdfRejected) as info:
        merge_pdfs([signed, make_pdf("Phụ lục")], max_bytes=LIMIT)
    assert (info.value.reason, info.value.part) == (Reason.SIGNED_PART, 1)
    assert "rồi mới ký" in info.value.message("vi")


def test_nothing_to_merge() -> None:
    """An empty list of parts is refused as empty."""
    with pytest.raises(PdfRejected) as info:
        merge_pdfs([], max_bytes=LIMIT)
    assert info.value.reason == Reason.EMPTY
