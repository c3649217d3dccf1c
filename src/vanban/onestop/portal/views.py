"""The citizen portal's pages (spec §11): public, no login, no staff menu. Thin: selectors read,
services write; every refusal is the form again with its message and nothing changed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanban.accounts.views._helpers import client_ip
from vanban.core.errors import DomainError
from vanban.onestop.models import Procedure
from vanban.onestop.portal import config, forms, notify, selectors, services, tracking


def _procedure(pk: int) -> Procedure:
    found = selectors.public_procedure(pk)
    if found is None:
        raise Http404
    return found


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Procedure search over the public catalogue."""
    query = request.GET.get("q", "")[:200]
    return render(request, "portal/home.html", {
        "query": query, "procedures": selectors.catalogue_search(query)})


@require_GET
def procedure(request: HttpRequest, pk: int) -> HttpResponse:
    """One procedure: papers, time, fees, result, where; the online form when offered."""
    found = _procedure(pk)
    return render(request, "portal/procedure.html", {
        "procedure": found, "documents": selectors.documents_of(found),
        "online": config.local_submission() and selectors.online_allowed(found)})


@never_cache
@require_http_methods(["GET", "POST"])
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """The online filing form; on success the code and the secret, shown once."""
    found = _procedure(pk)
    context = {"procedure": found, "documents": selectors.documents_of(found),
               "typed": forms.typed(request), "max_mb": config.max_file_bytes() // 2**20}
    if request.method == "POST":
        try:
            filed = services.online_file(procedure=found, applicant=forms.applicant_of(request),
                                         uploads=forms.uploads_of(request, found),
                                         subject=request.POST.get("subject", ""))
        except DomainError as err:
            context["error"] = err.message(request.LANGUAGE_CODE)
            return render(request, "portal/file.html", context, status=err.status)
        notify.filed_notify(filed.dossier, filed.secret)
        return render(request, "portal/filed.html", {"dossier": filed.dossier,
                                                     "secret": filed.secret})
    return render(request, "portal/file.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Code and secret in, the dossier's public view out (POST: the secret stays out of URLs
    and logs)."""
    if request.method == "GET":
        return render(request, "portal/track.html", {})
    code, secret = request.POST.get("code", "")[:60], request.POST.get("secret", "")[:40]
    try:
        dossier = tracking.dossier_track(ip=client_ip(request), code=code, secret=secret)
    except DomainError as err:
        return render(request, "portal/track.html", {
            "error": err.message(request.LANGUAGE_CODE), "code": code}, status=err.status)
    view = selectors.tracking_view(dossier)
    return render(request, "portal/tracked.html", {
        "view": view, "code": code, "secret": secret,
        "may_rate": view.done and not services.rated(dossier)})


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """Rate the service (1–5 and a comment), once per dossier, with its code and secret."""
    code, secret = request.POST.get("code", "")[:60], request.POST.get("secret", "")[:40]
    try:
        dossier = tracking.dossier_track(ip=client_ip(request), code=code, secret=secret)
        services.dossier_rate(dossier=dossier, score=_int(request.POST.get("score")),
                              comment=request.POST.get("comment", ""))
    except DomainError as err:
        return render(request, "portal/rated.html", {
            "error": err.message(request.LANGUAGE_CODE)}, status=err.status)
    return render(request, "portal/rated.html", {"code": dossier.code})


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
