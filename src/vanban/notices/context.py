"""Template context: the number of the signed-in user's unread notices and the bell page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from vanban.core.pages import request_actor
from vanban.notices.selectors import COUNT_CAP, unread_count


def bell(request: HttpRequest) -> dict[str, object]:
    """``notices_unread`` (text, "" for none, "1000+" at the cap) and ``notices_url``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = unread_count(request_actor(request))
    text = "" if not count else (f"{count}+" if count >= COUNT_CAP else str(count))
    return {"notices_unread": text, "notices_url": reverse("notices:list")}
