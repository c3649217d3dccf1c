"""Verification of the audit chain and its seals (R14.3): names the first event that was altered,
removed or inserted.

:class:`ChainVerifier` is pure Python over plain row tuples, fed in chunks, so it is fast (no ORM
objects, one SHA-256 per event) and testable without a database. :func:`verify_database` streams
the rows with a raw cursor, by keyset pages, and follows appends made while it reads. Once the
chain is intact it runs the record checkers higher apps registered
(:func:`register_record_checker`): each compares the rows of an append-only table with the hashes
its audit events carry, so an edit or removal made with the table's trigger dropped is named too
(docs/adr/0008).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.audit import chain, keys
from vanban.audit.findings import Failure, FailureKind, SealRow, VerifyResult
from vanban.audit.models import AuditEvent, AuditSeal
from vanban.core import clock

if TYPE_CHECKING:
    from vanban.audit.schedule import Schedule

# (id, seq, prev_hash, hash, payload): ``payload`` is ``chain.event_bytes`` of the stored
# columns, built by the database query itself (its C code joins the twelve fields faster than
# Python can), so the hot loop is one SHA-256 and three comparisons per event.
Row = tuple[int, int, str, str, bytes]

RING = 4096  # recent hashes kept to recognise a forged event slipped into the chain
RENUMBER_LOOKAHEAD = 16  # how far a renumbered event is searched for after a removal


class ChainVerifier:
    """Checks events fed in ``seq`` order; stops at the first failure.

    Order of checks per event: its number follows the previous one (else removed or inserted),
    its ``prev_hash`` is the previous event's hash (else inserted, altered or removed), its own
    hash recomputes (else altered), and a seal at that number signs exactly that hash.
    """

    def __init__(self, *, seals: Iterable[SealRow],
                 public_keys: Mapping[str, Ed25519PublicKey]) -> None:
        self._seals: dict[int, SealRow] = {}
        for seal in seals:
            self._seals.setdefault(seal.seq, seal)
        self._keys = public_keys
        self._ring = [""] * RING
        self._last_sealed = 0
        self.count = 0
        self.seals_checked = 0
        self.last_seq = 0
        self.last_hash = chain.GENESIS_HASH
        self.failure: Failure | None = None

    def feed(self, rows: Iterable[Row]) -> bool:
        """Check the next rows; False once a failure was found (then stop feeding)."""
        if self.failure is not None:
            return False
        expected, prev, count = self.last_seq + 1, self.last_hash, self.count
        ring, mask, seals = self._ring, RING - 1, self._seals
        sha256 = hashlib.sha256
        failure: Failure | None = None
        for row in rows:
            _id, seq, prev_hash, stored, payload = row
            if seq != expected:
                failure = self._number_failure(seq, expected)
                break
            if prev_hash != prev:
                failure = self._link_failure(row)
                break
            if sha256(payload).hexdigest() != stored:
                failure = _altered(seq)
                break
            if seq in seals and (failure := self._seal_failure(seals[seq], stored)):
                break
            ring[seq & mask] = stored
            prev, expected, count = stored, seq + 1, count + 1
        self.last_seq, self.last_hash, self.count = expected - 1, prev, count
        self.failure = failure
        return failure is None

    def finish(self, *, head: tuple[int, str] | None) -> VerifyResult:
        """Compare the end of the chain with the seals beyond it and the head record."""
        if self.failure is None:
            self.failure = self._tail_failure() or self._head_failure(head)
        return VerifyResult(ok=self.failure is None, count=self.count, seals=self.seals_checked,
                            last_seq=self.last_seq, last_hash=self.last_hash,
                            failure=self.failure)

    # --- failures (rare paths: clarity over speed) -------------------------------------------

    def _number_failure(self, seq: int, expected: int) -> Failure:
        if seq > expected:
            return Failure(expected, FailureKind.REMOVED,
                           f"Sự kiện #{expected} đã bị xoá: chuỗi nhảy từ #{expected - 1} "
                           f"sang #{seq}.",
                           f"Event #{expected} was removed: the chain jumps from #{expected - 1} "
                           f"to #{seq}.")
        return Failure(seq, FailureKind.INSERTED,
                       f"Sự kiện #{seq} bị chèn thêm: số thứ tự #{seq} xuất hiện hai lần.",
                       f"Event #{seq} was inserted: sequence number #{seq} appears twice.")

    def _link_failure(self, row: Row) -> Failure:
        seq, prev_hash = row[1], row[2]
        linked = self._recent_seq_of(prev_hash, before=seq - 1)
        if linked is not None:
            return Failure(linked + 1, FailureKind.INSERTED,
                           f"Sự kiện #{linked + 1} bị chèn thêm: sự kiện đứng sau nó (đang mang "
                           f"số #{seq}) vẫn nối với sự kiện #{linked}.",
                           f"Event #{linked + 1} was inserted: the event after it (now numbered "
                           f"#{seq}) still links to event #{linked}.")
        if _row_hash(row, seq) == row[3]:
            bad = max(seq - 1, 1)
            return Failure(bad, FailureKind.ALTERED,
                           f"Sự kiện #{bad} đã bị sửa (và tính lại mã băm): sự kiện #{seq} "
                           f"không còn nối với nó.",
                           f"Event #{bad} was altered (and its hash recomputed): event #{seq} "
                           f"no longer links to it.")
        for shift in range(1, RENUMBER_LOOKAHEAD + 1):
            if _row_hash(row, seq + shift) == row[3]:
                return Failure(seq, FailureKind.REMOVED,
                               f"Sự kiện #{seq} đã bị xoá và các sự kiện sau bị đánh số lại: "
                               f"sự kiện đang mang số #{seq} vốn là #{seq + shift}.",
                               f"Event #{seq} was removed and later events renumbered: the "
                               f"event now numbered #{seq} was #{seq + shift}.")
        return _altered(seq)

    def _recent_seq_of(self, digest: str, *, before: int) -> int | None:
        if digest == chain.GENESIS_HASH and before >= 1:
            return 0
        for seq in range(before - 1, max(before - RING, 0), -1):
            if self._ring[seq & (RING - 1)] == digest:
                return seq
        return None

    def _seal_failure(self, seal: SealRow, event_hash: str) -> Failure | None:
        self.seals_checked += 1
        key = self._keys.get(seal.key_id)
        message = chain.seal_message(seq=seal.seq, head_hash=seal.hash, at_iso=seal.at_iso)
        if key is None:
            return Failure(seal.seq, FailureKind.SEAL_INVALID,
                           f"Dấu niêm phong tại sự kiện #{seal.seq} được ký bằng khoá không rõ "
                           f"({seal.key_id[:16]}).",
                           f"The seal at event #{seal.seq} was signed with an unknown key "
                           f"({seal.key_id[:16]}).")
        if not keys.signature_valid(key, seal.signature, message):
            return Failure(seal.seq, FailureKind.SEAL_INVALID,
                           f"Dấu niêm phong tại sự kiện #{seal.seq} không hợp lệ: chữ ký không "
                           f"khớp, dấu niêm phong đã bị sửa.",
                           f"The seal at event #{seal.seq} is invalid: its signature does not "
                           f"verify, the seal was altered.")
        if seal.hash != event_hash:
            start = self._last_sealed + 1
            return Failure(seal.seq, FailureKind.SEAL_MISMATCH,
                           f"Chuỗi đã bị viết lại: mã băm của sự kiện #{seal.seq} khác mã băm đã "
                           f"niêm phong; một sự kiện trong khoảng #{start}–#{seal.seq} đã bị "
                           f"sửa, xoá hoặc chèn.",
                           f"The chain was rewritten: the hash of event #{seal.seq} differs "
                           f"from the sealed hash; an event between #{start} and #{seal.seq} "
                           f"was altered, removed or inserted.")
        self._last_sealed = seal.seq
        return None

    def _tail_failure(self) -> Failure | None:
        beyond = sorted(s for s in self._seals if s > self.last_seq)
        if not beyond:
            return None
        seal = self._seals[beyond[0]]
        key = self._keys.get(seal.key_id)
        message = chain.seal_message(seq=seal.seq, head_hash=seal.hash, at_iso=seal.at_iso)
        if key is None or not keys.signature_valid(key, seal.signature, message):
            return Failure(seal.seq, FailureKind.SEAL_INVALID,
                           f"Dấu niêm phong #{seal.seq} không hợp lệ (ở sau cuối chuỗi).",
                           f"Seal #{seal.seq} is invalid (beyond the end of the chain).")
        missing = self.last_seq + 1
        return Failure(missing, FailureKind.REMOVED,
                       f"Sự kiện #{missing} đã bị xoá: chuỗi dừng ở #{self.last_seq} nhưng dấu "
                       f"niêm phong #{seal.seq} xác nhận chuỗi có ít nhất {seal.seq} sự kiện.",
                       f"Event #{missing} was removed: the chain ends at #{self.last_seq} but "
                       f"seal #{seal.seq} vouches for at least {seal.seq} events.")

    def _head_failure(self, head: tuple[int, str] | None) -> Failure | None:
        last = self.last_seq
        if head is None:
            if last == 0:
                return None
            return Failure(0, FailureKind.HEAD_MISMATCH, "Thiếu bản ghi đầu chuỗi.",
                           "The chain head record is missing.")
        head_seq, head_hash = head
        if head_seq > last:
            return Failure(last + 1, FailureKind.REMOVED,
                           f"Sự kiện #{last + 1} đã bị xoá: chuỗi dừng ở #{last} nhưng bản ghi "
                           f"đầu chuỗi ghi #{head_seq}.",
                           f"Event #{last + 1} was removed: the chain ends at #{last} but the "
                           f"head record says #{head_seq}.")
        if head_seq < last:
            return Failure(head_seq + 1, FailureKind.INSERTED,
                           f"Sự kiện #{head_seq + 1} bị chèn thêm sau đầu chuỗi #{head_seq}.",
                           f"Event #{head_seq + 1} was inserted after the chain head "
                           f"#{head_seq}.")
        if head_hash != self.last_hash:
            return Failure(last, FailureKind.HEAD_MISMATCH,
                           f"Sự kiện #{last} hoặc bản ghi đầu chuỗi đã bị sửa: mã băm không khớp.",
                           f"Event #{last} or the chain head record was altered: the hashes "
                           f"differ.")
        return None


def _row_hash(row: Row, seq: int) -> str:
    """The row's hash as if it were numbered ``seq`` (to recognise renumbered events)."""
    prev, _old, rest = bytes(row[4]).split(chain.SEPARATOR.encode(), 2)
    return hashlib.sha256(b"".join((prev, b"\x1f", str(seq).encode(), b"\x1f", rest))).hexdigest()


def _altered(seq: int) -> Failure:
    return Failure(seq, FailureKind.ALTERED,
                   f"Sự kiện #{seq} đã bị sửa: mã băm tính lại không khớp mã băm đã lưu.",
                   f"Event #{seq} was altered: its recomputed hash does not match the stored "
                   f"hash.")


# --- the database reader ----------------------------------------------------------------------

_FIELDS = ("prev_hash", "seq", "{at}", "{actor}", "actor_username", "agency_code", "action",
           "object_type", "object_id", "before_digest", "after_digest", "data")
_PAYLOAD = {
    # Django keeps SQLite datetimes as naive UTC text, without the fraction when it is zero.
    "sqlite": "CAST(" + " || char(31) || ".join(_FIELDS).format(
        at="replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000' ELSE '' END "
           "|| '+00:00'",
        actor="coalesce(actor_id, '')") + " AS BLOB)",
    "postgresql": "convert_to(concat_ws(chr(31), " + ", ".join(_FIELDS).format(
        at="to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')",
        actor="coalesce(actor_id::text, '')") + "), 'UTF8')",
}
_EVENTS_SQL = (
    "SELECT id, seq, prev_hash, hash, {payload} FROM audit_auditevent "
    "WHERE seq >= %s AND (seq > %s OR id > %s) ORDER BY seq, id LIMIT %s"
)


def read_seals(connection: BaseDatabaseWrapper) -> list[SealRow]:
    """All seals, with their time formatted as it was signed."""
    rows = AuditSeal.objects.using(connection.alias).order_by("seq", "id").values_list(
        "seq", "hash", "at", "key_id", "signature")
    return [SealRow(seq=seq, hash=h, at_iso=chain.iso_utc(at), key_id=key_id, signature=sig)
            for seq, h, at, key_id, sig in rows]


def read_head(connection: BaseDatabaseWrapper) -> tuple[int, str] | None:
    """The head record's (seq, hash), or None when it is missing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


RecordChecker = Callable[[BaseDatabaseWrapper], "Failure | None"]
_RECORD_CHECKERS: dict[str, RecordChecker] = {}


def register_record_checker(name: str, checker: RecordChecker) -> None:
    """Let a higher app check its audited rows during verification (from its ``ready()``):
    the audit app stays below them and imports none of them."""
    _RECORD_CHECKERS[name] = checker


def verify_database(*, public_keys: Mapping[str, Ed25519PublicKey], using: str = "default",
                    chunk: int = 20_000, schedule: Schedule | None = None,
                    now: datetime | None = None,
                    observe: Callable[[list[Row]], None] | None = None) -> VerifyResult:
    """Verify the stored chain. Reads in keyset pages (no long transaction, bounded memory)
    and, if events were appended while it read, carries on until it reaches the head.

    With ``schedule`` it also checks that the seals cover the chain as promised (a seal deleted
    to rewrite what it covered is named, ``coverage``); ``now`` defaults to the clock.
    ``observe`` sees every page of rows as read (a checkpoint's Merkle root is built on the
    way, without reading the log twice)."""
    connection = connections[using]
    sql = _EVENTS_SQL.format(payload=_PAYLOAD[connection.vendor])
    seals = read_seals(connection)
    verifier = ChainVerifier(seals=seals, public_keys=public_keys)
    last_seq, last_id = 0, 0
    head = None
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, (last_seq, last_seq, last_id, chunk))
            rows: list[Row] = cursor.fetchall()
            if rows:
                last_seq, last_id = rows[-1][1], rows[-1][0]
                if observe is not None:
                    observe(rows)
                if not verifier.feed(rows):
                    break
            if len(rows) == chunk:
                continue
            head = read_head(connection)  # read after the events: it is never behind them
            if not rows or head is None or head[0] <= last_seq:
                break
    result = verifier.finish(head=head)
    if result.failure is not None and result.failure.kind is FailureKind.REMOVED:
        result = _refine_reordered(connection, result)
    if result.ok and schedule is not None:
        failure = _coverage(connection, seals, result.last_seq, schedule, now or clock.now())
        if failure is not None:
            return replace(result, ok=False, failure=failure)
    if result.ok:  # the events are genuine: the rows they vouch for can be checked against them
        for checker in _RECORD_CHECKERS.values():
            failure = checker(connection)
            if failure is not None:
                return replace(result, ok=False, failure=failure)
    return result


def _refine_reordered(connection: BaseDatabaseWrapper, result: VerifyResult) -> VerifyResult:
    """A "removed" event that is still in the log further on was moved, not removed: find the
    row that links to the last good event (only on failure: one scan)."""
    if result.failure is None:
        return result
    missing = result.failure.seq
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM audit_auditevent WHERE prev_hash = %s AND seq > %s "
                       "ORDER BY seq LIMIT 1", [result.last_hash, missing])
        row = cursor.fetchone()
    if row is None:
        return result
    moved = int(row[0])
    return replace(result, failure=Failure(
        missing, FailureKind.REORDERED,
        f"Thứ tự sự kiện đã bị đổi: sự kiện #{missing} nay nằm ở vị trí #{moved}.",
        f"The events were reordered: event #{missing} now sits at position #{moved}."))


def _coverage(connection: BaseDatabaseWrapper, seals: list[SealRow], last_seq: int,
              schedule: Schedule, now: datetime) -> Failure | None:
    """The schedule check (:mod:`vanban.audit.coverage`) with the times it needs."""
    from vanban.audit.coverage import coverage_failure

    starts = [0, *(s.seq for s in seals if s.seq < last_seq)]
    times: dict[int, datetime] = {}
    for first in range(0, len(starts), 500):
        wanted = [s + 1 for s in starts[first:first + 500]]
        rows = _event_times(connection, wanted)
        times.update({seq - 1: at for seq, at in rows})
    return coverage_failure(seals=seals, last_seq=last_seq, schedule=schedule,
                            first_unsealed_at=times, now=now)


def _event_times(connection: BaseDatabaseWrapper, seqs: list[int]) -> list[tuple[int, datetime]]:
    """(seq, at) of the given events."""
    return list(AuditEvent.objects.using(connection.alias).filter(seq__in=seqs)
                .values_list("seq", "at"))
