"""Merge the main document and its appendices into one PDF, main text first, so that one
signature covers everything (R15.2). Each part is inspected first: nothing refused at intake can
slip in through an appendix, and a signed part is refused because merging would break it.

Pure Python apart from the default size limit (see :mod:`vanban.pdfs.inspect`).
"""

from __future__ import annotations

import io

import pikepdf

from vanban.pdfs.errors import PdfRejected, Reason
from vanban.pdfs.inspect import inspect_pdf


def merge_pdfs(parts: list[bytes], *, max_bytes: int | None = None) -> bytes:
    """The pages of every part, in order, as one new PDF (a single part is returned unchanged).

    Raises :class:`PdfRejected` naming the part (1-based) that cannot be used.
    """
    if not parts:
        raise PdfRejected(Reason.EMPTY)
    for number, part in enumerate(parts, start=1):
        try:
            info = inspect_pdf(part, max_bytes=max_bytes)
        except PdfRejected as err:
            raise err.in_part(number) from err
        if info.has_signatures:
            raise PdfRejected(Reason.SIGNED_PART, part=number)
    if len(parts) == 1:
        return parts[0]
    out = io.BytesIO()
    sources = [pikepdf.open(io.BytesIO(part)) for part in parts]
    try:
        with pikepdf.new() as merged:
            for source in sources:
                merged.pages.extend(source.pages)
            # A fixed /ID makes the merge of the same parts byte-identical: one blob, not many.
            merged.save(out, deterministic_id=True, compress_streams=True)
    finally:
        for source in sources:
            source.close()
    return out.getvalue()

