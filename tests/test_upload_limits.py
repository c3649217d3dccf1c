"""Upload limits enforced before and while the body is read (issue 9, observed case 8: a 200 MB
upload was read whole into memory before it was refused; R16.1, R3.1 entry points).

Real WSGI requests through Django's handler, with a body produced lazily by a stream that counts
what is read from it, and the peak of Python's allocations measured with ``tracemalloc``."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings

from vanban.core.roles import Role
from vanban.registry import services
from vanban.registry.models import DocumentFile

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BOUNDARY = "vanbanBoundary7MA4YWxkTrZu0gW"
CSRF = "a" * 32


class LazyBody:
    """A multipart body of one file: ``content``, then zeros up to ``size`` bytes, generated
    as it is read."""

    def __init__(self, size: int, content: bytes = b"%PDF-1.7\n") -> None:
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"main\"; "
                     f"filename=\"big.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                     ).encode() + content
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.filler = max(size - len(content), 0)
        self.length = len(self.head) + self.filler + len(self.tail)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        left = self.length - self.position
        size = left if size is None or size < 0 else min(size, left)
        out = bytearray()
        while len(out) < size:
            at = self.position + len(out)
            if at < len(self.head):
                out += self.head[at:at + size - len(out)]
            elif at < len(self.head) + self.filler:
                out += b"\0" * min(size - len(out), len(self.head) + self.filler - at)
            else:
                start = at - len(self.head) - self.filler
                out += self.tail[start:start + size - len(out)]
        self.position += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:  # part of the WSGI input interface
        return self.read(min(size, 8192) if size and size > 0 else 8192)


@pytest.fixture
def clerk_session(make_agency, make_user):
    agency = make_agency("000.00.02.H06", name="Sở Nội vụ", short_name="SNV")
    clerk = make_user(agency, roles=[Role.CLERK], username="vt.snv")
    document = services.document_create(
        actor=clerk, agency=agency, type_code="cong_van", subject="Văn bản lớn",
        place="Bắc Giang", competence="", position="GIÁM ĐỐC", full_name="Nguyễn Văn Ánh",
        recipients=[])
    client = Client()
    client.force_login(clerk)
    client.get("/api/v1/")  # load every URLconf and view now, not while memory is traced
    return client.cookies["sessionid"].value, document


def _post(session: str, path: str, body: LazyBody, *, accept: str = "*/*") -> tuple[int, bytes,
                                                                                    int]:
    """POST through Django's WSGI handler; returns status, body and the peak allocation."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": body,
        "wsgi.errors": None, "wsgi.multithread": False, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length), "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": accept,
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF}", "HTTP_X_CSRFTOKEN": CSRF}
    status: list[str] = []
    # As Django's test client does: keep the test's database connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    tracemalloc.start()
    try:
        def start_response(line: str, headers: Any, *info: Any) -> Any:
            status.append(line)

        response = WSGIHandler()(environ, start_response)
        content = b"".join(response)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), content, peak


def test_200_mb_upload_is_refused_before_its_body_is_read(clerk_session):
    """R16.1/R3.1: a 200 MB upload to the clerk's page is answered 413 from its Content-Length;
    not one byte of the body is read and the peak allocation stays small (before: the whole file
    went to disk and then into memory before the size rule refused it)."""
    session, document = clerk_session
    body = LazyBody(200 * MB)
    status, content, peak = _post(session, f"/documents/{document.pk}/upload/", body,
                                  accept="text/html")
    assert status == 413
    assert "quá lớn" in content.decode()
    assert "too large" in content.decode()
    assert body.position == 0
    assert peak < 5 * MB, peak
    assert not DocumentFile.objects.exists()


def test_api_upload_over_the_limit_is_a_413_problem(clerk_session):
    """The API gets the same refusal as problem+json."""
    session, document = clerk_session
    body = LazyBody(200 * MB)
    status, content, _ = _post(session, f"/api/v1/documents/{document.pk}/upload/", body)
    assert status == 413
    assert b'"code": "request_too_large"' in content
    assert body.position == 0


@override_settings(VANBAN_MAX_UPLOAD_BYTES=2 * MB, VANBAN_MAX_REQUEST_BYTES=100 * MB)
def test_running_size_stops_the_upload_part_way(clerk_session):
    """A body under the request limit whose file passes the upload limit is cut off while
    streaming: the rest of the body is never read, and the file never sits in memory."""
    session, document = clerk_session
    body = LazyBody(2 * MB + 600 * 1024)
    status, content, peak = _post(session, f"/api/v1/documents/{document.pk}/upload/", body)
    assert status == 413, content[:500]
    assert body.position < body.length
    assert peak < 2 * MB, peak
    assert not DocumentFile.objects.exists()


def test_ordinary_upload_still_goes_through(clerk_session):
    """A real PDF over the in-memory threshold passes the middleware and the handlers (to a
    temporary file) and is stored."""
    from vanban.security.tests.fixtures import clean_pdf

    session, document = clerk_session
    pdf = clean_pdf("Tep thuong")
    pdf = pdf + b" " * (400 * 1024) + pdf[pdf.rindex(b"startxref"):]  # padding after %%EOF
    body = LazyBody(len(pdf), content=pdf)
    status, content, _ = _post(session, f"/api/v1/documents/{document.pk}/upload/", body)
    assert status == 201, content[:500]
    assert body.position == body.length
    assert DocumentFile.objects.get().size == len(pdf)
