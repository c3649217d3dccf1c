"""Writing to the audit log. Every mutating service calls :func:`audit_append` inside its own
transaction, so the change and its event commit (or roll back) together (architecture rule 2).

Seals (R14.3): every ``VANBAN_AUDIT_SEAL_EVERY`` events the append also signs the new head with the
installation key, and :func:`audit_seal` does so on demand; an administrator who rewrites the
table cannot forge those signatures, so ``vanban audit verify`` notices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from vanban.audit import chain, keys, pgappend, schedule
from vanban.audit.findings import VerifyResult
from vanban.audit.models import AuditEvent, AuditSeal
from vanban.audit.verify import verify_database
from vanban.core import clock
from vanban.core.errors import DomainError, forbidden
from vanban.core.roles import Actor, Role


def _iso(at: datetime) -> str:
    return chain.iso_utc(at)


_COLUMNS = ("seq", "at", "actor_id", "actor_username", "agency_code", "action", "object_type",
            "object_id", "before_digest", "after_digest", "data", "prev_hash", "hash")
_INSERT = (
    f"INSERT INTO audit_auditevent ({', '.join(_COLUMNS)}) "  # noqa: S608 - fixed column list
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING id"
)
# Taking the head row's lock and reading the previous hash in one round trip: the UPDATE waits
# for a concurrent append to commit and then sees its values (PostgreSQL re-reads the row).
_CLAIM = "UPDATE audit_audithead SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"
_ADVANCE = "UPDATE audit_audithead SET hash = %s WHERE id = 1"


@dataclass(frozen=True)
class PreparedEvent:
    """An event's fields, computed before any lock is taken (digests, canonical JSON, time).

    What remains under the head lock is only the chaining: seq, previous hash, hash.
    """

    at: datetime
    actor_id: int | None
    actor_username: str
    agency_code: str
    action: str
    object_type: str
    object_id: str
    before_digest: str
    after_digest: str
    data: str

    @property
    def at_iso(self) -> str:
        """The time as hashed."""
        return _iso(self.at)

    def params(self, data: str | None = None) -> list[Any]:
        """The arguments of the PostgreSQL append function (``pgappend.CALL``), in order."""
        return [self.at, self.at_iso, self.actor_id, self.actor_username, self.agency_code,
                self.action, self.object_type, self.object_id, self.before_digest,
                self.after_digest, self.data if data is None else data]


def audit_prepare(
    *,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    agency_code: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> PreparedEvent:
    """The event's fields, ready to be chained (no database access)."""
    return PreparedEvent(
        at=clock.now(), actor_id=_actor_id(actor),
        actor_username=actor.username if actor is not None else "", agency_code=agency_code,
        action=action, object_type=object_type, object_id=str(object_id),
        before_digest=chain.digest(before), after_digest=chain.digest(after),
        data=chain.canonical_json(data))


def audit_append(
    *,
    actor: Actor | None,
    action: str,
    object_type: str = "",
    object_id: object = "",
    agency_code: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event, linked to the previous one by hash. Joins the caller's transaction.

    Every mutation of the system passes here. On PostgreSQL it is one call of the append
    function (``pgappend``: head claim, insert and head update server-side, one round trip
    under the head lock); elsewhere three plain statements.
    """
    prepared = audit_prepare(actor=actor, action=action, object_type=object_type,
                             object_id=object_id, agency_code=agency_code, before=before,
                             after=after, data=data)
    return audit_append_prepared(prepared)


def audit_append_prepared(prepared: PreparedEvent) -> AuditEvent:
    """Chain and store a prepared event in the caller's transaction (see :func:`audit_append`)."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # An event on its own (a refusal, a read): one autocommit statement, committed by the
        # server before it answers, so the head lock never waits for this process.
        return _append_postgres(connection, prepared)
    # No savepoint: a failed append must fail the caller's whole action, and savepoints cost
    # two round trips on PostgreSQL.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            return _append_postgres(connection, prepared)
        return _append_python(connection, prepared)


def _append_postgres(connection: Any, prepared: PreparedEvent) -> AuditEvent:
    """One call of the append function (``pgappend``)."""
    with connection.cursor() as cursor:
        cursor.execute(pgappend.CALL, prepared.params())
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the audit append function returned nothing")
    return audit_appended(prepared, id=int(row[0]), seq=int(row[1]), prev_hash=str(row[2]),
                          digest=str(row[3]))


def audit_appended(prepared: PreparedEvent, *, id: int | None, seq: int, prev_hash: str,
                   digest: str, data: str | None = None) -> AuditEvent:
    """The stored event as a model instance; seals the head when ``seq`` is due.

    Called by whoever chained the event, under the head lock or (autocommit) just after the
    event committed: a seal may sign any past head, it need not be the current one. ``data`` is the
    stored data text when the database built it (the registration function adds the number).
    """
    event = AuditEvent(id=id, seq=seq, at=prepared.at, actor_id=prepared.actor_id,
                       actor_username=prepared.actor_username,
                       agency_code=prepared.agency_code, action=prepared.action,
                       object_type=prepared.object_type, object_id=prepared.object_id,
                       before_digest=prepared.before_digest, after_digest=prepared.after_digest,
                       data=prepared.data if data is None else data, prev_hash=prev_hash,
                       hash=digest)
    event._state.adding = False
    event._state.db = transaction.get_connection().alias
    every = int(getattr(settings, "VANBAN_AUDIT_SEAL_EVERY", 0))
    if every > 0 and seq % every == 0:
        _seal(seq=seq, head_hash=digest)
    schedule.note_append()
    return event


def _append_python(connection: Any, prepared: PreparedEvent) -> AuditEvent:
    """The portable append: claim the head, insert the event, advance the head."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM)
        claimed = cursor.fetchone()
        if claimed is None:  # a database emptied by hand (tests' flush): start at genesis
            # Concurrent first appends all get here: one insert wins, the others wait for
            # it on the conflict and then claim after it.
            cursor.execute("INSERT INTO audit_audithead (id, seq, hash) VALUES (1, 0, %s) "
                           "ON CONFLICT (id) DO NOTHING", [chain.GENESIS_HASH])
            cursor.execute(_CLAIM)
            claimed = cursor.fetchone()
        if claimed is None:
            raise RuntimeError("the audit head row cannot be created")
        seq, prev_hash = int(claimed[0]), str(claimed[1])
        # The time is taken under the lock here, so it follows the chain order.
        prepared = replace(prepared, at=clock.now())
        digest = chain.event_hash(
            prev_hash=prev_hash, at_iso=prepared.at_iso, seq=seq, actor_id=prepared.actor_id,
            actor_username=prepared.actor_username, agency_code=prepared.agency_code,
            action=prepared.action, object_type=prepared.object_type,
            object_id=prepared.object_id, before_digest=prepared.before_digest,
            after_digest=prepared.after_digest, data=prepared.data)
        row = {"seq": seq, "at": connection.ops.adapt_datetimefield_value(prepared.at),
               "actor_id": prepared.actor_id, "actor_username": prepared.actor_username,
               "agency_code": prepared.agency_code, "action": prepared.action,
               "object_type": prepared.object_type, "object_id": prepared.object_id,
               "before_digest": prepared.before_digest, "after_digest": prepared.after_digest,
               "data": prepared.data, "prev_hash": prev_hash, "hash": digest}
        cursor.execute(_INSERT, [row[c] for c in _COLUMNS])
        inserted = cursor.fetchone()
        cursor.execute(_ADVANCE, [digest])
    return audit_appended(prepared, id=inserted[0] if inserted else None, seq=seq,
                          prev_hash=prev_hash, digest=digest)


def _actor_id(actor: Actor | None) -> int | None:
    if actor is None or actor.pk is None:
        return None
    return int(str(actor.pk))


_seal = schedule.seal


def _may_operate(actor: Actor | None) -> bool:
    """The console operator, the province administrator and IT officers run seal and verify."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN) or actor.has_role(Role.IT_OFFICER)


def audit_seal(*, actor: Actor | None) -> AuditSeal:
    """Seal the chain head now: records who asked (an ``audit.seal`` event), then signs it."""
    if not _may_operate(actor):
        raise forbidden()
    with transaction.atomic():
        event = audit_append(actor=actor, action="audit.seal", object_type="audit")
        existing = AuditSeal.objects.filter(seq=event.seq).first()
        if existing is not None:  # the periodic seal fell on this very event
            return existing
        return _seal(seq=event.seq, head_hash=event.hash)


def audit_verify(*, actor: Actor | None, agency_code: str = "") -> VerifyResult:
    """Check the whole chain and its seals (R14.3), then record that it was checked and how."""
    if not _may_operate(actor):
        raise forbidden()
    result = verify_database(public_keys=keys.known_public_keys(),
                             schedule=schedule.Schedule.from_settings())
    failure = result.failure
    audit_append(
        actor=actor, action="audit.verify", object_type="audit", agency_code=agency_code,
        data={"ok": result.ok, "count": result.count,
              "failure_seq": failure.seq if failure else None,
              "failure_kind": str(failure.kind) if failure else None},
    )
    return result



def audit_refusal(
    *,
    actor: Actor | None,
    error: DomainError,
    action: str,
    object_type: str = "",
    object_id: object = "",
    agency_code: str = "",
    data: Mapping[str, Any] | None = None,
) -> DomainError:
    """Record a refused attempt as ``<action>.denied`` (R16.2) and hand back the error to raise.

    Call it outside the service's own transaction, so the record survives the refusal.
    """
    audit_append(actor=actor, action=f"{action}.denied", object_type=object_type,
                 object_id=object_id, agency_code=agency_code,
                 data={**(data or {}), "reason": error.code})
    error.audited = True
    return error
