"""The province administrator's pages: official mailboxes (create, disable; the password shown
once, on the answer to the creation and never again) and the provincial DKIM key table.
Thin: the services check the role and write; refusals go to the 403 page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from vanban.accounts.models import User
from vanban.core.errors import DomainError, Forbidden, forbidden, not_found
from vanban.core.pages import policy_pages, request_actor, show_error
from vanban.directory.models import Agency
from vanban.mail import dkim, services
from vanban.mail.models import DkimKey, Mailbox


def _admin(request: HttpRequest) -> None:
    if not services.may_manage(request_actor(request)):
        raise forbidden()


def _mailbox_page(request: HttpRequest, created: services.Created | None = None,
                  status: int = 200) -> HttpResponse:
    context = {"mailboxes": services.mailboxes(), "created": created,
               "agencies": Agency.objects.filter(active=True, installation="").order_by("code"),
               "form": request.POST if request.method == "POST" and created is None else {}}
    response = render(request, "mail/mailboxes.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # the password must not stay in a cache
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@policy_pages
def mailboxes(request: HttpRequest) -> HttpResponse:
    """R13.1, R20.1: the mailboxes; POST creates one and shows its password this once."""
    _admin(request)
    if request.method != "POST":
        return _mailbox_page(request)
    agency = Agency.objects.filter(code=request.POST.get("agency", "").strip()).first()
    username = request.POST.get("username", "").strip()
    try:
        user = None
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise not_found("cán bộ", "staff member")
        if agency is None:
            raise not_found("cơ quan", "agency")
        created = services.mailbox_create(actor=request_actor(request),
                                          address=request.POST.get("address", ""),
                                          agency=agency, user=user)
    except Forbidden:
        raise
    except DomainError as err:
        show_error(request, err)
        return _mailbox_page(request, status=400)
    return _mailbox_page(request, created)


@login_required
@require_POST
@policy_pages
def mailbox_disable(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop logins to a mailbox (its mail stays on the server)."""
    _admin(request)
    box = get_object_or_404(Mailbox, pk=pk)
    try:
        services.mailbox_disable(actor=request_actor(request), mailbox=box)
    except Forbidden:
        raise
    except DomainError as err:  # the mail system is down: nothing changed
        show_error(request, err)
        return redirect("mail:mailboxes")
    messages.success(request, _("Đã khoá hộp thư %(address)s.") % {"address": box.address})
    return redirect("mail:mailboxes")


@login_required
@require_http_methods(["GET", "POST"])
@policy_pages
def dkim_keys(request: HttpRequest) -> HttpResponse:
    """The provincial DKIM key table; POST adds a key (a private key makes it a signing key)."""
    _admin(request)
    if request.method == "POST":
        try:
            dkim.dkim_key_add(actor=request_actor(request),
                              domain=request.POST.get("domain", ""),
                              selector=request.POST.get("selector", ""),
                              public_pem=request.POST.get("public_pem", ""),
                              private_pem=request.POST.get("private_pem", "").strip())
        except Forbidden:
            raise
        except DomainError as err:
            show_error(request, err)
            return render(request, "mail/dkim.html", {"keys": dkim.dkim_keys(),
                                                      "form": request.POST}, status=400)
        messages.success(request, _("Đã thêm khoá DKIM."))
        return redirect("mail:dkim")
    return render(request, "mail/dkim.html", {"keys": dkim.dkim_keys(), "form": {}})


@login_required
@require_POST
@policy_pages
def dkim_disable(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop using a key."""
    _admin(request)
    key = get_object_or_404(DkimKey, pk=pk)
    dkim.dkim_key_disable(actor=request_actor(request), domain=key.domain,
                          selector=key.selector)
    messages.success(request, _("Đã ngừng dùng khoá %(key)s.") % {"key": str(key)})
    return redirect("mail:dkim")
