"""Reads of the workflow, scoped to the actor (another agency's document is "not found").

Incoming documents as the workflow sees them, their assignment lines and opinions, the actor's
own tasks, the overdue and due-soon list for the head, and work files.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from vanban.core import clock
from vanban.core.errors import not_found
from vanban.core.roles import Actor
from vanban.directory.selectors import work_calendar
from vanban.incoming import policy as incoming_policy
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


def my_tasks(actor: Actor) -> list[AssignmentLine]:
    """The actor's open lines (in person or through their unit), nearest deadline first."""
    if actor.agency_id is None:
        return []
    lines = _open_lines().filter(_holding(actor), incoming__agency_id=actor.agency_id)
    return sorted(lines, key=lambda x: (x.deadline is None, x.deadline or date.max, x.pk))


@dataclass
class HolderLoad:
    """One unit's or person's overdue and due-soon lines."""

    name: str
    overdue: list[AssignmentLine] = field(default_factory=list)
    due_soon: list[AssignmentLine] = field(default_factory=list)


def overdue_report(actor: Actor | None, agency_id: int) -> list[HolderLoad]:
    """R8.1: open lines past their deadline or due within two working days, per unit/person.

    For the agency's directors; anyone else is refused by the caller (``rules.is_director``).
    """
    now = today()
    soon = work_calendar(agency_id).add_working_days(now, DUE_SOON_WORKING_DAYS)
    lines = (_open_lines().filter(incoming__agency_id=agency_id, deadline__isnull=False,
                                  deadline__lte=soon)
             .exclude(role=LineRole.INFORM).order_by("deadline", "pk"))
    by_holder: dict[str, HolderLoad] = defaultdict(lambda: HolderLoad(""))
    for line in lines:
        key = f"u{line.unit_id}" if line.unit_id else f"p{line.user_id}"
        load = by_holder[key]
        load.name = line.holder_name
        assert line.deadline is not None  # noqa: S101 - filtered above
        (load.overdue if line.deadline < now else load.due_soon).append(line)
    return sorted(by_holder.values(), key=lambda x: (-len(x.overdue), x.name))


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
