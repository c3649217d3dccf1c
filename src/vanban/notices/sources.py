"""Where notices come from: the state the other apps already keep, read-only (pull-based).

Each source returns the candidates of one kind: who should be told, about which row. The run
(:mod:`.services`) writes the ones not written before. Recipients are always staff of the agency
the row belongs to (no leaks across agencies): the clerks for arrivals, rejections and recalls,
the head and delegates for documents to assign, a line's person or the members of its unit for
tasks and deadlines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from vanban.accounts.models import User
from vanban.core.roles import Role
from vanban.directory.selectors import work_calendar
from vanban.exchange.core.states import State
from vanban.exchange.models import INBOUND, Delivery
from vanban.incoming.models import IncomingDocument, IncomingState
from vanban.notices.models import Kind
from vanban.workflow.models import AssignmentLine, LineRole

# What happened longer ago than this is history, not news (a first run does not flood).
LOOKBACK = timedelta(days=14)
WORKERS = (Role.SPECIALIST, Role.DELEGATE, Role.HEAD)
DIRECTORS = (Role.HEAD, Role.DELEGATE)


@dataclass(frozen=True)
class Candidate:
    """One notice that should exist."""

    user_id: int
    agency_id: int
    kind: str
    object_id: int
    subject: str
    detail: str = ""
    url: str = ""
    due: date | None = None


def due_soon_days() -> int:
    """Working days ahead that count as "deadline near" (setting, default 2)."""
    return int(getattr(settings, "VANBAN_NOTICES_DUE_SOON_DAYS", 2))


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class Staff:
    """Active staff per agency and role, and per unit, read once per run."""

    def __init__(self) -> None:
        self._by_role: dict[tuple[int, Role], list[int]] | None = None
        self._by_unit: dict[int, list[int]] = {}
        self._agency_of: dict[int, int] = {}

    def _load(self) -> dict[tuple[int, Role], list[int]]:
        if self._by_role is None:
            found: dict[tuple[int, Role], list[int]] = defaultdict(list)
            rows = (User.objects.filter(is_active=True, agency__isnull=False)
                    .values_list("pk", "agency_id", "unit_id", "roles__role"))
            units: dict[int, set[int]] = defaultdict(set)
            for pk, agency_id, unit_id, role in rows:
                self._agency_of[pk] = agency_id
                if role is None:
                    continue
                found[agency_id, Role(role)].append(pk)
                if unit_id is not None and Role(role) in WORKERS:
                    units[unit_id].add(pk)
            self._by_role = found
            self._by_unit = {unit: sorted(users) for unit, users in units.items()}
        return self._by_role

    def of(self, agency_id: int, roles: Iterable[Role]) -> list[int]:
        """Users of the agency holding any of ``roles``."""
        table = self._load()
        return sorted({pk for role in roles for pk in table.get((agency_id, role), [])})

    def serves(self, user_id: int, agency_id: int) -> bool:
        """Whether the user is active staff of the agency (a person who moved or left is not
        told of the agency's work any more)."""
        self._load()
        return self._agency_of.get(user_id) == agency_id

    def of_unit(self, unit_id: int) -> list[int]:
        """The unit's members who work on lines (specialists, delegates, head)."""
        self._load()
        return self._by_unit.get(unit_id, [])


def _sender_name(delivery: Delivery) -> str:
    sender = delivery.transmission.sender
    return sender.short_name or sender.name


def arrivals(staff: Staff, now: datetime) -> Iterator[Candidate]:
    """Deliveries waiting in an agency's inbox → its clerks."""
    rows = (Delivery.objects.filter(INBOUND, state=State.ARRIVED,
                                    received_at__gte=now - LOOKBACK)
            .select_related("transmission__sender").order_by("pk"))
    for delivery in rows.iterator(chunk_size=500):
        url = _url("incoming:delivery", delivery.uid)
        for user_id in staff.of(delivery.recipient_id, (Role.CLERK,)):
            yield Candidate(user_id, delivery.recipient_id, Kind.ARRIVAL, delivery.pk,
                            delivery.transmission.subject, _sender_name(delivery), url)


def to_assign(staff: Staff, now: datetime) -> Iterator[Candidate]:
    """Registered documents waiting for assignment → the agency's head and delegates."""
    rows = (IncomingDocument.objects.filter(state=IncomingState.REGISTERED,
                                            registered_at__gte=now - LOOKBACK).order_by("pk"))
    for document in rows.iterator(chunk_size=500):
        for user_id in staff.of(document.agency_id, DIRECTORS):
            yield Candidate(user_id, document.agency_id, Kind.ASSIGN, document.pk,
                            document.subject, document.issuer_name,
                            _url("workflow:document", document.pk))


def _open_lines() -> QuerySet[AssignmentLine]:
    return (AssignmentLine.objects.filter(done_at__isnull=True, withdrawn_at__isnull=True)
            .exclude(incoming__state=IncomingState.COMPLETED)
            .select_related("incoming").order_by("pk"))


def _holders(staff: Staff, line: AssignmentLine) -> list[int]:
    if line.user_id is not None:
        return [line.user_id] if staff.serves(line.user_id, line.incoming.agency_id) else []
    return staff.of_unit(line.unit_id) if line.unit_id is not None else []


def _line_candidates(staff: Staff, lines: QuerySet[AssignmentLine], kind: str
                     ) -> Iterator[Candidate]:
    for line in lines.iterator(chunk_size=500):
        url = _url("workflow:document", line.incoming_id)
        detail = line.get_role_display()
        for user_id in _holders(staff, line):
            yield Candidate(user_id, line.incoming.agency_id, kind, line.pk,
                            line.incoming.subject, str(detail), url, line.deadline)


def tasks(staff: Staff, now: datetime) -> Iterator[Candidate]:
    """Open lines given lately → their person or the members of their unit."""
    lines = _open_lines().filter(assignment__assigned_at__gte=now - LOOKBACK)
    yield from _line_candidates(staff, lines, Kind.TASK)


def deadlines(staff: Staff, today: date) -> Iterator[Candidate]:
    """Open lines with work to do (not "for information"): past their deadline (lately: older
    ones were told when they passed), or due within the agency's next working days."""
    lines = _open_lines().filter(deadline__isnull=False).exclude(role=LineRole.INFORM)
    overdue = lines.filter(deadline__lt=today, deadline__gte=today - LOOKBACK)
    yield from _line_candidates(staff, overdue, Kind.OVERDUE)
    days = due_soon_days()
    # A bound wide enough for any calendar, then each agency's own working days.
    near = lines.filter(deadline__gte=today, deadline__lte=today + timedelta(days=days * 3 + 21))
    agencies = set(near.values_list("incoming__agency_id", flat=True).distinct())
    for agency_id in sorted(agencies):
        until = work_calendar(agency_id).add_working_days(today, days)
        yield from _line_candidates(
            staff, near.filter(incoming__agency_id=agency_id, deadline__lte=until),
            Kind.DUE_SOON)


def rejections(staff: Staff, now: datetime) -> Iterator[Candidate]:
    """Our sent documents a recipient refused → the sender agency's clerks."""
    rows = (Delivery.objects.filter(state=State.REJECTED, rejected_at__gte=now - LOOKBACK,
                                    transmission__origin="")
            .select_related("transmission", "recipient").order_by("pk"))
    url = _url("web:rejected")
    for delivery in rows.iterator(chunk_size=500):
        sender_id = delivery.transmission.sender_id
        for user_id in staff.of(sender_id, (Role.CLERK,)):
            yield Candidate(user_id, sender_id, Kind.REJECTED, delivery.pk,
                            delivery.transmission.subject,
                            delivery.recipient.short_name or delivery.recipient.name, url)


def recalls(staff: Staff, now: datetime) -> Iterator[Candidate]:
    """Documents we received that the sender asks back or revoked → our clerks."""
    since = now - LOOKBACK
    rows = (Delivery.objects.filter(received_at__isnull=False)
            .filter(Q(state__in=(State.RECALL_REQUESTED, State.RECALLED),
                      recall_requested_at__gte=since)
                    | Q(state=State.WITHDRAWN, withdrawn_at__gte=since))
            .select_related("transmission__sender").order_by("pk"))
    for delivery in rows.iterator(chunk_size=500):
        url = _url("incoming:delivery", delivery.uid)
        for user_id in staff.of(delivery.recipient_id, (Role.CLERK,)):
            yield Candidate(user_id, delivery.recipient_id, Kind.RECALL, delivery.pk,
                            delivery.transmission.subject, _sender_name(delivery), url)


def candidates(now: datetime, today: date) -> Iterator[Candidate]:
    """Every notice that should exist now."""
    staff = Staff()
    yield from arrivals(staff, now)
    yield from to_assign(staff, now)
    yield from tasks(staff, now)
    yield from deadlines(staff, today)
    yield from rejections(staff, now)
    yield from recalls(staff, now)
