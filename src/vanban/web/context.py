"""Template context shared by every page: the navigation the signed-in user may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from vanban.core.roles import AUDIT_READERS, ROLE_LABELS_EN, ROLE_LABELS_VI, Role


@dataclass(frozen=True)
class NavItem:
    """One entry of the left-hand menu."""

    label: str
    url: str
    active: bool


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, object]:
    """Menu entries and role labels for the current user (empty when signed out)."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "role_labels": []}
    roles = user.role_set()
    wanted: list[tuple[str, str]] = [(_("Trang chủ"), "web:home")]
    if roles & {Role.CLERK, Role.HEAD, Role.DELEGATE, Role.SPECIALIST}:
        wanted.append((_("Văn bản đi"), "registry:document_list"))
    if roles & {Role.CLERK, Role.HEAD, Role.DELEGATE}:
        wanted.append((_("Sổ đăng ký văn bản đi"), "registry:register_view"))
    if roles & {Role.CLERK, Role.HEAD, Role.DELEGATE, Role.SPECIALIST}:
        wanted.append((_("Văn bản đến (liên thông)"), "exchange:inbox"))
    if roles & {Role.CLERK, Role.HEAD, Role.DELEGATE}:
        wanted.append((_("Văn bản đã gửi"), "exchange:sent_list"))
    if Role.PROVINCE_ADMIN in roles:
        wanted.append((_("Trục liên thông"), "exchange:hub"))
    wanted.append((_("Danh bạ cơ quan"), "directory:agency_tree"))
    if roles & {Role.HEAD, Role.DELEGATE, Role.IT_OFFICER, Role.PROVINCE_ADMIN}:
        wanted.append((_("Cán bộ"), "accounts:staff_list"))
    if roles & {Role.PROVINCE_ADMIN, Role.HEAD, Role.CLERK}:
        wanted.append((_("Chứng thư số"), "signatures:certificate_list"))
    if roles & (AUDIT_READERS | {Role.PROVINCE_ADMIN}):
        wanted.append((_("Nhật ký kiểm toán"), "audit:event_list"))
    if roles & {Role.PROVINCE_ADMIN, Role.IT_OFFICER}:
        wanted.append((_("Bằng chứng gửi nhận"), "evidence:index"))
    wanted.append((_("Bảo mật tài khoản"), "accounts:security"))
    items = []
    for label, name in wanted:
        url = _url(name)
        if url is not None:
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append(NavItem(label=label, url=url, active=active))
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    labels = ROLE_LABELS_EN if english else ROLE_LABELS_VI
    return {"nav_items": items, "role_labels": [labels[r] for r in sorted(roles)]}
