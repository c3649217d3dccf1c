"""Writes of the notices: the periodic run that turns the other apps' state into notices (once
per user, kind and object), marking read, and the user's mail choice."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed, not_found
from vanban.core.roles import Actor
from vanban.notices import mail
from vanban.notices.models import MailChoice, Notice, Preference
from vanban.notices.selectors import user_id
from vanban.notices.sources import Candidate, candidates

CHUNK = 1000


@dataclass
class RunResult:
    """What one run wrote and mailed."""

    created: dict[str, int] = field(default_factory=dict)
    mailed: int = 0
    digests: int = 0

    @property
    def total(self) -> int:
        """Notices written by the run."""
        return sum(self.created.values())


def _missing(found: dict[tuple[int, str, int], Candidate]) -> list[Candidate]:
    """The candidates no notice exists for yet (one query per kind and chunk of objects)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _user, kind, object_id in found:
        by_kind[kind].add(object_id)
    existing: set[tuple[int, str, int]] = set()
    for kind, ids in by_kind.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            rows = Notice.objects.filter(kind=kind, object_id__in=ordered[start:start + CHUNK])
            existing.update((u, k, o) for u, k, o in
                            rows.values_list("user_id", "kind", "object_id"))
    return [c for key, c in found.items() if key not in existing]


def _write(new: list[Candidate], now: datetime) -> dict[str, int]:
    """Store the new notices with one audit event for the run (nothing when nothing is new)."""
    if not new:
        return {}
    counts = dict(Counter(c.kind for c in new))
    with transaction.atomic():
        Notice.objects.bulk_create(
            [Notice(user_id=c.user_id, agency_id=c.agency_id, kind=c.kind,
                    object_id=c.object_id, subject=c.subject[:500], detail=c.detail[:300],
                    url=c.url[:300], due=c.due, created_at=now) for c in new],
            batch_size=CHUNK, ignore_conflicts=True)  # a concurrent run wrote some: kept once
        audit_append(actor=None, action="notices.run", object_type="notices.notice",
                     data={"created": counts})
    return counts


def notices_run(*, at: datetime | None = None) -> RunResult:
    """One pass of the periodic job: write every notice that should exist and does not, then
    mail them by each user's choice (after the write committed: a mail server that is down
    leaves the notices in the app and the error on them)."""
    now = at or clock.now()
    today = now.astimezone(clock.VN_TZ).date()
    found = {(c.user_id, str(c.kind), c.object_id): c for c in candidates(now, today)}
    result = RunResult(created=_write(_missing(found), now))
    result.mailed = mail.mail_each(now)
    result.digests = mail.mail_digests(now)
    return result


def _mark_read(actor: Actor, notice_id: int | None) -> int:
    """Mark the actor's unread notices (one, or all) read, with one audit event when any
    changed; another user's notice is silently not matched (nothing is revealed)."""
    with transaction.atomic():
        unread = Notice.objects.filter(user_id=user_id(actor), read_at__isnull=True)
        if notice_id is not None:
            unread = unread.filter(pk=notice_id)
        ids = sorted(unread.values_list("pk", flat=True))
        if not ids:
            return 0
        Notice.objects.filter(pk__in=ids).update(read_at=clock.now())
        audit_append(actor=actor, action="notices.read", object_type="notices.notice",
                     object_id=ids[0] if len(ids) == 1 else "", data={"notices": ids})
    return len(ids)


def notice_read(*, actor: Actor, notice_id: int) -> Notice:
    """Mark one of the actor's notices read (another user's is "not found")."""
    notice = Notice.objects.filter(pk=notice_id, user_id=user_id(actor)).first()
    if notice is None:
        raise not_found("thông báo", "Notice")
    if notice.read_at is None:
        _mark_read(actor, notice.pk)
        notice.refresh_from_db(fields=["read_at"])
    return notice


def notices_read_all(*, actor: Actor) -> int:
    """Mark every unread notice of the actor read; returns how many."""
    return _mark_read(actor, None)


def preference_set(*, actor: Actor, choice: str) -> Preference:
    """Store the actor's mail choice (audited)."""
    if choice not in MailChoice.values:
        raise ValidationFailed("Lựa chọn gửi thư không hợp lệ.", "Invalid mail choice.")
    with transaction.atomic():
        before = Preference.objects.filter(user_id=user_id(actor)).first()
        old = before.mail if before else mail.default_choice()
        preference, _created = Preference.objects.update_or_create(
            user_id=user_id(actor), defaults={"mail": choice, "updated_at": clock.now()})
        audit_append(actor=actor, action="notices.preference", object_type="accounts.user",
                     object_id=actor.pk, before={"mail": old}, after={"mail": choice})
    return preference
