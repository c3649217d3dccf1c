"""Error pages that also record the attempt (R16.2): refused CSRF posts, denied access, and
guesses at objects that are not the user's (another agency's ids look like unknown ones)."""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.template import loader

from vanban.audit.services import audit_append


def _agency_code(request: HttpRequest) -> str:
    agency = getattr(request.user, "agency", None) if request.user.is_authenticated else None
    return str(getattr(agency, "code", "") or "")


def record_refusal(request: HttpRequest, *, action: str, reason: str = "") -> None:
    """Audit a refused request of a signed-in user (anonymous noise is not worth a record)."""
    if not request.user.is_authenticated:
        return
    audit_append(
        actor=request.user,
        action=action,
        agency_code=_agency_code(request),
        data={"path": request.path, "method": request.method, "reason": reason,
              "ip": request.META.get("REMOTE_ADDR", "")},
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A POST without a valid CSRF token: refused in Vietnamese and English, and audited."""
    audit_append(
        actor=request.user if request.user.is_authenticated else None,
        action="security.csrf_refused",
        agency_code=_agency_code(request),
        data={"path": request.path, "method": request.method, "reason": reason,
              "ip": request.META.get("REMOTE_ADDR", "")},
    )
    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", {}, request))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: the bilingual refusal page; the attempt is audited."""
    record_refusal(request, action="access.denied", reason=str(exception or ""))
    return HttpResponseForbidden(loader.render_to_string("403.html", {}, request))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: unknown or another agency's object; a signed-in user's guess is audited."""
    record_refusal(request, action="access.not_found")
    return HttpResponseNotFound(loader.render_to_string("404.html", {}, request))
