"""Pure hash-chain logic of the audit log: canonical bytes of an event and its SHA-256.

No Django import, so the verifier can run anywhere (and fast: ≥ 100,000 events/s per core).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
SEPARATOR = "\x1f"


def canonical_json(value: Mapping[str, Any] | None) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def digest(value: Mapping[str, Any] | None) -> str:
    """SHA-256 of an object's state, for an event's before/after digest ('' for no state)."""
    if value is None:
        return ""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at_iso: str,
    actor_id: int | None,
    actor_username: str,
    agency_code: str,
    action: str,
    object_type: str,
    object_id: str,
    before_digest: str,
    after_digest: str,
    data: str,
) -> str:
    """The hash that links an event to its predecessor. Covers every stored field."""
    return hash_parts((
        prev_hash,
        str(seq),
        at_iso,
        "" if actor_id is None else str(actor_id),
        actor_username,
        agency_code,
        action,
        object_type,
        object_id,
        before_digest,
        after_digest,
        data,
    ))


def hash_parts(parts: Sequence[str]) -> str:
    """SHA-256 (hex) of :func:`event_bytes`: the one chain hashing format."""
    return hashlib.sha256(event_bytes(parts)).hexdigest()


def event_bytes(parts: Sequence[str]) -> bytes:
    """The bytes an event's hash covers: its fields joined by U+001F, UTF-8.

    The order is that of :func:`event_hash`: prev_hash, seq, at (ISO 8601 UTC, microseconds),
    actor id ('' for none), actor username, agency code, action, object type, object id,
    before digest, after digest, data (canonical JSON text).
    """
    return SEPARATOR.join(parts).encode()


SEAL_DOMAIN = "vanban-audit-seal-v1"


def seal_message(*, seq: int, head_hash: str, at_iso: str) -> bytes:
    """The bytes a seal signs: a fixed domain tag, then seq, head hash and seal time (UTC ISO)."""
    return SEPARATOR.join((SEAL_DOMAIN, str(seq), head_hash, at_iso)).encode()


def iso_utc(at: datetime) -> str:
    """The timestamp as hashed: ISO 8601, UTC, microseconds (``...T02:44:00.000000+00:00``)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")
