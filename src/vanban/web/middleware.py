"""Page middleware: the language of pages and the content security policy.

Vietnamese first: pages are in Vietnamese unless the user chose English with the switch.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``, which on many office
PCs says English; a clerk must not get an English interface by accident. The API, used by
programs, still honours ``Accept-Language`` for the ``detail`` of its problem responses.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Activate the language chosen with the switch (cookie), else Vietnamese."""

    def process_request(self, request: HttpRequest) -> None:
        """Pick the request's language before the view runs."""
        if request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Send ``Content-Security-Policy`` on every response (R14.3: a script injected into a page,
    say through a document's subject, does not run; pages load nothing from elsewhere).

    Pages carry no inline script, event handler or style attribute, so the policy
    (``VANBAN_CSP``) allows scripts and styles from this site only. Paths listed in
    ``VANBAN_CSP_BY_PATH`` (prefix -> policy) get their own policy: the API documentation pages
    of ``/api/`` come from a packaged viewer that writes inline styles. A view that sets the
    header itself keeps its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.default = str(getattr(settings, "VANBAN_CSP", ""))
        by_path: dict[str, str] = dict(getattr(settings, "VANBAN_CSP_BY_PATH", {}))
        self.by_path = sorted(by_path.items(), key=lambda item: -len(item[0]))

    def policy_for(self, path: str) -> str:
        """The policy for ``path``: the longest matching prefix, else the default."""
        for prefix, policy in self.by_path:
            if path.startswith(prefix):
                return policy
        return self.default

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Add the header unless the view chose one."""
        response = self.get_response(request)
        policy = self.policy_for(request.path_info)  # without a deployment prefix
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
