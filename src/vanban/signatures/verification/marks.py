"""Where the visible signature mark sits (R15.1: bottom left of page 1). A warning only: the
mark is a courtesy to the reader, the signature itself is what proves origin."""

from __future__ import annotations

from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from vanban.signatures.verification.checks import Check, Code, failed, passed


def _widget(field: Any) -> Any:
    """The field's widget annotation (merged into the field, or its first kid)."""
    if "/Rect" in field:
        return field
    kids = field.get("/Kids")
    return kids[0].get_object() if kids else None


def _page_one(reader: PdfFileReader) -> tuple[Any, tuple[float, float, float, float]]:
    page_ref, _ = reader.find_page_for_modification(0)  # type: ignore[no-untyped-call]
    node: Any = page_ref.get_object()
    page = node
    box = None
    while node is not None and box is None:
        box = node.get("/CropBox") or node.get("/MediaBox")
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    if box is None:
        raise ValueError("page 1 has no MediaBox")
    x_a, y_a, x_b, y_b = (float(v) for v in box)
    return page, (min(x_a, x_b), min(y_a, y_b), max(x_a, x_b), max(y_a, y_b))


def _on_page(page: Any, widget: Any) -> bool:
    annots = page.get("/Annots")
    if annots is None:
        return False
    return any(a.get_object() is widget or a.get_object() == widget for a in annots)


def mark_check(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> Check:
    """Pass when the widget of ``sig`` is on page 1 with its centre in the lower-left quarter."""
    try:
        widget = _widget(sig.sig_field)
        page, (x0, y0, x1, y1) = _page_one(reader)
        if widget is None:
            return failed(Code.MARK_POSITION, "mark_missing", warning=True)
        left, bottom, right, top = (float(v) for v in widget["/Rect"])
        if abs(right - left) < 1 or abs(top - bottom) < 1:  # an invisible signature
            return failed(Code.MARK_POSITION, "mark_missing", warning=True)
        if not _on_page(page, widget):
            return failed(Code.MARK_POSITION, "mark_elsewhere", warning=True,
                          detail="not on page 1")
    except Exception as err:  # odd page trees: the mark is only a warning
        return failed(Code.MARK_POSITION, "mark_missing", warning=True, detail=str(err))
    centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
    if centre_x < (x0 + x1) / 2 and centre_y < (y0 + y1) / 2:
        return passed(Code.MARK_POSITION)
    return failed(Code.MARK_POSITION, "mark_elsewhere", warning=True,
                  detail=f"rect {left:.0f},{bottom:.0f},{right:.0f},{top:.0f}")
