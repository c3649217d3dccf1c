"""The visible signature mark is set at the font's own widths (issue 13, observed 9): not
letter-spaced ("K ý b ở i"), not clipped at the frame's right edge (R15.1)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from vanban.signatures import appearance, services
from vanban.signatures.tests.conftest import make_pdf
from vanban.signatures.tests.test_signing import _widget_rect

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>')


def _boxes(signed: bytes) -> dict[str, tuple[float, float]]:
    """Each text run of page 1 as poppler places it: its left and right edge in points."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "signed.pdf"
        path.write_bytes(signed)
        html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                              capture_output=True, check=True, timeout=30).stdout.decode()
    return {text: (float(x0), float(x1)) for x0, x1, text in _WORD.findall(html)}


def test_mark_lines_fit_their_frame_at_the_fonts_widths(issued, clerk, agency):
    """R15.1: every line of the mark extracts whole ("Ký bởi: …"), is as wide as the font
    says (not twice: the font's 2048 units per em were once read as PDF thousandths) and ends
    inside the frame; the frame is sized to the text, not a fixed width."""
    signed = services.pdf_sign(actor=clerk, agency=agency, data=make_pdf()).data
    (x1, _y1, x2, _y2), _w, _h, _ = _widget_rect(signed)
    boxes = _boxes(signed)
    lines = [line for line in boxes if line.startswith(("Ký bởi:", "Cơ quan:", "Thời gian"))]
    assert len(lines) == 3, boxes
    for line in lines:
        left, right = boxes[line]
        expected = appearance.text_width([line], settings.VANBAN_FONT_PATH)
        assert abs((right - left) - expected) < 0.1 * expected, (line, right - left, expected)
        assert x1 <= left
        assert right <= x2
    widest = max(boxes[line][1] - boxes[line][0] for line in lines)
    assert x2 - x1 < widest + 2 * appearance.PADDING
