"""Template context: the number of the signed-in user's unread notices and the bell page
(one bounded query per request, however many templates the request renders)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from vanban.core.pages import request_actor
from vanban.notices.selectors import COUNT_CAP, unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """``notices_unread`` (text, "" for none, "1000+" at the cap) and ``notices_url``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached: Any = getattr(request, "_vanban_notices_unread", None)
    if not isinstance(cached, int):
        cached = unread_count(request_actor(request))
        request._vanban_notices_unread = cached  # type: ignore[attr-defined]
    text = "" if not cached else (f"{cached}+" if cached >= COUNT_CAP else str(cached))
    return {"notices_unread": text, "notices_url": reverse("notices:list")}
