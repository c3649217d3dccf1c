"""Browser tests: the content security policy is enforced by a real Chromium and the pages and
the API documentation still work under it (R14.3)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import CSP_VIOLATIONS, sign_in
from vanban.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_injected_inline_script_does_not_run(live_server, browser, make_agency, make_user):
    """R14.3: markup slipped into a page (an inline event handler, an inline script) is refused
    by the browser, and the refusal is reported; the page's own scripts (htmx) run."""
    clerk = make_user(make_agency(short_name="STTTT"), roles=[Role.CLERK])
    tab = sign_in(browser, live_server.url, clerk)
    tab.goto(live_server.url + "/")
    tab.wait_for_selector("[data-testid=home-title]")
    assert tab.evaluate("typeof window.htmx") == "object"
    tab.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend',
            '<img src="/static/none.png" onerror="window.pwned = 1">');
        const s = document.createElement('script');
        s.textContent = 'window.pwned2 = 1';
        document.body.appendChild(s);
    }""")
    tab.wait_for_timeout(500)
    assert tab.evaluate("window.pwned === undefined && window.pwned2 === undefined")
    refused = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()  # expected here; every other page must report none
    assert any("script-src" in text for text in refused), refused
    tab.context.close()


def test_swagger_api_docs_render_under_the_policy(live_server, page):
    """R14.3: the API documentation (Swagger UI, bundled) renders the schema with its script
    loaded from the site; no content is refused."""
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "vanban API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock-tag").count() > 0


def test_redoc_api_reference_renders_under_the_policy(live_server, page):
    """R14.3: the API reference (Redoc, bundled) renders without outside fonts or inline
    script. The one thing refused is the viewer's own logo on its makers' site: the policy
    keeps the page from loading anything from elsewhere."""
    page.goto(live_server.url + "/api/redoc/")
    page.wait_for_selector("h1")
    assert "vanban API" in page.inner_text("h1")
    page.wait_for_timeout(500)
    refused = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    outside = [text for text in refused if "img-src" in text and "https://cdn.redoc.ly/" in text]
    assert refused == outside, refused
