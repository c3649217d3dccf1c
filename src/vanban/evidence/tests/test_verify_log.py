"""R7.2, R14.3: the whole evidence log checked from its records (``vanban evidence verify-log``),
signed tree heads on a schedule, and deleted head rows no longer letting an edited record export
(issue 9 case 4). Runs on SQLite and on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from vanban.audit import triggers as audit_triggers
from vanban.audit.models import AuditEvent
from vanban.audit.tests.conftest import run_command
from vanban.evidence import logcheck, services, tree, verifier
from vanban.evidence.models import EvidenceRecord, TreeHead
from vanban.evidence.tests.conftest import load

Exchange = Callable[[int], None]


def _forge(admin_sql: Any, index: int) -> None:
    """Rewrite record ``index``'s time and its leaf hash, as a careful administrator would."""
    bundle_record = json.loads(bytes(EvidenceRecord.objects.get(index=index).canonical))
    forged = verifier.canonical_json({**bundle_record, "at": "2026-03-01T00:00:00.000000+00:00"})
    admin_sql('UPDATE evidence_evidencerecord SET canonical = %s, leaf_hash = %s '
              'WHERE "index" = %s', (forged, verifier.leaf_hash(forged).hex(), index))
    tree.forget()


def test_deleted_heads_and_edited_record_no_longer_export(exchange: Exchange,
                                                          admin_sql: Any) -> None:
    """R7.2, R14.3 (issue 9 case 4): with the head rows deleted, an edited record used to get a
    fresh head and a bundle that verifies; the audit log vouches for the signed head, so the
    hub refuses and verify-log names the deleted head."""
    exchange(1)
    head = services.tree_head_sign()
    assert AuditEvent.objects.filter(action=services.VOUCH_ACTION).count() == 1
    admin_sql("DELETE FROM evidence_treehead")
    _forge(admin_sql, 2)
    with pytest.raises(tree.LogAltered):
        services.bundle_for("d0-1")
    report = logcheck.verify_log()
    assert (report.ok, report.kind, report.position) == (False, "head_removed", head.size)


def test_verify_log_intact_and_with_kept_head(exchange: Exchange) -> None:
    """R7.2: every leaf recomputed, every head checked, a kept head proven consistent."""
    exchange(2)
    kept = services.head_as_dict(services.tree_head_sign())
    exchange(1)
    services.tree_head_sign()
    report = logcheck.verify_log(kept=kept)
    assert report.ok, report.as_dict()
    assert (report.size, report.heads) == (18, 3)


def test_verify_log_names_edited_and_removed_records(exchange: Exchange,
                                                     admin_sql: Any) -> None:
    """R14.3: content edited without its leaf hash: named; a removed record: named."""
    exchange(1)
    admin_sql("UPDATE evidence_evidencerecord SET reason = 'x', canonical = %s "
              'WHERE "index" = 3', (b'{"index":3}',))
    assert logcheck.verify_log().as_dict()["position"] == 3
    assert logcheck.verify_log().kind == "altered"
    admin_sql('DELETE FROM evidence_evidencerecord WHERE "index" = 1')
    report = logcheck.verify_log()
    assert (report.kind, report.position) == ("removed", 1)


def test_rewrite_with_heads_kept_is_named_between_heads(exchange: Exchange,
                                                        admin_sql: Any) -> None:
    """R14.3: a record rewritten with its leaf recomputed breaks the root of the next head."""
    exchange(1)
    services.tree_head_sign()
    _forge(admin_sql, 4)
    report = logcheck.verify_log()
    assert (report.ok, report.kind, report.position) == (False, "rewritten", 6)
    assert "#0" in report.en


def test_truncation_against_kept_head(exchange: Exchange, admin_sql: Any,
                                      tmp_path: Path) -> None:
    """R14.3: the log cut below a head kept outside: ``verify-log --checkpoint`` exits 1."""
    exchange(2)
    kept = tmp_path / "head.json"
    out = io.StringIO()
    call_command("evidence", "head", "--json", stdout=out)
    kept.write_text(out.getvalue())
    assert run_command("evidence", "verify-log", "--checkpoint", str(kept))[0] == 0
    admin_sql("DELETE FROM evidence_treehead")
    audit_triggers.drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE action = 'evidence.tree_head'")
    finally:
        audit_triggers.install(connection)
    admin_sql('DELETE FROM evidence_evidencerecord WHERE "index" >= 8')
    admin_sql("UPDATE evidence_evidencehead SET size = 8")
    code, _out, err = run_command("evidence", "verify-log", "--checkpoint", str(kept))
    assert code == 1
    assert "truncated" in err
    assert "cắt" in err




def test_heads_signed_by_count(record: Callable[..., Any],
                               django_capture_on_commit_callbacks: Any) -> None:
    """R7.2: every VANBAN_EVIDENCE_HEAD_EVERY-th record gets a signed head after its commit."""
    with override_settings(VANBAN_EVIDENCE_HEAD_EVERY=3):
        for n in range(7):
            with django_capture_on_commit_callbacks(execute=True):  # each record commits
                record(f"d{n}")
    assert list(TreeHead.objects.values_list("size", flat=True)) == [3, 6]


def test_heads_signed_by_the_audit_tick(record: Callable[..., Any]) -> None:
    """R7.2: the scheduled moment signs a head when records came since the last one."""
    from vanban.audit import schedule

    record("d1")
    schedule.tick()
    schedule.tick()
    assert list(TreeHead.objects.values_list("size", flat=True)) == [1]
    assert load(services.bundle_for("d1"))["tree_head"]["size"] == 1


def test_audit_checkpoint_root_is_this_merkle_tree(db: None) -> None:
    """R14.3: the audit checkpoint's root is the RFC 9162 tree a witness proves consistency
    with (``vanban.evidence.merkle``), over the chain hashes."""
    from vanban.audit.checkpoint import leaf_hash, merkle_root
    from vanban.audit.services import audit_append
    from vanban.evidence.merkle import MerkleTree

    events = [audit_append(actor=None, action="test.event", data={"i": i}) for i in range(13)]
    merkle = MerkleTree(leaf_hash(e.hash) for e in events)
    assert merkle_root([]) == MerkleTree().root(0).hex()
    for size in (1, 2, 7, 13):
        assert merkle_root(e.hash for e in events[:size]) == merkle.root(size).hex()


def test_head_signed_by_an_unknown_key_is_refused(exchange: Exchange, admin_sql: Any) -> None:
    """R14.3, R7.2: a tree head row slipped in with a key id no hub key has is reported, not
    skipped (a database administrator cannot add heads of their own)."""
    exchange(1)
    services.tree_head_sign()
    admin_sql("UPDATE evidence_treehead SET key_id = %s", ["0" * 64])
    report = logcheck.verify_log()
    assert not report.ok
    assert "head_invalid" in json.dumps(report.as_dict())
