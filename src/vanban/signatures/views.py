"""Thin views: the certificate list with the R21.1 expiry warning, and the public CRLs.

This app sits below ``accounts``: the signed-in user is used through the ``Actor`` protocol.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanban.core import clock
from vanban.core.roles import Actor, Role
from vanban.signatures import selectors


@require_GET
def crl(request: HttpRequest, ca_id: int) -> HttpResponse:
    """The CA's latest CRL (DER), public as the certificates' CRL distribution point says."""
    data = selectors.crl_der(ca_id)
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Content-Disposition"] = f'attachment; filename="{ca_id}.crl"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    """Certificates the user may see; the province administrator also gets the warning list of
    certificates expiring within 30 days (R21.1)."""
    actor = cast(Actor, request.user)
    is_admin = actor.has_role(Role.PROVINCE_ADMIN)
    expiring = list(selectors.expiring_certificates()) if is_admin else []
    return render(request, "signatures/certificate_list.html", {
        "certificates": selectors.certificates_visible_to(actor),
        "expiring": expiring, "is_admin": is_admin, "now": clock.now(),
        "warning_days": selectors.EXPIRY_WARNING_DAYS,
    })
