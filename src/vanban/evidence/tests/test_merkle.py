"""R7.2, R14.3: the RFC 9162 §2.1 Merkle tree: roots, inclusion and consistency proofs, and their
verification, against hand-computed trees and, with hypothesis, every size and position."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.evidence import merkle, verifier
from vanban.evidence.merkle import MerkleTree, leaf_hash, node_hash


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


LEAVES = [bytes([i]) * (i + 1) for i in range(7)]
# The seven-leaf example tree of RFC 9162 §2.1.5, computed by hand:
#            hash                 k = H(i, j) over (g, h) and (i, j) ... named as in the RFC
A, B, C, D, E, F, J = (_h(b"\x00" + d) for d in LEAVES)  # leaves d0..d6
G = _h(b"\x01" + A + B)
H_ = _h(b"\x01" + C + D)
I_ = _h(b"\x01" + E + F)
K = _h(b"\x01" + G + H_)  # first four leaves
L = _h(b"\x01" + I_ + J)  # leaves 4..6
ROOT7 = _h(b"\x01" + K + L)


def test_hash_definitions():
    """R14.3: leaf and node hashes are domain-separated SHA-256; the empty root is SHA-256("")."""
    assert leaf_hash(b"abc") == _h(b"\x00abc")
    assert node_hash(b"l" * 32, b"r" * 32) == _h(b"\x01" + b"l" * 32 + b"r" * 32)
    assert MerkleTree().root() == _h(b"")
    assert merkle.root_of([b"x"]) == _h(b"\x00x")


def test_roots_of_small_trees_by_hand():
    """R14.3: MTH of the RFC example tree and of its prefixes, computed by hand."""
    tree = MerkleTree(leaf_hash(d) for d in LEAVES)
    assert tree.root() == ROOT7
    assert tree.root(1) == A
    assert tree.root(2) == G
    assert tree.root(3) == _h(b"\x01" + G + C)
    assert tree.root(4) == K
    assert tree.root(5) == _h(b"\x01" + K + E)
    assert tree.root(6) == _h(b"\x01" + K + I_)


def test_inclusion_proofs_of_rfc_example():
    """R7.2: the RFC 9162 §2.1.5 audit paths: d0 → [b, h, l], d3 → [c, g, l], d4 → [f, j, k],
    d6 → [i, k]."""
    tree = MerkleTree(leaf_hash(d) for d in LEAVES)
    assert tree.inclusion_proof(0) == [B, H_, L]
    assert tree.inclusion_proof(3) == [C, G, L]
    assert tree.inclusion_proof(4) == [F, J, K]
    assert tree.inclusion_proof(6) == [I_, K]
    for i, d in enumerate(LEAVES):
        assert merkle.verify_inclusion(index=i, size=7, hashed_leaf=leaf_hash(d),
                                       proof=tree.inclusion_proof(i), root=ROOT7)


def test_consistency_proofs_of_rfc_example():
    """R14.3: the RFC 9162 §2.1.5 consistency proofs: 3→7 [c, d, g, l], 4→7 [l], 6→7 [i, j, k]."""
    tree = MerkleTree(leaf_hash(d) for d in LEAVES)
    assert tree.consistency_proof(3, 7) == [C, D, G, L]
    assert tree.consistency_proof(4, 7) == [L]
    assert tree.consistency_proof(6, 7) == [I_, J, K]
    for m, n in ((3, 7), (4, 7), (6, 7), (1, 7), (2, 5)):
        assert merkle.verify_consistency(old_size=m, new_size=n, old_root=tree.root(m),
                                         new_root=tree.root(n),
                                         proof=tree.consistency_proof(m, n))


def test_edge_cases_refused():
    """R14.3: out-of-range indexes and sizes are refused, not silently proven."""
    tree = MerkleTree(leaf_hash(d) for d in LEAVES)
    with pytest.raises(IndexError):
        tree.inclusion_proof(7)
    with pytest.raises(ValueError, match="leaves"):
        tree.root(8)
    with pytest.raises(ValueError, match="consistency"):
        tree.consistency_proof(5, 4)
    with pytest.raises(ValueError, match="32 bytes"):
        tree.append(b"short")
    assert not merkle.verify_inclusion(index=7, size=7, hashed_leaf=A, proof=[], root=ROOT7)
    assert not merkle.verify_consistency(old_size=8, new_size=7, old_root=ROOT7, new_root=ROOT7,
                                         proof=[])
    assert merkle.verify_consistency(old_size=0, new_size=7, old_root=_h(b""), new_root=ROOT7,
                                     proof=[])
    assert not merkle.verify_consistency(old_size=3, new_size=7, old_root=tree.root(3),
                                         new_root=ROOT7, proof=[])


def _both_inclusion(**kwargs: object) -> bool:
    ours = merkle.verify_inclusion(**kwargs)  # type: ignore[arg-type]
    assert verifier.inclusion_ok(**kwargs) == ours  # type: ignore[arg-type]
    return ours


def _both_consistency(**kwargs: object) -> bool:
    ours = merkle.verify_consistency(**kwargs)  # type: ignore[arg-type]
    assert verifier.consistency_ok(**kwargs) == ours  # type: ignore[arg-type]
    return ours


def _flip(proof: list[bytes], i: int) -> list[bytes]:
    node = bytearray(proof[i])
    node[0] ^= 1
    return [*proof[:i], bytes(node), *proof[i + 1:]]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=50), salt=st.binary(max_size=4))
def test_every_inclusion_proof_verifies_and_tampering_fails(n: int, salt: bytes):
    """R7.2: for every size up to n, every leaf's proof verifies (in merkle and in the
    stand-alone verifier); a changed node, leaf, index or root makes it fail."""
    tree = MerkleTree(leaf_hash(salt + i.to_bytes(2, "big")) for i in range(n))
    for size in range(1, n + 1):
        root = tree.root(size)
        assert root == merkle.root_of([salt + i.to_bytes(2, "big") for i in range(size)])
        for i in range(size):
            proof = tree.inclusion_proof(i, size)
            leaf = tree.leaf(i)
            assert _both_inclusion(index=i, size=size, hashed_leaf=leaf, proof=proof, root=root)
            assert not _both_inclusion(index=i, size=size, hashed_leaf=_h(leaf), proof=proof,
                                       root=root)
            if proof:
                assert not _both_inclusion(index=i, size=size, hashed_leaf=leaf,
                                           proof=_flip(proof, len(proof) - 1), root=root)
                assert not _both_inclusion(index=i, size=size, hashed_leaf=leaf,
                                           proof=proof[:-1], root=root)
            if size > 1:
                assert not _both_inclusion(index=(i + 1) % size, size=size, hashed_leaf=leaf,
                                           proof=proof, root=root)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=50), salt=st.binary(max_size=4))
def test_every_consistency_proof_verifies_and_tampering_fails(n: int, salt: bytes):
    """R14.3: for all m ≤ n' ≤ n the consistency proof verifies; a changed node, a shortened
    proof, or an old root that is not a prefix makes it fail."""
    tree = MerkleTree(leaf_hash(salt + i.to_bytes(2, "big")) for i in range(n))
    other = MerkleTree(leaf_hash(b"x" + salt + i.to_bytes(2, "big")) for i in range(n))
    for new in range(1, n + 1):
        for old in range(1, new + 1):
            proof = tree.consistency_proof(old, new)
            good = {"old_size": old, "new_size": new, "old_root": tree.root(old),
                    "new_root": tree.root(new)}
            assert _both_consistency(**good, proof=proof)
            if old < new:
                assert not _both_consistency(**{**good, "old_root": other.root(old)},
                                             proof=proof)
                assert not _both_consistency(**good, proof=_flip(proof, 0))
                assert not _both_consistency(**good, proof=proof[:-1])


def test_large_tree_proofs_verify():
    """R14.3: a 100,000-leaf tree: proofs at both ends and across a power of two verify
    (its speed is measured in ``bench/evidence.py``, not here)."""
    tree = MerkleTree(leaf_hash(i.to_bytes(4, "big")) for i in range(100_000))
    root = tree.root()
    for i in (0, 65_535, 65_536, 99_999):
        assert merkle.verify_inclusion(index=i, size=100_000, hashed_leaf=tree.leaf(i),
                                       proof=tree.inclusion_proof(i), root=root)
    assert merkle.verify_consistency(old_size=70_001, new_size=100_000,
                                     old_root=tree.root(70_001), new_root=root,
                                     proof=tree.consistency_proof(70_001))
