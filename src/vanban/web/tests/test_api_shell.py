"""The API's shell: OpenAPI schema, browsable docs, RFC 9457 problems in both languages."""

import pytest
from django.test import Client

from vanban.core.roles import Role


@pytest.mark.django_db
def test_openapi_schema_lists_the_foundation_endpoints(client: Client):
    """Integrators get an OpenAPI 3 schema at /api/schema/."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in ("/api/v1/agencies/", "/api/v1/staff/", "/api/v1/audit/events/",
                     "/api/v1/auth/token/", "/api/v1/me/"):
        assert expected in paths, expected


@pytest.mark.django_db
def test_api_docs_page_is_served_without_internet(client: Client):
    """The browsable documentation uses bundled assets (no CDN on office networks)."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html


@pytest.mark.django_db
def test_unauthenticated_call_is_a_bilingual_problem(client: Client):
    """R16.2: no access without authorisation; the refusal is RFC 9457 with vi and en."""
    response = client.get("/api/v1/agencies/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == response.status_code
    assert body["detail_vi"].startswith("Bạn cần đăng nhập")
    assert body["detail_en"] == "Authentication credentials were not provided."
    assert body["detail"] == body["detail_vi"]


@pytest.mark.django_db
def test_problem_detail_follows_the_request_language(client: Client, make_agency, make_user):
    """The ``detail`` field is in the language the client asks for; both texts are always there."""
    user = make_user(make_agency(), roles=[Role.SPECIALIST])
    client.force_login(user)
    response = client.get("/api/v1/staff/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    body = response.json()
    assert body["detail"] == body["detail_en"]
    assert body["detail_vi"] != body["detail_en"]
