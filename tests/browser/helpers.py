"""Helpers shared by the browser tests: a tab signed in as a user, and running code that signs
PDFs outside Playwright's event loop."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Where the browser tests keep their screenshots (test artifacts, and the user guides' pictures
# through scripts/screenshots). VANBAN_ARTIFACTS, the name some tests read before, still works.
SCREENSHOTS_ENV = "VANBAN_SCREENSHOTS"
SCREENSHOTS_ALIASES = ("VANBAN_ARTIFACTS",)


def screenshots_folder(default: Path, name: str = "") -> Path:
    """``$VANBAN_SCREENSHOTS/<name>`` (or the alias's), else ``default/<name>``; created."""
    chosen = next((os.environ[key] for key in (SCREENSHOTS_ENV, *SCREENSHOTS_ALIASES)
                   if os.environ.get(key)), "")
    folder = Path(chosen or default) / name if name else Path(chosen or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder

# Content-Security-Policy violations reported by any tab of the running test (R14.3): every
# browser test fails when a page needed an inline script or style the policy refuses.
CSP_VIOLATIONS: list[str] = []


def watch_csp(tab: Any) -> Any:
    """Record the tab's console reports of refused content; returns the tab."""
    def note(message: Any) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{tab.url}: {message.text}")

    tab.on("console", note)
    return tab


def sign_in(browser: Any, url: str, user: Any) -> Any:
    """A new tab signed in as ``user`` (a session cookie made by Django's test client)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": url}])
    tab = watch_csp(context.new_page())
    tab.set_default_timeout(15_000)
    return tab


def off_the_loop(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in a worker thread: pyHanko signs with ``asyncio.run``, which cannot run
    in the thread where Playwright's event loop lives."""
    from django.db import connection

    def call() -> Any:
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
