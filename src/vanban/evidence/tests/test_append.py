"""R7.1, R14.3: appending evidence records: gapless leaf numbers, canonical bytes that are the
hashed leaf, validation, append-only tables, concurrent writers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from django.db import DatabaseError, connection, connections, transaction

from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.evidence import services, verifier
from vanban.evidence.merkle import MerkleTree
from vanban.evidence.models import EvidenceRecord, TreeHead
from vanban.evidence.tests.conftest import DIGEST, R1, SENDER, START

Record = Callable[..., EvidenceRecord]


def test_append_stores_canonical_leaf(record: Record) -> None:
    """R7.1: the record keeps the event time, the log time and the parties; its canonical JSON
    bytes are what the leaf hash covers."""
    with clock.frozen(datetime(2026, 3, 2, 2, 0, tzinfo=START.tzinfo)):
        first = record("d1", event="sent", extra={"message_id": "m-1"})
    second = record("d1", event="received")
    assert (first.index, second.index) == (0, 1)
    fields = json.loads(bytes(first.canonical))
    assert fields == {
        "v": 1, "index": 0, "event": "sent", "at": "2026-03-02T01:30:00.000000+00:00",
        "logged_at": "2026-03-02T02:00:00.000000+00:00", "sender": SENDER, "recipient": R1,
        "transmission_id": "t1", "delivery_id": "d1", "document_sha256": DIGEST, "reason": "",
        "extra": {"message_id": "m-1"},
    }
    assert bytes(first.canonical) == verifier.canonical_json(fields)
    assert first.leaf_hash == verifier.leaf_hash(bytes(first.canonical)).hex()
    stored = EvidenceRecord.objects.get(index=0)
    assert bytes(stored.canonical) == bytes(first.canonical)


@pytest.mark.parametrize(("field", "value"), [
    ("event", "Sent!"), ("at", datetime(2026, 3, 2)), ("sender", ""), ("delivery_id", "x" * 81),
    ("document_sha256", "ABC"), ("extra", {"when": datetime(2026, 3, 2)}),
])
def test_invalid_records_refused(record: Record, field: str, value: object) -> None:
    """R14.3: a malformed record is refused with a reason in both languages, and not numbered."""
    with pytest.raises(ValidationFailed) as caught:
        record(**{field: value})
    assert caught.value.extra["field"] == field
    assert caught.value.vi.startswith("Bản ghi bằng chứng")
    assert caught.value.en.startswith("Evidence record")
    assert record().index == 0


def test_rolled_back_append_leaves_no_gap(record: Record) -> None:
    """R14.3: a record appended in a transaction that rolls back frees its number."""
    record("d1")
    def append_then_fail() -> None:
        with transaction.atomic():
            record("d2")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        append_then_fail()
    assert record("d3").index == 1
    assert list(EvidenceRecord.objects.values_list("delivery_id", flat=True)) == ["d1", "d3"]


def test_triggers_refuse_update_and_delete(record: Record) -> None:
    """R14.3: the database refuses UPDATE and DELETE on records and signed tree heads."""
    record("d1")
    head = services.tree_head_sign()
    for sql in ("UPDATE evidence_evidencerecord SET reason = 'x'",
                "DELETE FROM evidence_evidencerecord",
                "UPDATE evidence_treehead SET root_hash = 'x'",
                "DELETE FROM evidence_treehead"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(sql)
    assert EvidenceRecord.objects.get().reason == ""
    assert TreeHead.objects.get().root_hash == head.root_hash


def test_tree_head_signs_all_records_once(record: Record) -> None:
    """R7.2: a signed head covers every record; signing again without new records returns it."""
    empty = services.tree_head_sign()
    assert (empty.size, empty.root_hash) == (0, MerkleTree().root().hex())
    for n in range(5):
        record(f"d{n}")
    head = services.tree_head_sign()
    leaves = [bytes.fromhex(h) for h in
              EvidenceRecord.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert head.size == 5
    assert head.root_hash == MerkleTree(leaves).root().hex()
    assert services.tree_head_sign().pk == head.pk
    assert TreeHead.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_get_gapless_indexes() -> None:
    """R14.3: 6 writers × 25 records, some rolled back, leave gapless leaves 0..n-1 that a
    signed head covers."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(25):
                try:
                    with transaction.atomic():
                        services.evidence_append(
                            event="sent", at=clock.now(), sender=SENDER, recipient=R1,
                            transmission_id=f"t{n}", delivery_id=f"d{n}-{i}",
                            document_sha256=DIGEST)
                        if i % 6 == 2:
                            raise RuntimeError("rolled back on purpose")
                except RuntimeError:
                    pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    kept = 6 * sum(1 for i in range(25) if i % 6 != 2)
    indexes = list(EvidenceRecord.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(kept))
    for r in EvidenceRecord.objects.all():
        assert json.loads(bytes(r.canonical))["index"] == r.index
    assert services.tree_head_sign().size == kept


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="TRUNCATE is PostgreSQL's")
def test_trigger_refuses_truncate(record: Record) -> None:
    """R14.3: PostgreSQL also refuses TRUNCATE of the evidence records."""
    record("d1")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("TRUNCATE evidence_evidencerecord")
    assert EvidenceRecord.objects.count() == 1
