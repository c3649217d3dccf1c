"""The document viewer (ADR 0018) for documents: the outgoing document's pages beside the sign
and approve forms, and the one page-image response every app's page view returns after its
own permission check (the same as for the file's download, R16.2)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from vanban.core.errors import DomainError
from vanban.pdfs import viewer
from vanban.pdfs.viewer import Viewer, viewer_for
from vanban.registry.models import Document, DocumentFile
from vanban.storage.selectors import blob_read
from vanban.storage.views import blob_response


def page_response(request: HttpRequest, sha256: str, page: int, **audited: Any) -> HttpResponse:
    """Page ``page`` of the PDF ``sha256`` as a PNG, audited like a download of the PDF (with
    the page and the PDF's hash); a missing page, a bad width or an unreadable file is 404."""
    try:
        png = viewer.page_png(sha256, page, viewer.width_of(request.GET.get("w")),
                              read=lambda: blob_read(sha256))
    except DomainError as err:
        raise Http404(err.en) from None
    return blob_response(request, data=png, content_type="image/png",
                         filename=f"trang-{page}.png", detail={"pdf": sha256, "page": page},
                         **audited)


def file_viewer(document: Document, found: DocumentFile | None, language: str) -> Viewer | None:
    """The pages of a document's file (None when it has none yet)."""
    if found is None or not found.sha256:
        return None
    sha256 = found.sha256
    return viewer_for(sha256, read=lambda: blob_read(sha256),
                      page_url=lambda n: reverse("registry:file_page",
                                                 args=[document.pk, found.pk, n]),
                      download=reverse("registry:file_download", args=[document.pk, found.pk]),
                      language=language)
