"""The document viewer (ADR 0018) of an incoming document or of a delivery waiting to be
registered: its page images beside the register, assign and processing forms. Callers have
already checked that the actor may see the document; each image checks it again."""

from __future__ import annotations

from django.urls import reverse

from vanban.exchange.models import Delivery
from vanban.exchange.selectors import readable_file
from vanban.incoming.models import IncomingDocument
from vanban.pdfs.viewer import Viewer, viewer_for
from vanban.storage.selectors import blob_read


def entry_viewer(entry: IncomingDocument, language: str) -> Viewer | None:
    """The registered document's pages (None when it has no file)."""
    sha256 = entry.file_sha256
    if not sha256:
        return None
    return viewer_for(sha256, read=lambda: blob_read(sha256),
                      page_url=lambda n: reverse("incoming:entry_page", args=[entry.pk, n]),
                      download=reverse("incoming:entry_file", args=[entry.pk]),
                      language=language)


def delivery_viewer(delivery: Delivery, language: str) -> Viewer | None:
    """The delivery's main file, while the recipient may still open it."""
    sha256 = delivery.transmission.file_sha256
    if not sha256 or not readable_file(delivery):
        return None
    return viewer_for(sha256, read=lambda: blob_read(sha256),
                      page_url=lambda n: reverse("incoming:delivery_page",
                                                 args=[delivery.uid, n]),
                      download=reverse("incoming:delivery_file", args=[delivery.uid]),
                      language=language)
