"""R14.3: tampering with the stored log — by an administrator who first drops the append-only
triggers — is detected, and verification names the first event that was altered, removed or
inserted. Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection, transaction

from vanban.audit import chain
from vanban.audit.findings import FailureKind, VerifyResult
from vanban.audit.models import AuditEvent, AuditHead, AuditSeal
from vanban.audit.verify import verify_database

Fill = Callable[..., list[AuditEvent]]
AdminSql = Callable[..., None]
Verify = Callable[[], VerifyResult]


def _hash_of(event: AuditEvent, *, seq: int | None = None, prev_hash: str | None = None) -> str:
    """What a careful forger computes: the event's hash from its (changed) fields."""
    return chain.event_hash(
        prev_hash=event.prev_hash if prev_hash is None else prev_hash,
        seq=event.seq if seq is None else seq, at_iso=chain.iso_utc(event.at),
        actor_id=event.actor_id, actor_username=event.actor_username,
        agency_code=event.agency_code, action=event.action, object_type=event.object_type,
        object_id=event.object_id, before_digest=event.before_digest,
        after_digest=event.after_digest, data=event.data)


def _db_time(event: AuditEvent) -> Any:
    """The event's time as the database stores it (what a forger copies)."""
    return connection.ops.adapt_datetimefield_value(event.at)


def _insert(admin_sql: AdminSql, event: AuditEvent) -> None:
    """INSERT a forged event row (its hash computed to fit its prev_hash)."""
    admin_sql(
        "INSERT INTO audit_auditevent (seq, at, actor_id, actor_username, agency_code, action, "
        "object_type, object_id, before_digest, after_digest, data, prev_hash, hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (event.seq, _db_time(event), event.actor_id, event.actor_username, event.agency_code,
         event.action, event.object_type, event.object_id, event.before_digest,
         event.after_digest, event.data, event.prev_hash, _hash_of(event)))


def _shift(admin_sql: AdminSql, *, above: int, by: int) -> None:
    """Renumber events with seq >= ``above`` by ``by`` without tripping the unique index."""
    admin_sql("UPDATE audit_auditevent SET seq = -(seq + %s) WHERE seq >= %s", (by, above))
    admin_sql("UPDATE audit_auditevent SET seq = -seq WHERE seq < 0")


def _failure(result: VerifyResult) -> tuple[int, FailureKind]:
    assert not result.ok
    assert result.failure is not None
    assert result.failure.vi
    assert result.failure.en
    assert f"#{result.failure.seq}" in result.failure.vi
    assert f"#{result.failure.seq}" in result.failure.en
    return result.failure.seq, result.failure.kind


def test_intact_log_verifies(fill: Fill, verify_now: Verify) -> None:
    """R14.3: an untouched log passes: every hash recomputes, every seal verifies."""
    events = fill(22)
    result = verify_now()
    assert result.ok, result.failure
    assert (result.count, result.seals, result.last_seq) == (22, 4, 22)
    assert result.last_hash == events[-1].hash == AuditHead.objects.get().hash


def test_empty_log_verifies(db: None, verify_now: Verify) -> None:
    """R14.3: a fresh installation (genesis head, no events) is intact."""
    result = verify_now()
    assert result.ok
    assert result.count == 0


def test_edited_field_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify) -> None:
    """R14.3: changing one column of event #7 names event #7 as altered."""
    fill(12)
    admin_sql("UPDATE audit_auditevent SET actor_username = 'kẻ giả mạo' WHERE seq = 7")
    assert _failure(verify_now()) == (7, FailureKind.ALTERED)


def test_edited_time_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify) -> None:
    """R14.3: back-dating event #4 (a whole-second time) is detected as an alteration."""
    fill(12)
    with connection.cursor() as cursor:
        cursor.execute("SELECT at FROM audit_auditevent WHERE seq = 5")
        other_time = cursor.fetchone()[0]
    admin_sql("UPDATE audit_auditevent SET at = %s WHERE seq = 4", (other_time,))
    assert _failure(verify_now()) == (4, FailureKind.ALTERED)


def test_edit_with_recomputed_hash_is_named(fill: Fill, admin_sql: AdminSql,
                                            verify_now: Verify) -> None:
    """R14.3: a forger who also recomputes event #7's hash is still caught: #8 no longer links."""
    events = fill(12)
    forged = events[6]
    forged.data = '{"i":6,"tên":"Hà Nội"}'
    admin_sql("UPDATE audit_auditevent SET data = %s, hash = %s WHERE seq = 7",
              (forged.data, _hash_of(forged)))
    assert _failure(verify_now()) == (7, FailureKind.ALTERED)


def test_deleted_row_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify) -> None:
    """R14.3: deleting event #12 leaves a gap that names #12 as removed."""
    fill(22)
    admin_sql("DELETE FROM audit_auditevent WHERE seq = 12")
    assert _failure(verify_now()) == (12, FailureKind.REMOVED)


def test_deleted_and_renumbered_is_named(fill: Fill, admin_sql: AdminSql,
                                         verify_now: Verify) -> None:
    """R14.3: deleting #12 and renumbering the rest to close the gap still names #12."""
    fill(22)
    admin_sql("DELETE FROM audit_auditevent WHERE seq = 12")
    _shift(admin_sql, above=13, by=-1)
    admin_sql("UPDATE audit_audithead SET seq = 21")
    assert _failure(verify_now()) == (12, FailureKind.REMOVED)


def test_forged_insert_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify) -> None:
    """R14.3: a forged event slipped in as #9, with a hash that fits its predecessor, is named."""
    events = fill(12)
    _shift(admin_sql, above=9, by=1)
    template = events[7]
    template.seq, template.action, template.prev_hash = 9, "document.delete", events[7].hash
    _insert(admin_sql, template)
    admin_sql("UPDATE audit_audithead SET seq = 13")
    assert _failure(verify_now()) == (9, FailureKind.INSERTED)


def test_forged_append_after_head_is_named(fill: Fill, admin_sql: AdminSql,
                                           verify_now: Verify) -> None:
    """R14.3: a forged event added after the head (head record untouched) is named."""
    events = fill(6)
    last = events[-1]
    forged = AuditEvent(seq=7, at=last.at, actor_id=None, actor_username="", agency_code="",
                        action="forged", object_type="", object_id="", before_digest="",
                        after_digest="", data="{}", prev_hash=last.hash)
    _insert(admin_sql, forged)
    assert _failure(verify_now()) == (7, FailureKind.INSERTED)


@pytest.mark.parametrize("fix_head", [False, True])
def test_tail_deleted_after_seal_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify,
                                          fix_head: bool) -> None:
    """R14.3: deleting the newest events is caught even if the head is fixed up: seal #20
    vouches for them, so #18 is named as removed."""
    events = fill(22)
    admin_sql("DELETE FROM audit_auditevent WHERE seq >= 18")
    if fix_head:
        admin_sql("UPDATE audit_audithead SET seq = 17, hash = %s", (events[16].hash,))
    assert _failure(verify_now()) == (18, FailureKind.REMOVED)


def test_tail_deleted_without_seal_caught_by_head(fill: Fill, admin_sql: AdminSql,
                                                  verify_now: Verify) -> None:
    """R14.3: deleting unsealed newest events is caught by the head record (#21 removed)."""
    fill(22)
    admin_sql("DELETE FROM audit_auditevent WHERE seq > 20")
    assert _failure(verify_now()) == (21, FailureKind.REMOVED)


@pytest.mark.parametrize(("column", "value"), [
    ("hash", "ab" * 32), ("at", "2020-01-01 00:00:00"), ("signature", "AAAA"),
])
def test_edited_seal_is_named(fill: Fill, admin_sql: AdminSql, verify_now: Verify,
                              column: str, value: str) -> None:
    """R14.3: any change to seal #10 breaks its signature and names it."""
    fill(12)
    admin_sql(f"UPDATE audit_auditseal SET {column} = %s WHERE seq = 10", (value,))  # noqa: S608
    assert _failure(verify_now()) == (10, FailureKind.SEAL_INVALID)


def test_rewritten_chain_is_caught_by_seal(fill: Fill, admin_sql: AdminSql,
                                           verify_now: Verify) -> None:
    """R14.3: recomputing every hash from #7 on (and the head) only the key holder could
    re-sign: seal #10 no longer matches, naming the range #6–#10."""
    events = fill(12)
    prev = events[5].hash
    for event in events[6:]:
        if event.seq == 7:
            event.action = "forged"
        new_hash = _hash_of(event, prev_hash=prev)
        admin_sql("UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s "
                  "WHERE seq = %s", (event.action, prev, new_hash, event.seq))
        prev = new_hash
    admin_sql("UPDATE audit_audithead SET hash = %s", (prev,))
    result = verify_now()
    assert _failure(result) == (10, FailureKind.SEAL_MISMATCH)
    assert result.failure is not None
    assert "#6" in result.failure.en


def test_head_record_edit_is_named(fill: Fill, verify_now: Verify) -> None:
    """R14.3: the head record must match the last event."""
    fill(3)
    AuditHead.objects.update(hash="0" * 64)
    assert _failure(verify_now()) == (3, FailureKind.HEAD_MISMATCH)


def test_seal_from_unknown_key_is_named(fill: Fill) -> None:
    """R14.3: seals checked against another key (a third party's copy of a different key) fail."""
    fill(6)
    other = Ed25519PrivateKey.generate().public_key()
    result = verify_database(public_keys={"other": other})
    assert _failure(result) == (5, FailureKind.SEAL_INVALID)


# --- the triggers themselves -----------------------------------------------------------------

def _refused(sql: str) -> None:
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET action = 'forged' WHERE seq = 2",
    "DELETE FROM audit_auditevent WHERE seq = 2",
    "DELETE FROM audit_auditevent",
    "UPDATE audit_auditseal SET hash = 'x'",
    "DELETE FROM audit_auditseal",
])
def test_triggers_refuse_update_and_delete(fill: Fill, verify_now: Verify, sql: str) -> None:
    """R14.3: with the triggers in place the database refuses to rewrite events and seals."""
    fill(6)
    _refused(sql)
    assert AuditEvent.objects.count() == 6
    assert AuditSeal.objects.count() == 1
    assert verify_now().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_trigger_refuses_truncate(fill: Fill) -> None:
    """R14.3: PostgreSQL also refuses TRUNCATE of the event table."""
    fill(3)
    _refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3
