"""Pages of the directory: the province's agency tree, an agency's card, and the forms that the
province administrator (agencies) and an agency's managers (units) use (R1.1, R20.1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vanban.core.errors import DomainError, NotFound
from vanban.core.pages import request_actor as _actor
from vanban.core.pages import show_error as _failed
from vanban.directory import groups, rules, selectors, services
from vanban.directory.forms import AgencyForm, RecipientGroupForm, UnitForm
from vanban.directory.models import Agency, RecipientGroup


def _agency(code: str) -> Agency:
    try:
        return selectors.agency_get(code)
    except NotFound as err:
        raise Http404(err.en) from None



@login_required
def agency_tree(request: HttpRequest) -> HttpResponse:
    """The province's address book, as a collapsible tree (every signed-in user)."""
    actor = _actor(request)
    admin = rules.can_manage_agencies(actor)
    roots = selectors.agency_tree(include_inactive=admin)
    return render(request, "directory/agency_tree.html", {
        "roots": roots, "can_manage": admin, "total": sum(r.count() for r in roots),
    })


@login_required
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An agency's card; its units only for its own staff and the province administrator."""
    actor = _actor(request)
    agency = _agency(code)
    units = selectors.units_of(actor, agency) if rules.can_see_units(actor, agency.pk) else None
    return render(request, "directory/agency_detail.html", {
        "agency": agency, "units": units,
        "children": agency.children.order_by("code"),
        "can_manage": rules.can_manage_agencies(actor),
        "can_manage_units": rules.can_manage_units(actor, agency.pk),
    })


def _agency_values(form: AgencyForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"name": data["name"], "short_name": data["short_name"], "parent": data["parent"],
            "kind": data["kind"], "connected": data["connected"], "mailbox": data["mailbox"]}


@login_required
def agency_create(request: HttpRequest) -> HttpResponse:
    """R20.1: the province administrator adds an agency and its official mailbox."""
    actor = _actor(request)
    if request.method != "POST" and not rules.can_manage_agencies(actor):
        raise PermissionDenied
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=actor, code=form.cleaned_data["code"],
                                            **_agency_values(form))
        except DomainError as err:
            _failed(request, err)
            if not rules.can_manage_agencies(actor):
                raise PermissionDenied from None
        else:
            messages.success(request, _("Đã thêm cơ quan %(name)s.") % {"name": agency.name})
            return redirect("directory:agency_detail", code=agency.code)
    return render(request, "directory/agency_form.html", {"form": form, "agency": None})


@login_required
def agency_edit(request: HttpRequest, code: str) -> HttpResponse:
    """R20.1: the province administrator changes an agency (name, parent, mailbox, status)."""
    actor = _actor(request)
    agency = _agency(code)
    if request.method != "POST" and not rules.can_manage_agencies(actor):
        raise PermissionDenied
    initial = {"code": agency.code, "name": agency.name, "short_name": agency.short_name,
               "parent": agency.parent, "kind": agency.kind, "connected": agency.connected,
               "mailbox": agency.mailbox, "active": agency.active}
    form = AgencyForm(request.POST or None, initial=initial, editing=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(actor=actor, agency=agency, active=form.cleaned_data["active"],
                                   **_agency_values(form))
        except DomainError as err:
            _failed(request, err)
            if not rules.can_manage_agencies(actor):
                raise PermissionDenied from None
            agency.refresh_from_db()
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("directory:agency_detail", code=agency.code)
    return render(request, "directory/agency_form.html", {"form": form, "agency": agency})


@login_required
def unit_create(request: HttpRequest, code: str) -> HttpResponse:
    """Add a unit: the province administrator or the agency's head, delegate or IT officer."""
    actor = _actor(request)
    agency = _agency(code)
    if request.method != "POST" and not rules.can_manage_units(actor, agency.pk):
        raise PermissionDenied
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_create(actor=actor, agency=agency, code=data["code"],
                                 name=data["name"], short_name=data["short_name"])
        except DomainError as err:
            _failed(request, err)
            if not rules.can_manage_units(actor, agency.pk):
                raise PermissionDenied from None
        else:
            messages.success(request, _("Đã thêm đơn vị %(name)s.") % {"name": data["name"]})
            return redirect("directory:agency_detail", code=agency.code)
    return render(request, "directory/unit_form.html", {"form": form, "agency": agency})


@login_required
def unit_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Rename or deactivate a unit (another agency's unit is not found, R1.1)."""
    actor = _actor(request)
    agency = _agency(code)
    try:
        unit = selectors.unit_get(actor, pk)
    except NotFound as err:
        raise Http404(err.en) from None
    if unit.agency_id != agency.pk:
        raise Http404
    if request.method != "POST" and not rules.can_manage_units(actor, agency.pk):
        raise PermissionDenied
    initial = {"code": unit.code, "name": unit.name, "short_name": unit.short_name,
               "active": unit.active}
    form = UnitForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(actor=actor, unit=unit, name=data["name"],
                                 short_name=data["short_name"], active=data["active"])
        except DomainError as err:
            _failed(request, err)
            if not rules.can_manage_units(actor, agency.pk):
                raise PermissionDenied from None
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("directory:agency_detail", code=agency.code)
    return render(request, "directory/unit_form.html",
                  {"form": form, "agency": agency, "unit": unit})


# --- recipient groups (the province administrator's) -------------------------------------------


def _group(pk: int) -> RecipientGroup:
    try:
        return groups.recipient_group_get(pk)
    except NotFound as err:
        raise Http404(err.en) from None


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The province's recipient groups, offered by the outgoing recipients picker."""
    if not rules.can_manage_agencies(_actor(request)):
        raise PermissionDenied
    return render(request, "directory/group_list.html",
                  {"groups": groups.recipient_groups_all()})


def _group_form(request: HttpRequest, group: RecipientGroup | None) -> HttpResponse:
    """The form; a POST from anyone else reaches the service, which audits the refusal."""
    actor = _actor(request)
    allowed = rules.can_manage_agencies(actor)
    if request.method != "POST" and not allowed:
        raise PermissionDenied
    initial = ({"name": group.name, "position": group.position,
                "members": list(group.members.all())} if group is not None else None)
    form = RecipientGroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            groups.recipient_group_save(actor=actor, group=group, name=data["name"],
                                        members=data["members"], position=data["position"])
        except DomainError as err:
            form.add_error(None, err.message(request.LANGUAGE_CODE))
        else:
            messages.success(request, _("Đã lưu nhóm nơi nhận."))
            return redirect("directory:group_list")
    if not allowed:
        raise PermissionDenied
    return render(request, "directory/group_form.html", {"form": form, "group": group})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    """Add a recipient group (province administrator, R20.1)."""
    return _group_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a group or change its members (province administrator, R20.1)."""
    return _group_form(request, _group(pk))


@login_required
@require_POST
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a group (province administrator; refusals audited)."""
    try:
        groups.recipient_group_delete(actor=_actor(request), group=_group(pk))
    except DomainError as err:
        _failed(request, err)
        raise PermissionDenied from None
    messages.success(request, _("Đã xoá nhóm nơi nhận."))
    return redirect("directory:group_list")
