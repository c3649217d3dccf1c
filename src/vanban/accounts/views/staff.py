"""Staff pages (R20.1): list, create, edit, roles, password reset, unlock, deactivate.

Scoped by the selectors: another agency's staff member is a 404, as an unknown id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vanban.accounts import selectors, services
from vanban.accounts.forms import (
    ResetPasswordForm,
    RolesForm,
    StaffCreateForm,
    StaffForm,
    role_label,
)
from vanban.accounts.models import User
from vanban.accounts.views._helpers import message_of, signed_in
from vanban.core.errors import DomainError, NotFound
from vanban.core.roles import STAFF_MANAGERS, Role
from vanban.directory.models import Agency

View = Callable[..., HttpResponse]


def _manager_only(view: View) -> View:
    """Signed in, and a staff manager or the province administrator; NotFound becomes 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = signed_in(request)
        if not user.role_set() & (STAFF_MANAGERS | {Role.PROVINCE_ADMIN}):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(message_of(request, exc)) from None

    return wrapped


def _is_province_admin(user: User) -> bool:
    return user.has_role(Role.PROVINCE_ADMIN)


@_manager_only
def staff_list(request: HttpRequest) -> HttpResponse:
    """Staff of the actor's agency; the province administrator picks one with ``?agency=``."""
    user = signed_in(request)
    agency = selectors.agency_for(user, request.GET.get("agency"))
    rows = [(s, [role_label(r) for r in sorted(s.role_set())])
            for s in selectors.staff_for(user, agency)]
    return render(request, "accounts/staff_list.html", {
        "agency": agency, "rows": rows,
        "agencies": selectors.agencies_for(user) if _is_province_admin(user) else None,
    })


def _create(request: HttpRequest, user: User, agency: Agency, form: StaffCreateForm
            ) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        created = services.staff_create(
            actor=user, agency=agency, username=data["username"], full_name=data["full_name"],
            roles=data["roles"], password=data["password"], unit=data["unit"],
            position=data["position"], mailbox=data.get("mailbox") or "")
    except NotFound:
        raise
    except DomainError as exc:
        form.add_error(None, message_of(request, exc))
        return None
    messages.success(request, _("Đã tạo tài khoản %(name)s.") % {"name": created.username})
    return redirect("accounts:staff_detail", pk=created.pk)


@_manager_only
def staff_new(request: HttpRequest) -> HttpResponse:
    """Create an account in the actor's agency (or, for the province admin, the chosen one)."""
    user = signed_in(request)
    agency = selectors.agency_for(user, request.GET.get("agency"))
    province = _is_province_admin(user)
    form = StaffCreateForm(request.POST if request.method == "POST" else None,
                           units=selectors.units_of(agency), mailbox_editable=province,
                           grant_province_admin=province)
    if form.is_valid() and (response := _create(request, user, agency, form)) is not None:
        return response
    return render(request, "accounts/staff_new.html", {"form": form, "agency": agency})


def _apply(request: HttpRequest, user: User, staff: User) -> bool:
    """Run the action the detail page posted; True when it succeeded."""
    action = request.POST.get("action")
    province = _is_province_admin(user)
    if action == "update":
        form = StaffForm(request.POST, units=selectors.units_of(staff.agency),
                         mailbox_editable=province)
        if not form.is_valid():
            return False
        d = form.cleaned_data
        services.staff_update(actor=user, user=staff, full_name=d["full_name"], unit=d["unit"],
                              position=d["position"],
                              mailbox=(d.get("mailbox") or "") if province else None)
    elif action == "roles":
        roles_form = RolesForm(request.POST, grant_province_admin=province)
        if not roles_form.is_valid():
            return False
        services.staff_set_roles(actor=user, user=staff, roles=roles_form.cleaned_data["roles"])
    elif action == "reset":
        reset = ResetPasswordForm(request.POST)
        if not reset.is_valid():
            return False
        services.staff_reset_password(actor=user, user=staff,
                                      password=reset.cleaned_data["password"],
                                      reason=reset.cleaned_data["reason"])
    elif action == "unlock":
        services.staff_unlock(actor=user, user=staff)
    elif action in {"deactivate", "activate"}:
        services.staff_update(actor=user, user=staff, active=action == "activate")
    elif action == "disable_2fa":
        services.totp_disable(actor=user, user=staff, reason=request.POST.get("reason", ""))
    else:
        return False
    return True


@_manager_only
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One staff member: details, roles, password reset, lockout, activation, 2FA."""
    user = signed_in(request)
    staff = selectors.staff_get(user, pk)
    if request.method == "POST":
        try:
            ok = _apply(request, user, staff)
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, message_of(request, exc))
        else:
            if ok:
                messages.success(request, _("Đã lưu thay đổi."))
            else:
                messages.error(request, _("Dữ liệu nhập chưa hợp lệ, vui lòng kiểm tra lại."))
        return redirect(reverse("accounts:staff_detail", args=[staff.pk]))
    province = _is_province_admin(user)
    return render(request, "accounts/staff_detail.html", {
        "staff": staff,
        "roles": [role_label(r) for r in sorted(staff.role_set())],
        "role_requests": [(r, role_label(Role(r.role))) for r in selectors.role_requests_of(staff)],
        "form": StaffForm(initial={"full_name": staff.full_name, "unit": staff.unit_id,
                                   "position": staff.position, "mailbox": staff.mailbox},
                          units=selectors.units_of(staff.agency), mailbox_editable=province),
        "roles_form": RolesForm(initial={"roles": [r.value for r in staff.role_set()]},
                                grant_province_admin=province),
        "reset_form": ResetPasswordForm(),
        "locked_until": services.lock_end(staff),
        "two_factor_on": services.has_confirmed_device(staff),
        "is_self": staff.pk == user.pk,
    })
