"""A file's name as another system sent it cannot break the download's headers (R16.2)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from vanban.storage.views import blob_response

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ['Công văn "số 5".pdf', "cv\r\nSet-Cookie: x=1.pdf"])
def test_a_sender_file_name_stays_one_header(name: str) -> None:
    """R16.2: a Vietnamese name, quotes or a newline in a received file's name give one
    ``attachment`` disposition with the name encoded (RFC 6266), never a server error nor a
    second header."""
    request = RequestFactory().get("/incoming/x/file/")
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    response = blob_response(request, filename=name, object_type="test", object_id=1,
                             attachment=True, content_type="application/octet-stream",
                             data=b"bytes")
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename")
    if not name.isascii():
        assert header.startswith("attachment; filename*=utf-8''C%C3%B4ng")
    assert "\n" not in header
    assert "\r" not in header
    assert "Set-Cookie" not in response
