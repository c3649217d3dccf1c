"""Browser protections and the deployment check (R14.3): a content security policy with no
inline script on any page, HSTS and the HTTPS redirect as settings, ``vanban check --deploy``
clean with the production settings of ``docs/operator-guide.md``, and a maximum API page."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from vanban.core.roles import Role
from vanban.directory.models import Agency
from vanban.web.pagination import KeysetCursorPagination

SRC = Path(__file__).resolve().parents[3]
VANBAN = str(Path(sys.executable).parent / "vanban")
_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<style", re.IGNORECASE), "<style> element"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: address"),
    (re.compile(r"\shx-on", re.IGNORECASE), "htmx inline handler"),
]


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_no_template_has_inline_script_handler_or_style() -> None:
    """R14.3: every page works under ``script-src 'self'; style-src 'self'`` because no
    template carries an inline script, an event handler or a style attribute."""
    found = []
    for template in sorted(SRC.glob("vanban/**/templates/**/*.html")):
        if template.name == "redoc.html":  # the API viewer's page: checked below, /api/ policy
            continue
        text = template.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            found += [f"{template.relative_to(SRC)}: {what}" for _ in pattern.finditer(text)]
    assert found == []


@pytest.mark.django_db
def test_pages_send_the_strict_policy(client: Client) -> None:
    """R14.3: pages forbid inline and outside scripts, plugins, framing and foreign forms."""
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["base-uri"] == "base-uri 'self'"
    assert policy["form-action"] == "form-action 'self'"
    html = response.content.decode()
    assert '"includeIndicatorStyles": false' in html  # htmx would inject a <style> otherwise


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_viewers_load_every_script_from_the_site(client: Client, path: str) -> None:
    """R14.3: the API documentation pages run no inline script and load nothing from
    elsewhere; their policy allows only the viewer's inline styles and its search worker."""
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all("src=" in attributes for attributes in scripts), scripts
    for src in re.findall(r'<script[^>]*src="([^"]+)"', html):
        assert src.startswith("/"), src
        assert client.get(src.replace("&amp;", "&")).status_code == 200, src
    assert "googleapis" not in html
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"


@pytest.mark.django_db
def test_https_redirect_and_hsts_behind_the_proxy() -> None:
    """R14.3: with the production settings a plain HTTP request is redirected to HTTPS and an
    HTTPS request (as the TLS proxy says) gets Strict-Transport-Security."""
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000,
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        client = Client()
        plain = client.get("/accounts/login/")
        assert plain.status_code == 301
        assert plain["Location"].startswith("https://")
        secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def _production_env(tmp_path: Path) -> dict[str, str]:
    """The production environment of ``docs/operator-guide.md`` (secrets outside the home)."""
    secrets_dir = tmp_path / "etc-vanban"
    secrets_dir.mkdir(mode=0o700)
    (secrets_dir / "master.key").write_text(base64.b64encode(os.urandom(32)).decode())
    (secrets_dir / "keystore.pass").write_text(base64.b64encode(os.urandom(24)).decode())
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VANBAN_", "SECURE_", "DATABASE_URL", "SECRET_KEY", "DEBUG",
                                 "DJANGO_"))}  # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "VANBAN_HOME": str(tmp_path / "home"),
        "SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "ALLOWED_HOSTS": "vanban.example.gov.vn",
        "CSRF_TRUSTED_ORIGINS": "https://vanban.example.gov.vn",
        "SECURE_COOKIES": "1",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "VANBAN_MASTER_KEY_FILE": str(secrets_dir / "master.key"),
        "VANBAN_KEYSTORE_PASSPHRASE_FILE": str(secrets_dir / "keystore.pass"),
        "VANBAN_MALWARE_SCANNER": "clamd",
        "VANBAN_CLAMD_SOCKET": "/run/clamav/clamd.ctl",
    })
    return env


@pytest.mark.slow
def test_deploy_check_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    """R14.3: ``vanban check --deploy`` reports nothing (no W004 HSTS, no W008 redirect, no
    secret beside the data) with the production settings; without them it names each gap."""
    env = _production_env(tmp_path)
    done = subprocess.run([VANBAN, "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
    bare = {k: v for k, v in env.items()
            if not k.startswith(("SECURE_", "VANBAN_MASTER", "VANBAN_KEYSTORE"))}
    gaps = subprocess.run([VANBAN, "check", "--deploy"], env=bare, capture_output=True,
                          text=True, check=False, timeout=300)
    for check_id in ("security.W004", "security.W008", "security.W012", "vanban.W003"):
        assert check_id in gaps.stderr, check_id


def _api_views() -> list[type[APIView]]:
    found: list[type[APIView]] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
                continue
            view = getattr(entry.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                found.append(view)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_list_pages_with_the_bounded_paginator() -> None:
    """R14.3: every API view pages through the one paginator with a maximum page size."""
    views = _api_views()
    assert len(views) > 10
    paginators = {v.__name__: getattr(v, "pagination_class", None) for v in views}
    loose = [name for name, paginator in paginators.items()
             if paginator is not None and not issubclass(paginator, KeysetCursorPagination)]
    assert loose == []
    assert settings.VANBAN_API_MAX_PAGE_SIZE == 200


@pytest.mark.django_db
def test_a_larger_limit_is_lowered_to_the_maximum(client: Client, make_agency, make_user) -> None:
    """R14.3: ``?limit=1000000`` returns at most the maximum page, and ``next`` carries the
    lowered limit so paging by ``next`` still reaches every row."""
    first = make_agency()
    for _ in range(6):
        make_agency()
    client.force_login(make_user(first, roles=[Role.CLERK]))
    with override_settings(VANBAN_API_MAX_PAGE_SIZE=3):
        response = client.get("/api/v1/agencies/", {"limit": 1000000})
        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) == 3
        assert "limit=3" in body["next"]
        seen = [row["code"] for row in body["results"]]
        while body["next"]:
            body = client.get(body["next"]).json()
            assert len(body["results"]) <= 3
            seen += [row["code"] for row in body["results"]]
    assert len(seen) == len(set(seen)) == Agency.objects.count()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    limit = next(p for p in schema["paths"]["/api/v1/agencies/"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200
