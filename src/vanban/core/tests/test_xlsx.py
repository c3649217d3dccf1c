"""Text written to a workbook stays text, whatever its first character (formula injection)."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook

from vanban.core.xlsx import append_text_safe


def test_formula_like_text_reads_back_as_a_string() -> None:
    """Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR are strings, numbers stay
    numbers."""
    texts = ['=HYPERLINK("http://x.example/","a")', "+1", "-2", "@A1", "\t=1", "\r=1"]
    book = Workbook()
    sheet = book.active
    append_text_safe(sheet, ["STT", "Tên"])
    append_text_safe(sheet, [*texts, 7])
    out = BytesIO()
    book.save(out)
    row = load_workbook(BytesIO(out.getvalue())).worksheets[0][2]
    assert [(c.value, c.data_type) for c in row[:6]] == [(t, "s") for t in texts]
    assert (row[6].value, row[6].data_type) == (7, "n")
