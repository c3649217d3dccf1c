"""Serving a stored document to a person, audited (R16.2: every access to a document is logged).

Blobs carry no agency and no permission: the calling page or API action first asks its app's
policy whether the actor may see the document, then hands the blob here. This is the only place
that turns a blob into an HTTP response, so no file leaves the installation without an audit
event naming who, which document and blob, when, and through which page or API action.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from rest_framework.request import Request

from vanban.audit.services import audit_append
from vanban.storage.selectors import blob_read

ACTION = "document.downloaded"


def _route(request: HttpRequest | Request) -> str:
    """The page or API action that served the file (its URL name), for the audit event."""
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", "") or ""
    return str(name)


def blob_response(request: HttpRequest | Request, *, sha256: str = "", filename: str,
                  object_type: str, object_id: object, agency_code: str = "",
                  attachment: bool = False, content_type: str = "application/pdf",
                  data: bytes | None = None,
                  detail: dict[str, object] | None = None) -> HttpResponse:
    """The blob (re-hashed on read) as a response, after appending ``document.downloaded``.

    ``data`` is for a document made on the fly from stored ones (a printed register, a handling
    slip): it is served and audited the same way, with the hash of what was served.
    ``detail`` adds to the audit event what the served bytes were made from (a page image
    names its PDF and page).
    """
    body = blob_read(sha256) if data is None else data
    sha256 = sha256 or hashlib.sha256(body).hexdigest()
    user: Any = request.user
    actor = user if getattr(user, "is_authenticated", False) else None
    path = request.path
    audit_append(actor=actor, action=ACTION, object_type=object_type, object_id=object_id,
                 agency_code=agency_code,
                 data={"sha256": sha256, "via": "api" if path.startswith("/api/") else "page",
                       "route": _route(request), "path": path, "bytes": len(body),
                       "ip": request.META.get("REMOTE_ADDR", ""), **(detail or {})})
    response = HttpResponse(body, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = content_disposition_header(
        disposition == "attachment", _printable(filename)) or disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _printable(filename: str) -> str:
    """The name without control characters: a sender's file name must not end the header or
    start another (a newline), and a Vietnamese or quoted one is encoded by RFC 6266's
    ``filename*`` instead of turning the whole header into an encoded word."""
    return "".join(c for c in filename if c.isprintable()) or "tep"
