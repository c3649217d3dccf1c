"""Upload limits enforced before and while a request body is read (issue 9: a 200 MB upload was
read whole into memory before it was refused).

* :class:`RequestSizeMiddleware` refuses a request whose ``Content-Length`` exceeds
  ``VANBAN_MAX_REQUEST_BYTES`` without reading a byte of its body (413, problem+json for API
  clients, a short page for browsers). For multipart bodies it then parses the form itself, so
  that a file passing the running limit below becomes the same 413 instead of a server error.
* :class:`LimitedUploadHandler`, first in ``FILE_UPLOAD_HANDLERS``, counts the bytes of every
  file as they stream through and stops the upload once they pass ``VANBAN_MAX_UPLOAD_BYTES``.
  The files themselves go to Django's handlers after it: memory up to the (low)
  ``FILE_UPLOAD_MAX_MEMORY_SIZE``, a temporary file on disk above it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

from vanban.security.errors import RequestTooLarge


def max_request_bytes() -> int:
    """Largest request body accepted (``VANBAN_MAX_REQUEST_BYTES``)."""
    default = int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", 0) or 0)
    return int(getattr(settings, "VANBAN_MAX_REQUEST_BYTES", default) or default)


def max_upload_bytes() -> int:
    """Largest total of uploaded files in one request (``VANBAN_MAX_UPLOAD_BYTES``)."""
    return int(settings.VANBAN_MAX_UPLOAD_BYTES)


class LimitedUploadHandler(FileUploadHandler):
    """Passes each chunk on to the next handler, counting; over the limit it raises
    :class:`RequestTooLarge`, which stops the parser before it reads the rest of the body."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0
        self.limit = max_upload_bytes()

    def handle_raw_input(self, input_data: IO[bytes], META: dict[str, str],  # noqa: N803
                         content_length: int, boundary: str,
                         encoding: str | None = None) -> None:
        """Refuse at once when the announced body cannot fit (a multipart body carries its
        files plus a little framing)."""
        if content_length > self.limit + max(self.limit // 10, 1024 * 1024):
            raise RequestTooLarge(limit=self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.total > self.limit:
            raise RequestTooLarge(limit=self.limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


def _too_large(request: HttpRequest, err: RequestTooLarge) -> HttpResponse:
    """413 as problem+json for API clients, as a short bilingual page for browsers."""
    if "text/html" in request.headers.get("Accept", "") and not request.path.startswith("/api/"):
        body = (f"<!doctype html><meta charset=utf-8><title>413</title><h1>413</h1>"
                f"<p lang=vi>{err.vi}</p><p lang=en>{err.en}</p>")
        return HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
    problem = {"type": f"https://vanban.invalid/problems/{err.code}", "title": "request too large",
               "status": 413, "detail": err.vi, "detail_vi": err.vi, "detail_en": err.en,
               "code": err.code, **err.extra}
    response = HttpResponse(json.dumps(problem, ensure_ascii=False), status=413,
                            content_type="application/problem+json")
    response["Connection"] = "close"  # the rest of the body is never read
    return response


class RequestSizeMiddleware:
    """Refuse oversized bodies before any other code reads them (first in ``MIDDLEWARE``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_bytes()
        if length > limit:
            return _too_large(request, RequestTooLarge(limit=limit))
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 - parse now, through the limited handlers
            except RequestTooLarge as err:
                return _too_large(request, err)
        return self.get_response(request)
