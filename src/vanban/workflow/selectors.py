"""Reads of the workflow, scoped to the actor (another agency's document is "not found").

Incoming documents as the workflow sees them, their assignment lines and opinions, the actor's
own tasks, the overdue and due-soon list for the head, and work files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.db.models import Count, F, Model, Q, QuerySet

from vanban.core import clock, paging
from vanban.core.errors import not_found
from vanban.core.paging import Page
from vanban.core.roles import Actor
from vanban.directory.selectors import work_calendar
from vanban.incoming import policy as incoming_policy
from vanban.incoming import selectors as incoming_selectors
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.workflow import rules
from vanban.workflow.models import (
    AssignmentLine,
    LineRole,
    Opinion,
    WorkFile,
    WorkFileItem,
)

DUE_SOON_WORKING_DAYS = 2
PAGE = 50
M = TypeVar("M", bound=Model)


def today() -> date:
    """Today in Asia/Ho_Chi_Minh."""
    return clock.local_now().date()


def _holding(actor: Actor, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}user_id": actor.pk})
    unit_id = rules.unit_of(actor)
    if unit_id is not None:
        q |= Q(**{f"{prefix}unit_id": unit_id})
    return q


def held_incoming(actor: Actor) -> QuerySet[Any]:
    """Ids of the incoming documents the actor holds or held a line of (withdrawn lines too:
    a former holder still reads what they worked on). Registered with the incoming policy."""
    return AssignmentLine.objects.filter(_holding(actor)).values("incoming_id")


def incoming_visible(actor: Actor | None) -> QuerySet[IncomingDocument]:
    """The registered documents the actor may see: the incoming app's need-to-know policy
    (register keepers, and holders of a line), one rule for pages, API and files."""
    return incoming_policy.visible(actor).select_related("agency", "delivery", "register")


def incoming_get(actor: Actor | None, pk: int, *,
                 action: str = "workflow.document_view") -> IncomingDocument:
    """One document the actor may see; another agency's is ``NotFound``, one of the actor's
    agency without need-to-know a ``Forbidden`` audited as ``<action>.denied``."""
    document = (IncomingDocument.objects.select_related("agency", "delivery", "register")
                .filter(pk=pk).first())
    return incoming_policy.document_allowed(actor, document, action=action)


def lines_of(document: IncomingDocument) -> list[AssignmentLine]:
    """Every line of every assignment of the document, oldest assignment first, withdrawn ones
    included (the page and the handling slip show them as history; :mod:`rules` ignores them)."""
    return list(AssignmentLine.objects.filter(incoming=document)
                .select_related("assignment__assigned_by", "assignment__parent", "unit",
                                "user", "done_by", "withdrawn_by")
                .order_by("assignment__assigned_at", "assignment_id", "pk"))


def line_get(actor: Actor | None, pk: int) -> AssignmentLine:
    """One line of a document the actor may see, or ``NotFound``."""
    line = (AssignmentLine.objects.select_related("assignment", "incoming__agency", "unit",
                                                  "user")
            .filter(pk=pk, incoming__in=incoming_visible(actor)).first())
    if line is None:
        raise not_found("phân công", "Assignment")
    return line


def opinions_of(document: IncomingDocument) -> list[Opinion]:
    """The document's opinions, oldest first, each knowing its correction (if any)."""
    return list(Opinion.objects.filter(incoming=document)
                .select_related("author", "corrects", "correction").order_by("at", "pk"))


def opinion_get(actor: Actor | None, pk: int) -> Opinion:
    """One opinion on a document the actor may see, or ``NotFound``."""
    opinion = (Opinion.objects.select_related("incoming", "author")
               .filter(pk=pk, incoming__in=incoming_visible(actor)).first())
    if opinion is None:
        raise not_found("ý kiến", "Opinion")
    return opinion


def _open_lines() -> QuerySet[AssignmentLine]:
    """Lines still to do: not done, not withdrawn by a re-assignment, document not completed."""
    return (AssignmentLine.objects.filter(done_at__isnull=True, withdrawn_at__isnull=True)
            .exclude(incoming__state=IncomingState.COMPLETED)
            .select_related("incoming", "unit", "user", "assignment"))


def my_open_lines(actor: Actor) -> QuerySet[AssignmentLine]:
    """The actor's open lines (in person or through their unit), nearest deadline first
    (no deadline last)."""
    if actor.agency_id is None:
        return AssignmentLine.objects.none()
    return (_open_lines().filter(_holding(actor), incoming__agency_id=actor.agency_id)
            .order_by(F("deadline").asc(nulls_last=True), "pk"))


def my_tasks(actor: Actor) -> list[AssignmentLine]:
    """The actor's open lines, nearest deadline first."""
    return list(my_open_lines(actor))


def due_soon_until(agency_id: int) -> date:
    """The last day that counts as "due soon": two working days from today."""
    return work_calendar(agency_id).add_working_days(today(), DUE_SOON_WORKING_DAYS)


def by_due(lines: QuerySet[AssignmentLine], due: str, agency_id: int) -> QuerySet[AssignmentLine]:
    """Lines filtered by ``due``: ``overdue`` (deadline before today), ``soon`` (today up to
    two working days on), anything else: all."""
    if due == "overdue":
        return lines.filter(deadline__lt=today())
    if due == "soon":
        return lines.filter(deadline__gte=today(), deadline__lte=due_soon_until(agency_id))
    return lines


@dataclass(frozen=True)
class DeadlineCounts:
    """Open lines, and how many of them are due soon or past their deadline."""

    open: int
    due_soon: int
    overdue: int
    new: int = 0  # given after the ``since`` asked for (the bell)


def _deadline_counts(lines: QuerySet[AssignmentLine], agency_id: int,
                     since: datetime | None = None) -> DeadlineCounts:
    """One aggregate query for the counters."""
    now = today()
    found = lines.order_by().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=now)),
        due_soon=Count("pk", filter=Q(deadline__gte=now,
                                      deadline__lte=due_soon_until(agency_id))),
        new=Count("pk", filter=Q(assignment__assigned_at__gt=since) if since else Q(pk=None)))
    return DeadlineCounts(open=found["open"], due_soon=found["due_soon"],
                          overdue=found["overdue"], new=found["new"])


def my_deadline_counts(actor: Actor, since: datetime | None = None) -> DeadlineCounts:
    """The dashboard's "việc của tôi", "sắp đến hạn" and "quá hạn" for the actor's own lines,
    and how many of them were given after ``since``."""
    if actor.agency_id is None:
        return DeadlineCounts(0, 0, 0)
    return _deadline_counts(my_open_lines(actor), actor.agency_id, since)


def agency_deadline_counts(agency_id: int) -> DeadlineCounts:
    """Over the agency's open lines with a deadline (for its directors; lines "for information"
    have no work to be late with): how many are due soon and overdue, each counted up to
    :data:`COUNT_CAP` (``open`` is not counted: 0)."""
    lines = (_open_lines().filter(incoming__agency_id=agency_id, deadline__isnull=False)
             .exclude(role=LineRole.INFORM))
    return DeadlineCounts(open=0, due_soon=capped_count(by_due(lines, "soon", agency_id)),
                          overdue=capped_count(by_due(lines, "overdue", agency_id)))


# --- queues of incoming documents --------------------------------------------------------------

# A queue's name in the address and the document states it holds.
QUEUE_STATES: dict[str, tuple[str, ...]] = {
    "unassigned": (IncomingState.REGISTERED,),
    "in_progress": (IncomingState.ASSIGNED, IncomingState.PROCESSING),
    "completed": (IncomingState.COMPLETED,),
}


# A counter counts up to this many and then shows "1000+": its cost stays bounded however many
# documents wait (a hundred thousand documents per agency, every page shows the badges).
COUNT_CAP = 1000


def capped_count(rows: QuerySet[Any]) -> int:
    """How many rows, counted up to :data:`COUNT_CAP` (``COUNT`` over a ``LIMIT`` subquery)."""
    return rows.order_by()[:COUNT_CAP].count()


@dataclass(frozen=True)
class IncomingCounts:
    """The agency's registered documents waiting for assignment and being worked on (each up
    to :data:`COUNT_CAP`)."""

    unassigned: int
    in_progress: int
    new_unassigned: int = 0  # registered after the ``since`` asked for (the bell)


def incoming_counts(agency_id: int, since: datetime | None = None) -> IncomingCounts:
    """One bounded query per counter, on the indexes (``agency, state``) and (``agency,
    registered_at``)."""
    register = IncomingDocument.objects.filter(agency_id=agency_id)
    waiting = register.filter(state__in=QUEUE_STATES["unassigned"])
    return IncomingCounts(
        unassigned=capped_count(waiting),
        in_progress=capped_count(register.filter(state__in=QUEUE_STATES["in_progress"])),
        new_unassigned=capped_count(waiting.filter(registered_at__gt=since)) if since else 0)


def incoming_search(documents: QuerySet[IncomingDocument], text: str
                    ) -> QuerySet[IncomingDocument]:
    """Documents whose subject, issuer, number or notation hold the words of ``text``
    (diacritics and đ/d folded: the incoming register's one rule)."""
    return incoming_selectors.text_search(documents, text)


def incoming_queue(actor: Actor | None, queue: str, search: str = ""
                   ) -> QuerySet[IncomingDocument]:
    """The documents the actor may see in ``queue`` (:data:`QUEUE_STATES`; anything else: all),
    filtered by ``search``."""
    # The list shows the documents' own columns: no joins, so the newest-first page can walk
    # the primary key backwards and stop after one page.
    documents = incoming_visible(actor).select_related(None)
    if queue in QUEUE_STATES:
        documents = documents.filter(state__in=QUEUE_STATES[queue])
    return incoming_search(documents, search)


def keyset_page(rows: QuerySet[M], before: int | None, limit: int | None = None) -> Page[M]:
    """``limit`` rows with a key below ``before``, newest first (:func:`vanban.core.paging.
    keyset_page`, with the workflow's page size): the same cost on page 1 and page 1000, and
    nothing is cut silently (the page says when there is more)."""
    return paging.keyset_page(rows, after=before, size=limit or PAGE)


@dataclass
class HolderLoad:
    """One unit's or person's overdue and due-soon lines (on the overdue page: one page of
    them, with the holder's full counts and where its next lines start)."""

    name: str
    overdue: list[AssignmentLine] = field(default_factory=list)
    due_soon: list[AssignmentLine] = field(default_factory=list)
    key: str = ""
    overdue_count: int = 0
    due_soon_count: int = 0
    more: str = ""  # the cursor of the holder's next lines ("": none left)


def overdue_lines(agency_id: int, due: str = "") -> QuerySet[AssignmentLine]:
    """R8.1: the agency's open lines past their deadline or due within two working days,
    nearest deadline first; only one of the two when ``due`` is ``overdue`` or ``soon``."""
    return by_due(_open_lines().filter(incoming__agency_id=agency_id, deadline__isnull=False,
                                       deadline__lte=due_soon_until(agency_id))
                  .exclude(role=LineRole.INFORM).order_by("deadline", "pk"), due, agency_id)


def _holder(unit_id: int | None, user_id: int | None) -> str:
    """Whose load a line counts in: its unit, else its person."""
    return f"u{unit_id}" if unit_id else f"p{user_id}"


@dataclass(frozen=True)
class HolderCount:
    """How many of :func:`overdue_lines` one unit/person holds: past their deadline, and in
    all (the badges count every line, whatever page of them is shown)."""

    key: str
    overdue: int
    total: int

    @property
    def due_soon(self) -> int:
        """The holder's lines not yet past their deadline."""
        return self.total - self.overdue


def overdue_holder_counts(agency_id: int, due: str = "") -> list[HolderCount]:
    """The units/persons with lines in :func:`overdue_lines` and their counts, the most overdue
    first, in one grouped query (not a row per line: one person may hold hundreds)."""
    now = today()
    late: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for found in (overdue_lines(agency_id, due).select_related(None).order_by()
                  .values("unit_id", "user_id")
                  .annotate(late=Count("pk", filter=Q(deadline__lt=now)), total=Count("pk"))):
        key = _holder(found["unit_id"], found["user_id"])
        total[key] += found["total"]
        late[key] += found["late"]
    return [HolderCount(k, late[k], total[k])
            for k in sorted(total, key=lambda k: (-late[k], -total[k], k))]


def overdue_lines_of(agency_id: int, holders: Iterable[str],
                     due: str = "") -> QuerySet[AssignmentLine]:
    """:func:`overdue_lines` of the given holders (keys of :func:`overdue_holder_counts`)."""
    keys = list(holders)
    units = [int(k[1:]) for k in keys if k.startswith("u")]
    users = [int(k[1:]) for k in keys if k.startswith("p")]
    return overdue_lines(agency_id, due).filter(
        Q(unit_id__in=units) | Q(unit_id__isnull=True, user_id__in=users))


# Lines of one unit/person shown at a time on the overdue page (the rest behind "xem thêm").
HOLDER_LINES = 50


def line_cursor(line: AssignmentLine) -> str:
    """Where the lines after ``line`` start: its deadline and id (the page's order)."""
    assert line.deadline is not None  # noqa: S101 - filtered by overdue_lines
    return f"{line.deadline.isoformat()}_{line.pk}"


def parse_line_cursor(raw: str) -> tuple[date, int] | None:
    """A :func:`line_cursor` back as (deadline, id); anything else: None (the first lines)."""
    day, _, pk = str(raw or "").partition("_")
    try:
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def holder_lines(agency_id: int, holder: str, due: str = "", after: str = "",
                 size: int | None = None) -> tuple[list[AssignmentLine], str]:
    """Up to ``size`` (:data:`HOLDER_LINES`) of one holder's :func:`overdue_lines` after the
    cursor ``after`` (keyset on deadline and id: the same cost for the first and the tenth
    page) and the cursor of the lines after them ("" when none are left)."""
    size = size or HOLDER_LINES
    lines = overdue_lines_of(agency_id, [holder], due)
    start = parse_line_cursor(after)
    if start is not None:
        day, pk = start
        lines = lines.filter(Q(deadline__gt=day) | Q(deadline=day, pk__gt=pk))
    found = list(lines[:size + 1])
    more = line_cursor(found[size - 1]) if len(found) > size else ""
    return found[:size], more


def holder_loads(agency_id: int, counts: Iterable[HolderCount], due: str = "",
                 after: str = "") -> list[HolderLoad]:
    """The overdue page's cards: for each holder of ``counts``, its counts and its first
    :data:`HOLDER_LINES` lines (after ``after``: for the page of one holder's next lines)."""
    now = today()
    loads = []
    for count in counts:
        lines, more = holder_lines(agency_id, count.key, due, after)
        load = HolderLoad(name=lines[0].holder_name if lines else "", key=count.key,
                          overdue_count=count.overdue, due_soon_count=count.due_soon,
                          more=more)
        for line in lines:
            assert line.deadline is not None  # noqa: S101 - filtered by overdue_lines
            (load.overdue if line.deadline < now else load.due_soon).append(line)
        loads.append(load)
    return loads


def by_holder(lines: Iterable[AssignmentLine]) -> list[HolderLoad]:
    """The lines per unit/person, the most overdue first."""
    now = today()
    loads: dict[str, HolderLoad] = defaultdict(lambda: HolderLoad(""))
    for line in lines:
        load = loads[_holder(line.unit_id, line.user_id)]
        load.name = line.holder_name
        assert line.deadline is not None  # noqa: S101 - filtered by overdue_lines
        (load.overdue if line.deadline < now else load.due_soon).append(line)
    return sorted(loads.values(), key=lambda x: (-len(x.overdue), x.name))


def overdue_report(actor: Actor | None, agency_id: int, due: str = "") -> list[HolderLoad]:
    """R8.1: :func:`overdue_lines` per unit/person (every line: for the API and tests; the page
    reads them a page at a time).

    For the agency's directors; anyone else is refused by the caller (``rules.is_director``).
    """
    return by_holder(overdue_lines(agency_id, due))


def is_overdue(line: AssignmentLine) -> bool:
    """Open (not done, not withdrawn), with a deadline before today."""
    return (line.done_at is None and line.withdrawn_at is None and line.deadline is not None
            and line.deadline < today())


# --- work files -------------------------------------------------------------------------------


def work_files_of(actor: Actor | None) -> QuerySet[WorkFile]:
    """The work files of the actor's agency."""
    files = WorkFile.objects.select_related("agency", "unit", "creator")
    if actor is None:
        return files
    if actor.agency_id is None:
        return files.none()
    return files.filter(agency_id=actor.agency_id)


def work_file_get(actor: Actor | None, pk: int) -> WorkFile:
    """One work file of the actor's agency, or ``NotFound``."""
    work_file = work_files_of(actor).filter(pk=pk).first()
    if work_file is None:
        raise not_found("hồ sơ công việc", "Work file")
    return work_file


def items_of(work_file: WorkFile) -> list[WorkFileItem]:
    """The documents of a work file, in the order they were added (DocOrdinal)."""
    return list(work_file.items.select_related("incoming", "document", "added_by")
                .order_by("added_at", "pk"))


def work_files_holding(document: IncomingDocument) -> list[WorkFile]:
    """The work files an incoming document belongs to."""
    return list(WorkFile.objects.filter(items__incoming=document).select_related("agency"))
