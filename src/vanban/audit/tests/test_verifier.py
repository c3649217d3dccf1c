"""R14.3: the pure verifier over in-memory rows (no database), tested on its own."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.audit import chain
from vanban.audit.findings import FailureKind, SealRow
from vanban.audit.verify import ChainVerifier, Row

KEY = Ed25519PrivateKey.generate()
KEYS = {"k": KEY.public_key()}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _chain(n: int) -> list[Row]:
    rows: list[Row] = []
    prev = chain.GENESIS_HASH
    for seq in range(1, n + 1):
        at = chain.iso_utc(T0 + timedelta(seconds=seq))
        payload = chain.event_bytes(
            (prev, str(seq), at, "", "u", "A", "act", "doc", str(seq), "", "", "{}"))
        h = chain.hash_parts((prev, str(seq), at, "", "u", "A", "act", "doc", str(seq), "", "",
                              "{}"))
        rows.append((seq, seq, prev, h, payload))
        prev = h
    return rows


def _seal(row: Row) -> SealRow:
    at = chain.iso_utc(T0)
    sig = base64.b64encode(KEY.sign(chain.seal_message(seq=row[1], head_hash=row[3],
                                                       at_iso=at))).decode()
    return SealRow(seq=row[1], hash=row[3], at_iso=at, key_id="k", signature=sig)


def _run(rows: list[Row], seals: list[SealRow] | None = None,
         head: tuple[int, str] | None = None) -> ChainVerifier:
    verifier = ChainVerifier(seals=seals or [], public_keys=KEYS)
    for start in range(0, len(rows), 3):  # fed in small chunks, like the database reader
        if not verifier.feed(rows[start:start + 3]):
            break
    if head is None and rows:
        head = (rows[-1][1], rows[-1][3])
    verifier.finish(head=head or (0, chain.GENESIS_HASH))
    return verifier


def test_matches_event_hash() -> None:
    """R14.3: the verifier's inline hashing is the chain format of ``chain.event_hash``."""
    row = _chain(1)[0]
    assert row[3] == chain.event_hash(
        prev_hash=row[2], seq=1, at_iso=chain.iso_utc(T0 + timedelta(seconds=1)),
        actor_id=None, actor_username="u",
        agency_code="A", action="act", object_type="doc", object_id="1", before_digest="",
        after_digest="", data="{}")


def test_intact_chain_with_seals() -> None:
    """R14.3: a good chain and its seals pass."""
    rows = _chain(10)
    v = _run(rows, [_seal(rows[4]), _seal(rows[9])])
    assert v.failure is None
    assert (v.count, v.seals_checked) == (10, 2)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 40), data=st.data())
def test_any_single_edit_names_that_event(n: int, data: st.DataObject) -> None:
    """R14.3: changing any hashed column of any one event names exactly that event."""
    rows = _chain(n)
    victim = data.draw(st.integers(0, n - 1))
    column = data.draw(st.integers(2, 11))  # every field after prev_hash and seq
    row = rows[victim]
    fields = row[4].split(b"\x1f")
    fields[column] += "é".encode()
    rows[victim] = (row[0], row[1], row[2], row[3], b"\x1f".join(fields))
    v = _run(rows)
    assert v.failure is not None
    assert (v.failure.seq, v.failure.kind) == (victim + 1, FailureKind.ALTERED)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 40), data=st.data())
def test_any_removal_names_that_event(n: int, data: st.DataObject) -> None:
    """R14.3: removing any one event (not the last) names it as removed."""
    rows = _chain(n)
    victim = data.draw(st.integers(0, n - 2))
    del rows[victim]
    v = _run(rows, head=(n, "whatever"))
    assert v.failure is not None
    assert (v.failure.seq, v.failure.kind) == (victim + 1, FailureKind.REMOVED)


def _renumbered(payload: bytes, seq: int) -> bytes:
    """The payload the database builds once the row's seq column was changed."""
    fields = payload.split(b"\x1f")
    fields[1] = str(seq).encode()
    return b"\x1f".join(fields)


def test_renumbered_after_removal_is_a_removal() -> None:
    """R14.3: removing #4 and renumbering the later events (hashes kept) names #4."""
    rows = _chain(8)
    del rows[3]
    rows[3:] = [(r[0], r[1] - 1, r[2], r[3], _renumbered(r[4], r[1] - 1)) for r in rows[3:]]
    v = _run(rows, head=(7, rows[-1][3]))
    assert v.failure is not None
    assert (v.failure.seq, v.failure.kind) == (4, FailureKind.REMOVED)


def test_duplicate_number_is_an_insert() -> None:
    """R14.3: a second event carrying an existing number is named as inserted."""
    rows = _chain(5)
    rows.insert(3, rows[2])
    v = _run(rows)
    assert v.failure is not None
    assert (v.failure.seq, v.failure.kind) == (3, FailureKind.INSERTED)


def test_truncation_behind_seal() -> None:
    """R14.3: a seal beyond the end of the chain names the first missing event."""
    rows = _chain(10)
    seals = [_seal(rows[9])]
    v = _run(rows[:6], seals, head=(6, rows[5][3]))
    assert v.failure is not None
    assert (v.failure.seq, v.failure.kind) == (7, FailureKind.REMOVED)
