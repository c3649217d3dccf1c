"""The in-memory Merkle tree of the stored records, kept per process and per database.

Loading 100,000 leaf hashes for every proof would be slow, so the tree is cached and extended
with the records appended since (one indexed query). The cache is checked before each use: the
stored leaf at its last position must still be the one it holds (a rolled-back or emptied log
rebuilds it), and the latest signed tree head must have the root the cache computes; a mismatch
after a rebuild means the stored records were altered, which is refused loudly (R14.3).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from vanban.audit.selectors import vouched
from vanban.core.errors import Conflict
from vanban.evidence.merkle import MerkleTree
from vanban.evidence.models import EvidenceRecord, TreeHead

CHUNK = 20_000
VOUCH_ACTION = "evidence.tree_head"  # the audit action of a signed head (services.VOUCH_ACTION)
_trees: dict[str, MerkleTree] = {}
_lock = threading.RLock()


class LogAltered(Conflict):
    """The stored records no longer produce the roots the hub signed."""

    code = "evidence_log_altered"


def _altered(detail: str) -> LogAltered:
    return LogAltered(f"Nhật ký bằng chứng đã bị sửa: {detail}",
                      f"The evidence log was altered: {detail}")


def _extend(merkle: MerkleTree) -> None:
    rows = (EvidenceRecord.objects.filter(index__gte=merkle.size).order_by("index")
            .values_list("index", "leaf_hash").iterator(chunk_size=CHUNK))
    for index, hashed in rows:
        if index != merkle.size:
            raise _altered(f"thiếu bản ghi #{merkle.size} / record #{merkle.size} is missing")
        merkle.append(bytes.fromhex(hashed))


def _still_valid(merkle: MerkleTree) -> bool:
    if merkle.size == 0:
        return True
    stored = (EvidenceRecord.objects.filter(index=merkle.size - 1)
              .values_list("leaf_hash", flat=True).first())
    return stored is not None and bytes.fromhex(stored) == merkle.leaf(merkle.size - 1)


def _matches_latest_head(merkle: MerkleTree) -> bool:
    """The tree has the roots of the latest stored head and of the latest head the audit log
    vouches for (deleting head rows does not let an edited log be signed anew)."""
    head = TreeHead.objects.order_by("-size").values_list("size", "root_hash").first()
    heads = [head] if head is not None else []
    for _seq, data in vouched(VOUCH_ACTION, last=1):
        heads.append((int(data["size"]), str(data["root"])))
    return all(size <= merkle.size and merkle.root(size).hex() == root for size, root in heads)


@contextmanager
def synced(size: int) -> Iterator[MerkleTree]:
    """The tree of the stored records, at least ``size`` leaves; hold it only inside the block."""
    alias = transaction.get_connection().alias
    with _lock:
        merkle = _trees.get(alias)
        if merkle is None or not _still_valid(merkle):
            merkle = MerkleTree()
        _extend(merkle)
        if not _matches_latest_head(merkle):
            merkle = MerkleTree()  # perhaps an old cache: rebuild once from the database
            _extend(merkle)
            if not _matches_latest_head(merkle):
                raise _altered("gốc khác đầu cây đã ký / root differs from the signed head")
        _trees[alias] = merkle
        if merkle.size < size:
            raise _altered(f"chỉ có {merkle.size} bản ghi / only {merkle.size} records")
        yield merkle


def forget() -> None:
    """Drop the cached trees (tests that rewrite the tables by hand)."""
    with _lock:
        _trees.clear()
