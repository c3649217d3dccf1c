"""Pages of the evidence log (R7.2, R14.3): the status page for the province administrator and
IT officers (current signed head, record count, hub certificate, consistency check), and the
bundle download for the sender's and recipients' agencies (R1.1: anyone else gets a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.core.errors import DomainError, NotFound
from vanban.core.pages import request_actor as _actor
from vanban.core.roles import Actor, Role
from vanban.evidence import selectors, services
from vanban.evidence.forms import ConsistencyForm


def _agency_code(request: HttpRequest) -> str | None:
    code = getattr(getattr(request.user, "agency", None), "code", None)
    return str(code) if code else None


def _operator(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if not selectors.can_operate(actor):
        raise PermissionDenied
    return actor


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Log status and the consistency check (POST: check a kept head against the latest)."""
    actor = _operator(request)
    form = ConsistencyForm(request.POST or None)
    report, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            report = services.consistency_check(old_head=form.cleaned_data["old_head"])
        except DomainError as err:
            error = err.message(request.LANGUAGE_CODE)
    status = selectors.log_status()
    # R1.1: the province administrator sees every delivery, an IT officer their agency's.
    scope = None if actor.has_role(Role.PROVINCE_ADMIN) else _agency_code(request) or ""
    return render(request, "evidence/index.html", {
        "status": status, "head": status.latest_head, "form": form, "report": report,
        "report_message": report.message(request.LANGUAGE_CODE) if report else "",
        "error": error, "deliveries": selectors.deliveries(agency_code=scope, limit=20),
    }, status=400 if error else 200)


@login_required
@require_POST
def head_sign(request: HttpRequest) -> HttpResponse:
    """Sign a tree head now, then show the status page."""
    head = services.tree_head_sign_by(actor=_operator(request))
    messages.success(request, _("Đã ký đầu cây %(size)s lá.") % {"size": head.size})
    return redirect("evidence:index")


@login_required
@require_GET
def bundle(request: HttpRequest, delivery_id: str) -> HttpResponse:
    """The delivery's evidence bundle as a JSON download (sender's or recipient's agency)."""
    try:
        data = services.bundle_export(actor=_actor(request),
                                      actor_agency_code=_agency_code(request),
                                      delivery_id=delivery_id)
    except NotFound as err:
        raise Http404(err.en) from err
    response = HttpResponse(data, content_type="application/json")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in delivery_id)
    response["Content-Disposition"] = f'attachment; filename="evidence-{safe}.json"'
    return response


@login_required
@require_GET
def certificate(request: HttpRequest) -> HttpResponse:
    """The hub certificate (PEM) a relying party pins."""
    response = HttpResponse(selectors.log_status().certificate_pem,
                            content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="evidence-hub.pem"'
    return response
