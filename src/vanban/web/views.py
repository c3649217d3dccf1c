"""Shell pages: the home page, which shows each role what it is responsible for."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanban.web import home as home_blocks


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Home page per role (clerk, head, specialist, one-stop, IT, province administrator)."""
    blocks = home_blocks.blocks_for(request.user)  # type: ignore[arg-type]
    return render(request, "web/home.html", {"blocks": blocks})
