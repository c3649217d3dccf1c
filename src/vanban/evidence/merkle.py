"""RFC 9162 §2.1 Merkle tree (Certificate Transparency v2) over SHA-256, pure.

Leaf hash = SHA-256(0x00 || leaf), interior node = SHA-256(0x01 || left || right), the empty
tree's root = SHA-256(""). :class:`MerkleTree` keeps every complete, aligned subtree's hash (the
left children of the RFC's recursion are always such subtrees), so appending a leaf costs
amortised O(1) hashes and a root, an inclusion proof (PATH) or a consistency proof (PROOF) costs
O(log² n) at worst, which keeps 100,000+ leaves cheap. Hashes are packed in ``bytearray`` levels
(32 bytes a slot) to keep a million leaves in about 64 MB.

The verification functions follow §2.1.3.2 and §2.1.4.2 literally. The stand-alone
``verifier`` module carries its own copy of them (a third party runs that one file alone); the
tests check that both agree. Standard library only: no Django, nothing else from vanban.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree of leaf hashes with cached complete subtrees."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # _levels[h] holds, back to back, the hashes of the complete subtrees of 2**h leaves
        # starting at leaf i * 2**h.
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._size

    def append(self, hashed_leaf: bytes) -> None:
        """Add a leaf given by its leaf hash (:func:`leaf_hash`)."""
        if len(hashed_leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        self._levels[0] += hashed_leaf
        self._size += 1
        level, count = 0, self._size
        while count % 2 == 0:  # the new leaf completes a subtree one level up
            row = self._levels[level]
            if level + 1 == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level + 1] += node_hash(bytes(row[-2 * HASH_SIZE:-HASH_SIZE]),
                                                 bytes(row[-HASH_SIZE:]))
            level, count = level + 1, count // 2

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append several leaf hashes in order."""
        for hashed in leaf_hashes:
            self.append(hashed)

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        if not 0 <= index < self._size:
            raise IndexError(index)
        return bytes(self._levels[0][index * HASH_SIZE:(index + 1) * HASH_SIZE])

    def _subtree(self, start: int, n: int) -> bytes:
        """MTH(D[start:start+n]); ``start`` is a multiple of the left split at every step."""
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0:  # complete subtree: cached, aligned because start % n == 0
            level = n.bit_length() - 1
            i = start >> level
            return bytes(self._levels[level][i * HASH_SIZE:(i + 1) * HASH_SIZE])
        k = _split(n)
        return node_hash(self._subtree(start, k), self._subtree(start + k, n - k))

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all)."""
        size = self._size if size is None else size
        self._check_size(size)
        return self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf side first."""
        size = self._size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise IndexError(f"leaf {index} is not in a tree of {size}")
        proof: list[bytes] = []
        start, n, m = 0, size, index
        while n > 1:
            k = _split(n)
            if m < k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, n, m = start + k, n - k, m - k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1."""
        new_size = self._size if new_size is None else new_size
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"no consistency proof from {old_size} to {new_size}")
        if old_size in (0, new_size):
            return []
        proof: list[bytes] = []
        start, n, m, complete = 0, new_size, old_size, True  # SUBPROOF(m, D[start:start+n], b)
        while m != n:
            k = _split(n)
            if m <= k:
                proof.append(self._subtree(start + k, n - k))
                n = k
            else:
                proof.append(self._subtree(start, k))
                start, n, m, complete = start + k, n - k, m - k, False
        if not complete:
            proof.append(self._subtree(start, n))
        proof.reverse()
        return proof

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise ValueError(f"the tree has {self._size} leaves, not {size}")


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of raw leaves (convenience for tests and small trees)."""
    return MerkleTree(leaf_hash(d) for d in leaves).root()


def verify_inclusion(*, index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: whether ``proof`` shows leaf ``index`` in the tree of ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(*, old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: whether ``proof`` shows the ``old_size`` tree is a prefix."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
