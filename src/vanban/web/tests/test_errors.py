"""Refused requests get a clear bilingual page and leave a trace in the audit log."""

import pytest
from django.test import Client

from vanban.audit.models import AuditEvent
from vanban.core.roles import Role


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused_and_audited(make_agency, make_user):
    """R16.2: a CSRF-less POST changes nothing, says why in Vietnamese and English, is audited."""
    agency = make_agency("000.07.00.H99", short_name="STC")
    user = make_user(agency, roles=[Role.CLERK])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 403
    text = response.content.decode()
    assert "CSRF" in text
    assert "Không có dữ liệu nào bị thay đổi" in text
    assert "nothing was changed" in text
    assert client.cookies.get("django_language") is None
    event = AuditEvent.objects.get(action="security.csrf_refused")
    assert event.actor_username == user.username
    assert event.agency_code == "000.07.00.H99"


@pytest.mark.django_db
def test_unknown_page_is_a_vietnamese_404(make_agency, make_user, client):
    """An unknown address gives the Vietnamese not-found page, not a stack trace."""
    user = make_user(make_agency(), roles=[Role.SPECIALIST])
    client.force_login(user)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()


@pytest.mark.django_db
def test_pages_are_vietnamese_even_for_an_english_browser(make_agency, make_user, client):
    """Vietnamese first: an English Accept-Language does not switch pages; the switch does."""
    user = make_user(make_agency(), roles=[Role.CLERK])
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Trang chủ" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Home" in client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
