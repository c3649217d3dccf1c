"""Vietnamese first: pages are in Vietnamese unless the user chose English with the switch.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``, which on many office
PCs says English; a clerk must not get an English interface by accident. The API, used by
programs, still honours ``Accept-Language`` for the ``detail`` of its problem responses.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
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
