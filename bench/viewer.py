"""Document viewer benchmark (ADR 0018): page images per second rendered by pdfium at the
viewer's width (a cache miss), and served from the content-addressed cache (a hit), beside
poppler's ``pdftoppm`` rendering the same pages at the same size in the same run (the tool the
project already used for page images). Pure: no database. Run alone with
``python -m bench.viewer``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import tempfile
import time
from pathlib import Path

from bench import Result, markdown

PAGES = 10


def _pdf(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        for line in range(40):
            sheet.drawString(60, 780 - 18 * line, f"Trang {n + 1}, dong {line + 1}: Ve viec thu")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def run(args: argparse.Namespace) -> list[Result]:
    """Cold renders, cache hits and pdftoppm, each over every page of a 10-page PDF."""
    from vanban.pdfs import pages
    from vanban.pdfs.render import first_page_png

    data = _pdf(PAGES)
    sha = hashlib.sha256(data).hexdigest()
    rounds = max(1, int(getattr(args, "viewer_rounds", 3)))
    with tempfile.TemporaryDirectory(prefix="vanban-bench-pages-") as folder:
        start = time.perf_counter()
        for _ in range(rounds):
            for page in range(1, PAGES + 1):
                pages.render(data, page, pages.DEFAULT_WIDTH)
        cold = rounds * PAGES / (time.perf_counter() - start)
        cache = pages.PageCache(Path(folder))
        for page in range(1, PAGES + 1):
            cache.page_png(sha, page, pages.DEFAULT_WIDTH, lambda: data)
        start = time.perf_counter()
        for _ in range(rounds * 20):
            for page in range(1, PAGES + 1):
                cache.page_png(sha, page, pages.DEFAULT_WIDTH, lambda: data)
        hits = rounds * 20 * PAGES / (time.perf_counter() - start)
    # pdftoppm at the DPI that gives the same 800 px width for an A4 page (595 pt).
    dpi = round(pages.DEFAULT_WIDTH * 72 / 595)
    start = time.perf_counter()
    for _ in range(rounds * PAGES):
        first_page_png(data, dpi)
    poppler = rounds * PAGES / (time.perf_counter() - start)
    name = f"pdftoppm subprocess, same pages at {dpi} dpi"
    return [
        Result(f"Viewer: page image rendered (cache miss), {pages.DEFAULT_WIDTH} px", cold,
               "pages/s", name, poppler, "≥ 1× pdftoppm"),
        Result("Viewer: page image from the cache (hit)", hits, "pages/s", name, poppler, ""),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.viewer", description=__doc__)
    parser.add_argument("--viewer-rounds", type=int, default=3)
    print(markdown(run(parser.parse_args())))
