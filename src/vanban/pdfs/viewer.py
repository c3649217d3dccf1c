"""The document viewer beside a form (ADR 0018): which page images to show, from the page cache
under ``VANBAN_HOME``. The page that acts on a document builds a :class:`Viewer` for a PDF it
already may show; the page-image views serve :func:`page_png` after the same permission check
as the file download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from vanban.core.errors import DomainError
from vanban.pdfs import pages
from vanban.pdfs.pages import DEFAULT_WIDTH, PageCache, Reader


def page_cache() -> PageCache:
    """The installation's page cache (``VANBAN_PAGE_CACHE``, else ``VANBAN_HOME/cache/pages``)."""
    root = settings.VANBAN_PAGE_CACHE or Path(settings.VANBAN_HOME) / "cache" / "pages"
    return PageCache(Path(root))


@dataclass(frozen=True)
class Viewer:
    """What the viewer column shows: page image addresses, or why there are none."""

    pages: list[str] = field(default_factory=list)
    download: str = ""
    error: str = ""
    width: int = DEFAULT_WIDTH


def viewer_for(sha256: str, *, read: Reader, page_url: Callable[[int], str], download: str,
               language: str) -> Viewer:
    """The viewer of the PDF ``sha256``: one lazily loaded image per page, or a clear message
    (in ``language``) when the PDF is encrypted or damaged."""
    try:
        count = page_cache().page_count(sha256, read)
    except DomainError as err:
        return Viewer(download=download, error=err.message(language))
    return Viewer(pages=[f"{page_url(n)}?w={DEFAULT_WIDTH}" for n in range(1, count + 1)],
                  download=download)


def width_of(value: str | None) -> int:
    """The ``?w=`` of a page image address (the default when absent); others are refused."""
    try:
        width = int(value) if value else DEFAULT_WIDTH
    except ValueError:
        width = 0
    return pages.check_width(width)


def page_png(sha256: str, page: int, width: int, *, read: Reader) -> bytes:
    """One page image from the cache, rendered on a miss."""
    return page_cache().page_png(sha256, page, width, read)
