"""The work dashboard: per role, how much work waits in each queue, each count a link to the
list that holds it (and from there one click to the action). The same counts are the menu's
badges and the bell, so they are computed once per request (:func:`dashboard_of`) and, for the
badges of pages other than home, kept a minute in the cache: at most one query per counter,
each on an index and counting up to ``COUNT_CAP`` (shown "1000+"), on the user's own agency and
need-to-know."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vanban.core import clock
from vanban.core.roles import Actor, Role, keeps_register
from vanban.incoming import selectors as incoming_selectors
from vanban.onestop import queues as onestop_queues
from vanban.registry import selectors as registry_selectors
from vanban.web import selectors
from vanban.workflow import rules as workflow_rules
from vanban.workflow import selectors as workflow_selectors

# Where the time of the user's last look at the dashboard is kept (the bell counts after it).
SEEN_KEY = "vanban_dashboard_seen"
# A first visit (or a new session) counts what came in the last day as new.
FIRST_LOOK = timedelta(days=1)
# How long the menu's badges may reuse a user's counts before they are counted again.
CACHE_SECONDS = 60
# Rejections older than this are history, not work (the sent list keeps them all).
REJECTED_DAYS = 30
# The queues' reads live in :mod:`vanban.web.selectors` (the list pages use the same ones).
OUTGOING_QUEUES = selectors.OUTGOING_QUEUES


@dataclass(frozen=True)
class Counter:
    """One number on the dashboard: what it counts, how many, where the list is."""

    key: str
    label: str
    count: int
    url: str
    tone: str = ""  # "warn" or "err": drawn in that colour when not zero

    @property
    def more(self) -> bool:
        """Counted up to the cap only: shown as "1000+"."""
        return self.count >= workflow_selectors.COUNT_CAP


@dataclass(frozen=True)
class Group:
    """The counters of one role."""

    title: str
    counters: list[Counter]


@dataclass
class Dashboard:
    """Every group of the user, the menu's badges (URL name → count) and the bell."""

    groups: list[Group] = field(default_factory=list)
    badges: dict[str, int] = field(default_factory=dict)
    new_arrivals: int = 0
    new_unassigned: int = 0
    new_tasks: int = 0
    since: datetime | None = None

    @property
    def bell(self) -> int:
        """What arrived, was registered for assignment or was given to the user since their
        last look."""
        return self.new_arrivals + self.new_unassigned + self.new_tasks


def _seen(request: HttpRequest) -> datetime:
    text = request.session.get(SEEN_KEY) if hasattr(request, "session") else None
    seen = parse_datetime(text) if isinstance(text, str) else None
    return seen or clock.now() - FIRST_LOOK


def mark_seen(request: HttpRequest) -> None:
    """The user has looked at the dashboard: the bell counts from now on."""
    request.session[SEEN_KEY] = clock.now().isoformat()


def _url(name: str, **query: str) -> str:
    url = reverse(name)
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else url


def _clerk(actor: Actor, board: Dashboard) -> None:
    """Văn thư: arrivals to register, rejected sendings, outgoing documents to number, sign,
    send."""
    capped = workflow_selectors.capped_count
    waiting = incoming_selectors.waiting(actor)
    arrived = {"n": capped(waiting),
               "new": capped(waiting.filter(received_at__gt=board.since))}
    board.new_arrivals = arrived["new"]
    rejected = capped(selectors.rejected_sendings(
        actor, clock.now() - timedelta(days=REJECTED_DAYS)))
    outgoing = {key: capped(selectors.outgoing_queue(actor, key)) for key in OUTGOING_QUEUES}
    board.badges["incoming:inbox"] = arrived["n"]
    board.badges["web:rejected"] = rejected
    board.groups.append(Group(_("Văn thư"), [
        Counter("waiting", _("Chờ vào sổ"), arrived["n"], _url("incoming:inbox"), "warn"),
        Counter("rejected", _("Bị từ chối (30 ngày)"), rejected, _url("web:rejected"), "err"),
        Counter("to_number", _("Dự thảo chờ cấp số"), outgoing["to_number"],
                _url("web:outgoing", queue="to_number")),
        Counter("to_sign", _("Chờ ký số"), outgoing["to_sign"],
                _url("web:outgoing", queue="to_sign"), "warn"),
        Counter("to_send", _("Chờ gửi"), outgoing["to_send"],
                _url("web:outgoing", queue="to_send"), "warn"),
    ]))


def _director(actor: Actor, agency_id: int, board: Dashboard) -> None:
    """Lãnh đạo: documents to assign and in progress, lines near or past their deadline."""
    found = workflow_selectors.incoming_counts(agency_id, board.since)
    board.new_unassigned = found.new_unassigned
    lines = workflow_selectors.agency_deadline_counts(agency_id)
    board.badges["workflow:unassigned"] = found.unassigned
    board.badges["workflow:overdue"] = lines.overdue
    awaiting = workflow_selectors.capped_count(registry_selectors.awaiting_approval(actor))
    board.badges["registry:approval_queue"] = awaiting
    board.groups.append(Group(_("Lãnh đạo cơ quan"), [
        Counter("unassigned", _("Chờ phân công"), found.unassigned,
                _url("workflow:unassigned"), "warn"),
        Counter("awaiting_approval", _("Chờ duyệt"), awaiting,
                _url("registry:approval_queue"), "warn"),
        Counter("in_progress", _("Đang xử lý"), found.in_progress,
                _url("workflow:queue", queue="in_progress")),
        Counter("agency_due_soon", _("Sắp đến hạn"), lines.due_soon,
                _url("workflow:overdue", due="soon"), "warn"),
        Counter("agency_overdue", _("Quá hạn"), lines.overdue,
                _url("workflow:overdue", due="overdue"), "err"),
    ]))


def _worker(actor: Actor, board: Dashboard) -> None:
    """Chuyên viên (and a unit's leader): the user's own lines."""
    mine = workflow_selectors.my_deadline_counts(actor, board.since)
    board.new_tasks = mine.new
    board.badges["workflow:my_tasks"] = mine.open
    board.groups.append(Group(_("Việc của tôi"), [
        Counter("my_tasks", _("Việc của tôi"), mine.open, _url("workflow:my_tasks")),
        Counter("my_due_soon", _("Sắp đến hạn"), mine.due_soon,
                _url("workflow:my_tasks", due="soon"), "warn"),
        Counter("my_overdue", _("Quá hạn"), mine.overdue,
                _url("workflow:my_tasks", due="overdue"), "err"),
    ]))


def _onestop(actor: Actor, board: Dashboard) -> None:
    """Cán bộ một cửa: dossiers to check, waiting for supplements, near or past their due time,
    results to hand back; the menu's badge counts what waits at the counter."""
    counts = onestop_queues.counts(actor)
    board.badges["onestop:desk"] = counts["check"] + counts["to_return"]
    tones = {q.key: q.tone for q in onestop_queues.QUEUES}
    board.groups.append(Group(_("Bộ phận Một cửa"), [
        Counter(f"onestop_{key}", _(label), counts[key],
                _url("onestop:desk", queue=key), tones[key])
        for key, label in (("check", gettext_noop("Chờ kiểm tra")),
                           ("supplement", gettext_noop("Chờ bổ sung")),
                           ("due_soon", gettext_noop("Sắp đến hạn")),
                           ("overdue", gettext_noop("Quá hạn")),
                           ("to_return", gettext_noop("Chờ trả kết quả")))]))


def compute(actor: Actor, since: datetime) -> Dashboard:
    """The dashboard of ``actor`` (no cache: see :func:`dashboard_of`)."""
    board = Dashboard(since=since)
    agency_id = actor.agency_id
    if agency_id is None:
        return board
    if actor.has_role(Role.CLERK) and keeps_register(actor, agency_id):
        _clerk(actor, board)
    if workflow_rules.is_director(actor, agency_id):
        _director(actor, agency_id, board)
    if actor.has_role(Role.SPECIALIST) or actor.has_role(Role.DELEGATE):
        _worker(actor, board)
    if actor.has_role(Role.ONESTOP):
        _onestop(actor, board)
    return board


def _cache_key(request: HttpRequest, user: Any) -> str:
    """Per user (and account: a reused id after a deletion gets its own key), language and
    last look at the dashboard (the bell counts from it)."""
    seen = request.session.get(SEEN_KEY, "") if hasattr(request, "session") else ""
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    language = getattr(request, "LANGUAGE_CODE", "") or "vi"
    return f"vanban:dashboard:{user.pk}:{joined}:{language}:{seen}"


def dashboard_of(request: HttpRequest, *, fresh: bool = False) -> Dashboard:
    """The signed-in user's dashboard, computed once per request (menu, bell and home page
    share it). The menu's badges on every other page reuse it from Django's cache for up to
    :data:`CACHE_SECONDS` (no invalidation: a count may lag a minute); the home page asks for
    a ``fresh`` one and stores it, so the dashboard itself is always current."""
    cached: Any = getattr(request, "_vanban_dashboard", None)
    if isinstance(cached, Dashboard):
        return cached
    user: Any = request.user
    if not user.is_authenticated:
        return Dashboard()
    key = _cache_key(request, user)
    board = None if fresh else cache.get(key)
    if not isinstance(board, Dashboard):
        board = compute(user, _seen(request))
        cache.set(key, board, CACHE_SECONDS)
    request._vanban_dashboard = board  # type: ignore[attr-defined]
    return board
