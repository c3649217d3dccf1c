"""``vanban evidence verify-log``: the whole evidence log checked from its records (R7.2, R14.3).

Every record's leaf is recomputed from its canonical bytes, the Merkle tree rebuilt from those
leaves, and then every stored signed tree head, every head the audit log vouches for (so deleted
head rows are noticed) and, when given, a head kept outside the installation are checked against
it: signature, root at that size and an RFC 9162 consistency proof from that head to today's
tree; consecutive stored heads are linked by consistency proofs too. The first problem is
named by leaf index (or head size), in Vietnamese and English.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vanban.audit.selectors import vouched
from vanban.evidence import merkle, verifier
from vanban.evidence.hubkey import certificates_by_key, hub_key
from vanban.evidence.merkle import MerkleTree
from vanban.evidence.models import EvidenceHead, EvidenceRecord, TreeHead
from vanban.evidence.services import VOUCH_ACTION

CHUNK = 20_000


@dataclass(frozen=True)
class LogReport:
    """Outcome: ``size`` records, ``heads`` heads checked; the first failure (index, kind)."""

    size: int
    heads: int
    root: str
    position: int | None = None
    kind: str = ""
    vi: str = ""
    en: str = ""

    @property
    def ok(self) -> bool:
        """No failure."""
        return not self.kind

    def message(self, language: str = "vi") -> str:
        """One sentence for a person."""
        if self.ok:
            return (f"The evidence log is intact: {self.size} records, {self.heads} signed "
                    f"heads checked." if language.startswith("en") else
                    f"Nhật ký bằng chứng nguyên vẹn: {self.size} bản ghi, đã kiểm tra "
                    f"{self.heads} đầu cây đã ký.")
        return self.en if language.startswith("en") else self.vi

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ok": self.ok, "size": self.size, "heads": self.heads, "root": self.root,
                "position": self.position, "kind": self.kind, "vi": self.vi, "en": self.en}


class _Failed(Exception):
    def __init__(self, position: int, kind: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.position, self.kind, self.vi, self.en = position, kind, vi, en


def _leaves() -> MerkleTree:
    """The tree of the records as stored, every leaf recomputed from its canonical bytes."""
    tree, last = MerkleTree(), -1
    while True:
        rows = list(EvidenceRecord.objects.filter(index__gt=last).order_by("index")
                    .values_list("index", "canonical", "leaf_hash")[:CHUNK])
        for index, canonical, stored in rows:
            if index != tree.size:
                raise _Failed(tree.size, "removed", f"Bản ghi #{tree.size} đã bị xoá.",
                              f"Record #{tree.size} was removed.")
            data = bytes(canonical)
            leaf = hashlib.sha256(b"\x00" + data).digest()
            if leaf.hex() != stored or json.loads(data).get("index") != index:
                raise _Failed(index, "altered", f"Bản ghi #{index} đã bị sửa: mã băm lá không "
                              "khớp nội dung.", f"Record #{index} was altered: its leaf hash "
                              "does not match its content.")
            tree.append(leaf)
        if len(rows) < CHUNK:
            return tree
        last = rows[-1][0]


def _root_failure(tree: MerkleTree, size: int, root: str, what_vi: str,
                  what_en: str) -> _Failed | None:
    if size > tree.size:
        return _Failed(tree.size, "truncated",
                       f"Nhật ký đã bị cắt: {what_vi} xác nhận {size} bản ghi, chỉ còn "
                       f"{tree.size}.", f"The log was truncated: {what_en} vouches for {size} "
                       f"records, only {tree.size} remain.")
    if tree.root(size).hex() != root:
        return _Failed(size, "rewritten",
                       f"Nhật ký đã bị viết lại: gốc cây kích thước {size} khác {what_vi}; một "
                       f"bản ghi trước #{size} đã bị sửa.",
                       f"The log was rewritten: the root at size {size} differs from {what_en}; "
                       f"a record before #{size} was altered.")
    return None


def _check_heads(tree: MerkleTree) -> int:
    """Every stored head: signature and root; every vouched head: present and the same."""
    keys = {k: c.certificate.public_key() for k, c in certificates_by_key().items()}
    stored = {h.size: h for h in TreeHead.objects.order_by("size")}
    previous = 0
    for size, head in stored.items():
        message = verifier.tree_head_message(timestamp_ms=head.timestamp_ms, size=size,
                                             root_hash=bytes.fromhex(head.root_hash))
        key = keys.get(head.key_id)  # the current key or a rotated one kept with its certificate
        if key is None or not _signed(key, head.signature, message):  # unknown key: forged
            raise _Failed(size, "head_invalid", f"Đầu cây kích thước {size} có chữ ký sai.",
                          f"The tree head of size {size} has an invalid signature.")
        failure = _root_failure(tree, size, head.root_hash, "đầu cây đã ký",
                                "the signed tree head")
        if failure is not None:
            failure.vi += f" (giữa #{previous} và #{size})"
            failure.en += f" (between #{previous} and #{size})"
            raise failure
        if previous and not _consistent(tree, stored[previous].root_hash, previous, head):
            raise _Failed(size, "inconsistent", f"Đầu cây {size} không mở rộng đầu cây "
                          f"{previous}.", f"Tree head {size} does not extend tree head "
                          f"{previous}.")
        previous = size
    for _seq, data in vouched(VOUCH_ACTION):
        size, root = int(data["size"]), str(data["root"])
        row = stored.get(size)
        if row is None or row.root_hash != root:
            raise _Failed(size, "head_removed",
                          f"Đầu cây kích thước {size} mà nhật ký kiểm toán ghi nhận đã bị xoá "
                          "hoặc sửa.", f"The tree head of size {size} recorded in the audit log "
                          "was deleted or altered.")
    return len(stored)


def _consistent(tree: MerkleTree, old_root: str, old_size: int, head: TreeHead) -> bool:
    """RFC 9162 consistency proof between two stored heads, built and checked."""
    proof = tree.consistency_proof(old_size, head.size)
    return merkle.verify_consistency(old_size=old_size, new_size=head.size,
                                     old_root=bytes.fromhex(old_root),
                                     new_root=bytes.fromhex(head.root_hash), proof=proof)


def _signed(key: Any, signature: str, message: bytes) -> bool:
    from vanban.audit.keys import signature_valid

    return signature_valid(key, signature, message)


def _check_kept(tree: MerkleTree, kept: Mapping[str, Any]) -> None:
    """A head kept outside (a bundle's, ``head --json``, a witness copy): signature, root and
    the RFC 9162 consistency proof from it to today's tree."""
    head = dict(kept.get("tree_head", kept))
    report = verifier.verify_consistency(head, head, [], certificate_pem=str(
        kept.get("hub_certificate") or hub_key().certificate_pem))
    size = int(head.get("size", -1))
    if not report.ok:
        raise _Failed(size, "checkpoint_invalid", "Đầu cây giữ bên ngoài không hợp lệ: "
                      + report.message("vi"), "The kept tree head is invalid: "
                      + report.message("en"))
    root = str(head["root_hash"])
    failure = _root_failure(tree, size, root, "đầu cây giữ bên ngoài", "the kept tree head")
    if failure is not None:
        raise failure
    proof = tree.consistency_proof(size, tree.size)
    if not merkle.verify_consistency(old_size=size, new_size=tree.size,
                                     old_root=bytes.fromhex(root), new_root=tree.root(),
                                     proof=proof):
        raise _Failed(size, "inconsistent", "Cây hiện tại không mở rộng đầu cây giữ bên ngoài.",
                      "Today's tree does not extend the kept tree head.")


def verify_log(*, kept: Mapping[str, Any] | None = None) -> LogReport:
    """Check the whole evidence log (see the module docstring)."""
    tree, heads = MerkleTree(), 0
    try:
        tree = _leaves()
        counted = EvidenceHead.objects.filter(pk=1).values_list("size", flat=True).first()
        if counted is not None and counted != tree.size:
            raise _Failed(min(counted, tree.size), "head_mismatch",
                          f"Bộ đếm ghi {counted} bản ghi nhưng có {tree.size}.",
                          f"The record counter says {counted} but {tree.size} are stored.")
        heads = _check_heads(tree)
        if kept is not None:
            _check_kept(tree, kept)
            heads += 1
    except _Failed as failed:
        return LogReport(size=tree.size, heads=heads, root=_root(tree),
                         position=failed.position, kind=failed.kind, vi=failed.vi, en=failed.en)
    return LogReport(size=tree.size, heads=heads, root=_root(tree))


def _root(tree: MerkleTree) -> str:
    return tree.root().hex()
