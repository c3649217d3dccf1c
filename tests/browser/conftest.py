"""A real headless Chromium (Debian's package) driven by Playwright, against the live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.helpers import CSP_VIOLATIONS, watch_csp

CHROMIUM = os.environ.get("VANBAN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser per test module (never downloaded: the Debian package is used).

    Not per session: Playwright's sync API keeps an event loop running in the main thread while
    it lives, and code that calls ``asyncio.run`` (pyHanko's signing) must not run under it.
    """
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run ./scripts/setup as root")
    # Playwright's sync API runs an event loop; Django must allow ORM calls from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context at 1366×768, the office PC screen the design targets."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    """R14.3: no page of any browser test needs content the security policy refuses."""
    CSP_VIOLATIONS.clear()
    yield
    assert CSP_VIOLATIONS == [], CSP_VIOLATIONS
