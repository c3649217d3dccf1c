"""What every app's page views share: the signed-in user as the services' actor, and a domain
error shown as a message in the page's language."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest

from vanban.core.errors import DomainError
from vanban.core.roles import Actor


def request_actor(request: HttpRequest) -> Actor:
    """The signed-in user (views are login_required) as the services' actor."""
    return cast(Actor, request.user)


def show_error(request: HttpRequest, err: DomainError) -> None:
    """Show ``err`` on the next page, in the request's language."""
    messages.error(request, err.message(request.LANGUAGE_CODE))
