"""What every app's page views share: the signed-in user as the services' actor, a domain
error shown as a message in the page's language, and policy refusals shown as the 403 page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader

from vanban.core.errors import DomainError, Forbidden, NotFound
from vanban.core.roles import Actor


def request_actor(request: HttpRequest) -> Actor:
    """The signed-in user (views are login_required) as the services' actor."""
    return cast(Actor, request.user)


def show_error(request: HttpRequest, err: DomainError) -> None:
    """Show ``err`` on the next page, in the request's language; an outcome that is not a
    failure (202: files held for malware scanning) as a warning."""
    show = messages.warning if err.status < 400 else messages.error
    show(request, err.message(request.LANGUAGE_CODE))


def refusal_page(request: HttpRequest) -> HttpResponse:
    """The bilingual 403 page for a refusal that an app's policy has already audited (Django's
    ``handler403`` would record it a second time)."""
    return HttpResponseForbidden(loader.render_to_string("403.html", {}, request))


View = Callable[..., HttpResponse]


def policy_pages(view: View) -> View:
    """For page views whose selectors apply their app's policy: an audited ``Forbidden``
    becomes the 403 page, any other ``Forbidden`` goes to ``handler403`` (which audits it), and
    ``NotFound`` (another agency's object, R1.1) becomes the 404 page."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Forbidden as err:
            if not err.audited:
                raise PermissionDenied(err.en) from None
            return refusal_page(request)
        except NotFound as err:
            raise Http404(err.en) from None

    return guarded
