"""Thin views: the certificate list with the R21.1 expiry warning, the province administrator's
issue / renew / revoke actions (the services check permissions and audit), and the public CRLs.

This app sits below ``accounts``: the signed-in user is used through the ``Actor`` protocol.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanban.core import clock
from vanban.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.core.roles import Role
from vanban.directory import selectors as directory_selectors
from vanban.signatures import selectors, services
from vanban.signatures.models import AgencyCertificate
from vanban.signatures.services.certificates import DEFAULT_VALID_DAYS

# Revocation reasons offered on the page, most useful first, with their Vietnamese labels.
REASON_LABELS: dict[str, Promise] = {
    "key_compromise": gettext_lazy("Lộ khóa"),
    "superseded": gettext_lazy("Được thay thế"),
    "affiliation_changed": gettext_lazy("Thay đổi đơn vị"),
    "cessation_of_operation": gettext_lazy("Ngừng hoạt động"),
    "unspecified": gettext_lazy("Không nêu lý do"),
}




def _valid_days(request: HttpRequest) -> int:
    """The validity typed in the form (the default when left empty)."""
    raw = request.POST.get("valid_days", "").strip()
    if not raw:
        return DEFAULT_VALID_DAYS
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed("Thời hạn phải là số ngày.",
                               "Validity must be a number of days.") from None


def _certificate(request: HttpRequest, pk: int) -> AgencyCertificate:
    """The certificate acted on. Only the province administrator acts, so anyone else gets 403
    whether or not the certificate exists (nothing is revealed); the admin gets 404."""
    actor = _actor(request)
    try:
        return selectors.certificate_get(actor, pk)
    except NotFound:
        if actor.has_role(Role.PROVINCE_ADMIN):
            raise Http404 from None
        raise PermissionDenied from None


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
    certificates expiring within 30 days and the issue / renew / revoke forms (R21.1)."""
    actor = _actor(request)
    is_admin = actor.has_role(Role.PROVINCE_ADMIN)
    expiring = list(selectors.expiring_certificates()) if is_admin else []
    return render(request, "signatures/certificate_list.html", {
        "certificates": selectors.certificates_visible_to(actor),
        "expiring": expiring, "is_admin": is_admin, "now": clock.now(),
        "warning_days": selectors.EXPIRY_WARNING_DAYS,
        "agencies": directory_selectors.agency_options() if is_admin else [],
        "reasons": list(REASON_LABELS.items()),
        "default_days": DEFAULT_VALID_DAYS,
    })


@login_required
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    """R21.1: the province administrator issues a certificate to an agency from the page."""
    try:
        agency = directory_selectors.agency_get(request.POST.get("agency", ""))
        row = services.certificate_issue(actor=_actor(request), agency=agency,
                                         valid_days=_valid_days(request))
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as err:
        if not _actor(request).has_role(Role.PROVINCE_ADMIN):
            raise PermissionDenied from None
        _failed(request, err)
    else:
        messages.success(request, _("Đã cấp chứng thư số cho %(agency)s, hiệu lực đến %(date)s.")
                         % {"agency": agency.name,
                            "date": localtime(row.not_after).strftime("%d/%m/%Y")})
    return redirect("signatures:certificate_list")


@login_required
@require_POST
def certificate_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """R21.1: renew with a new key; the old certificate is revoked as superseded."""
    certificate = _certificate(request, pk)
    try:
        row = services.certificate_renew(actor=_actor(request), certificate=certificate,
                                         valid_days=_valid_days(request))
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã gia hạn chứng thư số của %(agency)s, hiệu lực đến "
                                    "%(date)s.")
                         % {"agency": certificate.agency.name,
                            "date": localtime(row.not_after).strftime("%d/%m/%Y")})
    return redirect("signatures:certificate_list")


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """R21.1: revoke with a reason, after an explicit confirmation; the CRL is republished."""
    certificate = _certificate(request, pk)
    actor = _actor(request)
    try:
        # Anyone but the administrator goes straight to the service, which refuses and audits.
        if actor.has_role(Role.PROVINCE_ADMIN) and request.POST.get("confirm") != "1":
            raise ValidationFailed("Hãy đánh dấu ô xác nhận trước khi thu hồi.",
                                   "Tick the confirmation box before revoking.")
        services.certificate_revoke(actor=actor, certificate=certificate,
                                    reason=request.POST.get("reason", ""))
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as err:
        _failed(request, err)
    else:
        messages.success(request, _("Đã thu hồi chứng thư số của %(agency)s.")
                         % {"agency": certificate.agency.name})
    return redirect("signatures:certificate_list")
