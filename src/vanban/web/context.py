"""Template context shared by every page: the navigation the signed-in user may use, with the
dashboard's counts as badges and the bell (computed once per request)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vanban.core.roles import AUDIT_READERS, ROLE_LABELS_EN, ROLE_LABELS_VI, Role
from vanban.web.dashboard import dashboard_of
from vanban.workflow import selectors as workflow_selectors


@dataclass(frozen=True)
class NavItem:
    """One entry of the left-hand menu."""

    label: str
    url: str
    active: bool
    badge: str = ""  # work waiting behind the entry (the dashboard's count), "": none shown


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


_STAFF = frozenset({Role.CLERK, Role.HEAD, Role.DELEGATE, Role.SPECIALIST})
_MANAGERS = frozenset({Role.CLERK, Role.HEAD, Role.DELEGATE})
_HEADS = frozenset({Role.HEAD, Role.DELEGATE})
# (label, URL name, roles that see it; None: everybody signed in), in menu order.
_MENU: tuple[tuple[str, str, frozenset[Role] | None], ...] = (
    (gettext_noop("Trang chủ"), "web:home", None),
    (gettext_noop("Thông báo"), "notices:list", None),
    (gettext_noop("Văn bản đi"), "registry:document_list", _STAFF),
    (gettext_noop("Sổ đăng ký văn bản đi"), "registry:register_view", _MANAGERS),
    (gettext_noop("Văn bản chờ ký, chờ gửi"), "web:outgoing", frozenset({Role.CLERK})),
    (gettext_noop("Văn bản đến"), "incoming:inbox", _MANAGERS),
    # For whoever does not keep the register: the incoming documents they work on.
    (gettext_noop("Văn bản đến"), "workflow:queue", _STAFF),
    (gettext_noop("Sổ đăng ký văn bản đến"), "incoming:register_list", _MANAGERS),
    (gettext_noop("Chờ phân công"), "workflow:unassigned", _HEADS),
    (gettext_noop("Dự thảo chờ duyệt"), "registry:approval_queue", _HEADS),
    (gettext_noop("Việc của tôi"), "workflow:my_tasks", _STAFF),
    (gettext_noop("Một cửa"), "onestop:desk", _HEADS | {Role.ONESTOP}),
    (gettext_noop("Văn bản quá hạn"), "workflow:overdue", _HEADS),
    (gettext_noop("Hồ sơ công việc"), "workflow:work_files", _STAFF),
    (gettext_noop("Lịch làm việc"), "workflow:calendar", _HEADS | {Role.PROVINCE_ADMIN}),
    (gettext_noop("Văn bản đã gửi"), "exchange:sent_list", _MANAGERS),
    (gettext_noop("Kiểm tra hộp thư"), "checks:report", _MANAGERS | {Role.PROVINCE_ADMIN}),
    (gettext_noop("Lời nhắc"), "checks:reminders", frozenset({Role.CLERK})),
    (gettext_noop("Thư bị giữ lại"), "mailgate:quarantine", frozenset({Role.CLERK})),
    (gettext_noop("Trục liên thông"), "exchange:hub", frozenset({Role.PROVINCE_ADMIN})),
    (gettext_noop("Hộp thư công vụ"), "mail:mailboxes", frozenset({Role.PROVINCE_ADMIN})),
    (gettext_noop("Khoá DKIM của tỉnh"), "mail:dkim", frozenset({Role.PROVINCE_ADMIN})),
    (gettext_noop("Danh bạ cơ quan"), "directory:agency_tree", None),
    (gettext_noop("Cán bộ"), "accounts:staff_list",
     _HEADS | {Role.IT_OFFICER, Role.PROVINCE_ADMIN}),
    (gettext_noop("Chứng thư số"), "signatures:certificate_list",
     frozenset({Role.PROVINCE_ADMIN, Role.HEAD, Role.CLERK})),
    (gettext_noop("Nhật ký kiểm toán"), "audit:event_list", AUDIT_READERS | {Role.PROVINCE_ADMIN}),
    (gettext_noop("Bằng chứng gửi nhận"), "evidence:index",
     frozenset({Role.PROVINCE_ADMIN, Role.IT_OFFICER})),
    (gettext_noop("Bảo mật tài khoản"), "accounts:security", None),
)


def _entries(roles: frozenset[Role] | set[Role]) -> list[tuple[str, str, str]]:
    """(label, URL name, URL) of the entries the roles see; one entry per label (the first)."""
    found: list[tuple[str, str, str]] = []
    labels: set[str] = set()
    for label, name, allowed in _MENU:
        if allowed is not None and not roles & allowed:
            continue
        url = _url(name)
        if url is not None and label not in labels:
            labels.add(label)
            found.append((_(label), name, url))
    return found


def _badge(count: int) -> str:
    """A badge's text: nothing for 0, "1000+" for a count that reached the cap."""
    if not count:
        return ""
    return f"{count}+" if count >= workflow_selectors.COUNT_CAP else str(count)


def navigation(request: HttpRequest) -> dict[str, object]:
    """Menu entries with their badges, the bell and role labels for the current user (empty
    when signed out)."""
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": [], "role_labels": []}
    roles = user.role_set()
    found = _entries(roles)
    # The entry whose address is the longest prefix of the page is the active one, so that
    # /incoming/register/ lights "Sổ đăng ký văn bản đến", not also "Văn bản đến" (/incoming/).
    prefixes = [url for _label, _name, url in found
                if (request.path == url if url == "/" else request.path.startswith(url))]
    current = max(prefixes, key=len, default=None)
    board = dashboard_of(request)
    items = [NavItem(label=label, url=url, active=url == current,
                     badge=_badge(board.badges.get(name, 0))) for label, name, url in found]
    english = (request.LANGUAGE_CODE or "vi").startswith("en")
    labels = ROLE_LABELS_EN if english else ROLE_LABELS_VI
    return {"nav_items": items, "role_labels": [labels[r] for r in sorted(roles)],
            "bell": board.bell}
