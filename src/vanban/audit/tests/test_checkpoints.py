"""R14.3: checkpoints that live outside the installation, seals on a schedule, and the attacks of
issue 9 that passed ``vanban audit verify`` before (a log with hundreds of events and no seal,
rewritten with raw database access). Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError
from django.db import connection, transaction
from django.test import override_settings

from vanban.audit import chain, checkpoints, keys, schedule
from vanban.audit.checkpoint import parse
from vanban.audit.findings import FailureKind, VerifyResult
from vanban.audit.models import AuditEvent, AuditSeal, Cosignature, WitnessedCheckpoint
from vanban.audit.tests.conftest import START, run_command
from vanban.audit.verify import verify_database
from vanban.core import clock

Fill = Callable[..., list[AuditEvent]]
AdminSql = Callable[..., None]
DEMO = schedule.Schedule(every=1000, seconds=600)  # the shipped defaults


def _verify(sched: schedule.Schedule | None = DEMO, **kw: Any) -> VerifyResult:
    return verify_database(public_keys={keys.key_id(): keys.public_key()}, chunk=50,
                           schedule=sched, now=kw.get("now", START + timedelta(minutes=5)))


def _kind(result: VerifyResult) -> tuple[int, FailureKind]:
    assert not result.ok
    assert result.failure is not None
    assert result.failure.vi
    assert result.failure.en
    return result.failure.seq, result.failure.kind


def _rehash_from(admin_sql: AdminSql, events: list[AuditEvent], start: int,
                 edit: Callable[[AuditEvent], None] | None = None) -> str:
    """A careful forger: edits event ``start`` (optional) and recomputes every later hash."""
    prev = events[start - 2].hash if start > 1 else chain.GENESIS_HASH
    for event in events[start - 1:]:
        if edit is not None and event.seq == start:
            edit(event)
        new = chain.event_hash(prev_hash=prev, seq=event.seq, at_iso=chain.iso_utc(event.at),
                               actor_id=event.actor_id, actor_username=event.actor_username,
                               agency_code=event.agency_code, action=event.action,
                               object_type=event.object_type, object_id=event.object_id,
                               before_digest=event.before_digest,
                               after_digest=event.after_digest, data=event.data)
        admin_sql("UPDATE audit_auditevent SET action = %s, prev_hash = %s, hash = %s "
                  "WHERE seq = %s", (event.action, prev, new, event.seq))
        prev = new
    admin_sql("UPDATE audit_audithead SET hash = %s", (prev,))
    return prev


def _checkpoint() -> tuple[Any, str]:
    with clock.frozen(START + timedelta(minutes=4)):
        return checkpoints.checkpoint_make(with_locator=True)


def _against(point: Any, locator: str = "") -> VerifyResult:
    with clock.frozen(START + timedelta(minutes=5)):
        return checkpoints.verify_with_checkpoint(
            point, public_keys={keys.key_id(): keys.public_key()}, locator_text=locator,
            sched=DEMO)


# --- the demo load ends sealed; deleting the tail is caught -------------------------------------

def test_exit_seal_catches_deleted_tail_with_fixed_head(fill: Fill, admin_sql: AdminSql,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """R14.3 (issue 9 case 3a): hundreds of events, fewer than the seal count; the process ends
    cleanly, which seals the head. Deleting the last events and fixing the head row is named."""
    events = fill(300, seal_every=1000)
    assert not AuditSeal.objects.exists()
    monkeypatch.setitem(schedule._state, "appended", True)
    with clock.frozen(START + timedelta(minutes=4)):
        schedule.at_exit()
    assert AuditSeal.objects.get().seq == 300
    assert _verify().ok
    admin_sql("DELETE FROM audit_auditevent WHERE seq > 296")
    admin_sql("UPDATE audit_audithead SET seq = 296, hash = %s", (events[295].hash,))
    assert _kind(_verify()) == (297, FailureKind.REMOVED)


def test_unsealed_tail_past_the_time_rule_is_missing_seal(fill: Fill) -> None:
    """R14.3: events left unsealed for longer than the schedule allows are reported."""
    fill(30, seal_every=1000)
    assert _verify(now=START + timedelta(minutes=19)).ok
    assert _kind(_verify(now=START + timedelta(minutes=21))) == (1, FailureKind.SEAL_MISSING)


def test_time_rule_seals_after_commit(fill: Fill, django_capture_on_commit_callbacks: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """R14.3: with the time rule due, the next append seals the head once it commits; the
    other apps' hooks (tree heads, network pushes to witnesses) do not run on that thread."""
    from vanban.audit.services import audit_append

    fill(3, seal_every=0)
    ran: list[str] = []
    monkeypatch.setitem(schedule._hooks, "spy", lambda: ran.append("hook"))
    monkeypatch.setitem(schedule._state, "next_due", 0.0)
    with override_settings(VANBAN_AUDIT_SEAL_SECONDS=600), \
            django_capture_on_commit_callbacks(execute=True), \
            clock.frozen(START + timedelta(minutes=1)):
        audit_append(actor=None, action="test.event")
    assert AuditSeal.objects.get().seq == 4
    assert ran == []


# --- rewrites against a checkpoint kept outside --------------------------------------------------

def test_edit_with_recomputed_hashes_caught_by_checkpoint(fill: Fill,
                                                          admin_sql: AdminSql) -> None:
    """R14.3 (issue 9 case 3b): editing event #57 and recomputing every hash after it passes
    the chain check of a log without seals; the kept checkpoint names #57."""
    events = fill(120, seal_every=0)
    point, locator = _checkpoint()

    def forge(event: AuditEvent) -> None:
        event.action = "document.delete"

    admin_sql("DELETE FROM audit_auditseal")  # the checkpoint's own seal goes too
    _rehash_from(admin_sql, events, 57, forge)
    assert verify_database(public_keys={keys.key_id(): keys.public_key()}).ok
    assert _kind(_against(point, locator)) == (57, FailureKind.REWRITTEN)
    result = _against(point)  # without the locator: detected, the range is named
    assert _kind(result) == (120, FailureKind.REWRITTEN)
    assert result.failure is not None
    assert "#1" in result.failure.en


def test_forged_insert_caught_by_checkpoint(fill: Fill, admin_sql: AdminSql) -> None:
    """R14.3 (issue 9 case 3c): a forged event slipped in as #40, later events renumbered and
    every hash recomputed: the checkpoint names #40."""
    events = fill(80, seal_every=0)
    point, locator = _checkpoint()
    admin_sql("DELETE FROM audit_auditseal")
    admin_sql("DELETE FROM audit_auditevent WHERE seq = 80")  # keep the size: drop the last
    admin_sql("UPDATE audit_auditevent SET seq = -(seq + 1) WHERE seq >= 40")
    admin_sql("UPDATE audit_auditevent SET seq = -seq WHERE seq < 0")
    forged = events[38]
    admin_sql("INSERT INTO audit_auditevent (seq, at, actor_id, actor_username, agency_code, "
              "action, object_type, object_id, before_digest, after_digest, data, prev_hash, "
              "hash) VALUES (40, %s, NULL, '', '', 'forged', '', '', '', '', '{}', '', '')",
              (connection.ops.adapt_datetimefield_value(forged.at),))
    rows = list(AuditEvent.objects.order_by("seq"))
    _rehash_from(admin_sql, rows, 40)
    assert verify_database(public_keys={keys.key_id(): keys.public_key()}).ok
    assert _kind(_against(point, locator)) == (40, FailureKind.REWRITTEN)


def test_truncation_caught_by_checkpoint(fill: Fill, admin_sql: AdminSql) -> None:
    """R14.3: the log cut back below the checkpoint, head fixed: truncated from #46."""
    events = fill(60, seal_every=0)
    point, _ = _checkpoint()
    admin_sql("DELETE FROM audit_auditseal")
    admin_sql("DELETE FROM audit_auditevent WHERE seq > 45")
    admin_sql("UPDATE audit_audithead SET seq = 45, hash = %s", (events[44].hash,))
    assert _kind(_against(point)) == (46, FailureKind.TRUNCATED)


def test_reordered_events_are_named(fill: Fill, admin_sql: AdminSql) -> None:
    """R14.3: swapping the positions of #9 and #10 is reported as a reordering at #9."""
    fill(20, seal_every=0)
    admin_sql("UPDATE audit_auditevent SET seq = -1 WHERE seq = 9")
    admin_sql("UPDATE audit_auditevent SET seq = 9 WHERE seq = 10")
    admin_sql("UPDATE audit_auditevent SET seq = 10 WHERE seq = -1")
    assert _kind(_verify(None)) == (9, FailureKind.REORDERED)


def test_deleted_seals_then_edit_is_missing_seal(fill: Fill, admin_sql: AdminSql) -> None:
    """R14.3 (issue 9 case 3d): deleting the seal rows, then rewriting what they covered, is
    named by the schedule: the first seal due (#5 with a seal every 5 events) is missing."""
    events = fill(22, seal_every=5)
    admin_sql("DELETE FROM audit_auditseal")
    _rehash_from(admin_sql, events, 3, lambda e: setattr(e, "action", "forged"))
    sched = schedule.Schedule(every=5, seconds=0)
    assert _kind(_verify(sched)) == (5, FailureKind.SEAL_MISSING)
    admin_sql("DELETE FROM audit_auditevent WHERE seq > 4")  # and cut below the first seal
    admin_sql("UPDATE audit_audithead SET seq = 4, hash = %s",
              (AuditEvent.objects.get(seq=4).hash,))
    assert _kind(_verify(schedule.Schedule(every=1000, seconds=600),
                         now=START + timedelta(hours=1))) == (1, FailureKind.SEAL_MISSING)


def test_resealed_rewrite_caught_only_by_outside_checkpoint(fill: Fill,
                                                            admin_sql: AdminSql) -> None:
    """R14.3: a root user with the seal key (and the master key) rewrites the log and re-seals
    it: every check inside the installation passes; the checkpoint kept outside does not."""
    events = fill(12, seal_every=5)
    point, locator = _checkpoint()
    admin_sql("DELETE FROM audit_auditseal")
    _rehash_from(admin_sql, events, 2, lambda e: setattr(e, "action", "forged"))
    for seq in (5, 10, 12):
        event = AuditEvent.objects.get(seq=seq)
        with clock.frozen(event.at):
            schedule.seal(seq=seq, head_hash=event.hash)
    assert _verify(schedule.Schedule(every=5, seconds=600)).ok
    assert _kind(_against(point, locator)) == (2, FailureKind.REWRITTEN)


def test_deleted_head_row_is_named(fill: Fill, admin_sql: AdminSql) -> None:
    """R14.3: a deleted chain head row is reported."""
    fill(4, seal_every=0)
    admin_sql("DELETE FROM audit_audithead")
    assert _kind(_verify(None))[1] is FailureKind.HEAD_MISMATCH


def test_checkpoint_signed_by_a_key_of_its_own_is_refused(fill: Fill) -> None:
    """R14.3: a checkpoint made and signed with another key, carrying that key, is refused
    when the installation's keys are trusted (the carried key serves a witness's first sight
    only)."""
    from dataclasses import replace

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    fill(6, seal_every=0)
    point, _ = _checkpoint()
    other = Ed25519PrivateKey.generate()
    mine = replace(point, key_id=keys.key_id(other.public_key()),
                   public_key=keys.public_key_pem(other.public_key()), signature="")
    forged = replace(mine, signature=base64.b64encode(other.sign(mine.body())).decode())
    assert checkpoints.signature_ok(forged, {})  # alone, it is well signed by its own key
    assert _kind(_against(forged))[1] is FailureKind.CHECKPOINT_INVALID


def test_forged_checkpoint_is_refused(fill: Fill) -> None:
    """R14.3: a checkpoint whose fields were edited no longer verifies."""
    fill(6, seal_every=0)
    point, _ = _checkpoint()
    forged = parse({**point.as_dict(), "size": 5})
    assert _kind(_against(forged)) == (5, FailureKind.CHECKPOINT_INVALID)
    assert _against(point).ok


# --- the CLI, the key at rest, append-only tables ------------------------------------------------



def test_cli_export_and_verify_checkpoint(fill: Fill, admin_sql: AdminSql,
                                          tmp_path: Path) -> None:
    """R14.3: ``checkpoint export -o FILE`` then ``verify --checkpoint FILE``: 0, then 1 naming
    the first rewritten event in both languages."""
    events = fill(9, seal_every=0)
    target = tmp_path / "cp.json"
    code, _out, _ = run_command("audit", "checkpoint", "export", "-o", str(target))
    assert code == 0
    data = json.loads(target.read_text())
    assert (data["size"], data["origin"]) == (9, checkpoints.origin_id())  # the head, sealed
    assert AuditSeal.objects.get().seq == 9
    assert run_command("audit", "verify", "--checkpoint", str(target))[0] == 0
    admin_sql("DELETE FROM audit_auditseal")
    _rehash_from(admin_sql, events, 4, lambda e: setattr(e, "action", "forged"))
    code, _, err = run_command("audit", "verify", "--checkpoint", str(target))
    assert code == 1
    assert "Sự kiện #4" in err or "sự kiện #4" in err
    assert "event #4" in err


def test_seal_key_is_encrypted_and_plain_key_migrated(tmp_path: Path) -> None:
    """R14.3: the seal key file is not a readable key without the master key; an older plain
    PEM file is encrypted in place and keeps its key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with override_settings(KEYS_DIR=tmp_path / "new"):
        keys.forget_cached_key()
        first = keys.key_id()
        text = keys.key_path().read_text()
        assert "PRIVATE KEY" not in text
        assert text.startswith("vbx1:")
    plain = Ed25519PrivateKey.generate()
    old = tmp_path / "old"
    old.mkdir()
    (old / keys.KEY_FILENAME).write_bytes(plain.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with override_settings(KEYS_DIR=old):
        keys.forget_cached_key()
        assert keys.key_id() == keys.key_id(plain.public_key())
        assert (old / keys.KEY_FILENAME).read_text().startswith("vbx1:")
        keys.forget_cached_key()
        assert keys.key_id() == keys.key_id(plain.public_key())
    keys.forget_cached_key()
    assert first != keys.key_id()


@pytest.mark.parametrize("sql", ["UPDATE audit_cosignature SET size = 1",
                                 "DELETE FROM audit_cosignature",
                                 "DELETE FROM audit_witnessedcheckpoint"])
def test_cosignature_tables_are_append_only(db: None, sql: str) -> None:
    """R14.3: countersignatures and witnessed checkpoints cannot be changed or removed."""
    Cosignature.objects.create(log="audit", witness="x", size=1, head="a", checkpoint="{}",
                               cosigned_at="t", signature="s", received_at=clock.now())
    WitnessedCheckpoint.objects.create(origin="x", log="audit", size=1, head="a", root="b",
                                       key_pem="k", checkpoint="{}", cosigned_at="t",
                                       cosignature="s", received_at=clock.now())
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)


def test_exit_seals_after_the_hooks_appended(fill: Fill, monkeypatch: pytest.MonkeyPatch) -> None:
    """R14.3: the exit seal comes after the other apps' hooks, so the event a hook appends (the
    evidence log's new tree head) is sealed too: the demo load ends sealed."""
    from vanban.audit.services import audit_append

    fill(3, seal_every=0)
    monkeypatch.setattr(schedule, "_hooks", {
        "test": lambda: audit_append(actor=None, action="test.hook")})
    monkeypatch.setitem(schedule._state, "appended", True)
    schedule.at_exit()
    assert AuditSeal.objects.get().seq == 4 == AuditEvent.objects.count()


def test_timer_seals_a_quiet_process(fill: Fill, monkeypatch: pytest.MonkeyPatch) -> None:
    """R14.3: a long-running process that went quiet seals its last events from its timer
    (no next append needed), and does nothing when it appended nothing since."""
    import django.db

    fill(3, seal_every=0)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) > 2:
            raise KeyboardInterrupt  # leave the endless loop after two periods

    monkeypatch.setattr("vanban.audit.schedule.time.sleep", sleep)
    monkeypatch.setattr(django.db, "close_old_connections", lambda: None)
    monkeypatch.setattr(schedule, "_hooks", {})
    monkeypatch.setitem(schedule._state, "dirty", True)
    with pytest.raises(KeyboardInterrupt):
        schedule._timer(600.0)
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == [3]
    assert sleeps == [600.0, 600.0, 600.0]


def test_checkpoint_mailed_to_the_archive(fill: Fill, tmp_path: Path) -> None:
    """R14.3: ``checkpoint export --mail`` sends the signed checkpoint to the archive address,
    and a mailed copy proves the log like a file."""
    from django.core import mail

    fill(5, seal_every=0)
    with override_settings(VANBAN_CHECKPOINT_MAIL_TO=["luutru@bacgiang.gov.vn"]):
        code, _out, _err = run_command("audit", "checkpoint", "export",
                                       "-o", str(tmp_path / "cp.json"), "--mail")
    assert code == 0
    [message] = mail.outbox
    assert message.to == ["luutru@bacgiang.gov.vn"]
    kept = tmp_path / "mailed.json"
    kept.write_text(str(message.body))
    assert parse(str(message.body)).size == 5
    assert run_command("audit", "verify", "--checkpoint", str(kept))[0] == 0
    with override_settings(VANBAN_CHECKPOINT_MAIL_TO=[]), \
            pytest.raises(CommandError, match="VANBAN_CHECKPOINT_MAIL_TO"):
        run_command("audit", "checkpoint", "export", "--mail")
