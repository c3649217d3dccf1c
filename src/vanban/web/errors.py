"""Error pages that also record the attempt (R16.2): refused CSRF posts and denied access."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader

from vanban.audit.services import audit_append


def _agency_code(request: HttpRequest) -> str:
    agency = getattr(request.user, "agency", None) if request.user.is_authenticated else None
    return str(getattr(agency, "code", "") or "")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A POST without a valid CSRF token: refused in Vietnamese and English, and audited."""
    actor = request.user if request.user.is_authenticated else None
    audit_append(
        actor=actor,
        action="security.csrf_refused",
        agency_code=_agency_code(request),
        data={"path": request.path, "method": request.method, "reason": reason,
              "ip": request.META.get("REMOTE_ADDR", "")},
    )
    body = loader.render_to_string("403_csrf.html", {}, request)
    return HttpResponseForbidden(body)
