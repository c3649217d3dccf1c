"""Audit checkpoints (R14.3): a small signed statement of the log's size and head that leaves
the installation, and the Merkle root that lets a witness check one checkpoint extends another.

Pure logic, no Django: the format, the signed bytes and the Merkle root over the chain hashes.

The signed body is a short text in the shape of a transparency log's signed note::

    vanban-audit-checkpoint-v1
    <origin installation id>
    <size: the last seq>
    <head: the chain hash of event #size>
    <root: RFC 9162 Merkle tree hash over the chain hashes of events #1..#size>
    <time: ISO 8601 UTC>

The chain hash proves every event up to ``size`` (each hash covers its predecessor); the Merkle
root over the same hashes is what makes a consistency proof possible between two checkpoints
without revealing any event's content to the witness (docs/adr/0010).

Once the provincial CA certified the seal key (``vanban cert certify-seal``), a checkpoint also
carries the key's certificate and its issuers (root last, not signed: the CA's signatures are
what bind them); :func:`certification_problem` checks them against a root's fingerprint, so a
relying party trusts the province's root instead of pinning the seal key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vanban.core.keyfiles import chain_problem

FORMAT = "vanban-audit-checkpoint"
VERSION = 1
NOTE_DOMAIN = "vanban-audit-checkpoint-v1"
COSIGN_DOMAIN = "vanban-witness-cosignature-v1"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


class CheckpointError(ValueError):
    """A checkpoint file that is not one, or misses a field."""


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint of the audit log, as written to a file or pushed to a witness."""

    origin: str
    size: int
    head: str
    root: str
    time: str
    key_id: str
    signature: str
    public_key: str = ""  # PEM; lets a third party check the file alone (pin ``key_id``)
    certificate: str = ""  # PEM: the seal key's certificate by the provincial CA, if any
    chain: tuple[str, ...] = ()  # PEMs: its issuers, root last

    def body(self) -> bytes:
        """The bytes the seal key signs (see the module docstring)."""
        return body(origin=self.origin, size=self.size, head=self.head, root=self.root,
                    time=self.time)

    def as_dict(self) -> dict[str, Any]:
        """JSON form of the file (no certificate fields when the key is not certified, so an
        uncertified checkpoint reads as before)."""
        data = {"format": FORMAT, "version": VERSION, **asdict(self)}
        if not self.certificate:
            del data["certificate"], data["chain"]
        else:
            data["chain"] = list(self.chain)
        return data

    def to_json(self) -> str:
        """The file's text."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"


def body(*, origin: str, size: int, head: str, root: str, time: str) -> bytes:
    """The signed note's text for these values."""
    if "\n" in origin:
        raise CheckpointError("the origin may not contain a line break")
    return "\n".join((NOTE_DOMAIN, origin, str(size), head, root, time)).encode() + b"\n"


def parse(data: bytes | str | dict[str, Any]) -> Checkpoint:
    """A checkpoint from its JSON (file text or already decoded)."""
    try:
        raw = json.loads(data) if isinstance(data, (bytes, str)) else data
    except ValueError as err:
        raise CheckpointError(f"not JSON: {err}") from err
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise CheckpointError(f"not a {FORMAT} file")
    try:
        checkpoint = Checkpoint(
            origin=str(raw["origin"]), size=int(raw["size"]), head=str(raw["head"]),
            root=str(raw["root"]), time=str(raw["time"]), key_id=str(raw["key_id"]),
            signature=str(raw["signature"]), public_key=str(raw.get("public_key", "")),
            certificate=str(raw.get("certificate", "")),
            chain=tuple(str(pem) for pem in raw.get("chain") or ()))
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"missing or malformed field: {err}") from err
    if checkpoint.size < 0:
        raise CheckpointError("negative size")
    return checkpoint


# --- the seal key's certificate (R14.3, R7.2) -------------------------------------------------

def certification_problem(checkpoint: Checkpoint, root_fingerprint: str) -> tuple[str, str]:
    """Why the checkpoint's key is not certified by a CA chaining to the root of SHA-256
    ``root_fingerprint`` at the checkpoint's time, in Vietnamese and English (empty: it is).
    The checkpoint's own signature is checked elsewhere; here the certificate must be of the
    key that signed (same key id), issued through the chain and valid at ``time``."""
    if not checkpoint.certificate:
        return ("điểm kiểm tra không kèm chứng thư của khoá niêm phong",
                "the checkpoint carries no certificate of the seal key")
    try:
        cert = x509.load_pem_x509_certificate(checkpoint.certificate.encode())
        chain = [x509.load_pem_x509_certificate(pem.encode()) for pem in checkpoint.chain]
        at = datetime.fromisoformat(checkpoint.time)
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
    except ValueError as err:
        return (f"chứng thư hoặc thời điểm không đọc được ({err})",
                f"the certificate or the time cannot be read ({err})")
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey) or _key_id(key) != checkpoint.key_id:
        return ("chứng thư kèm theo là của một khoá khác",
                "the certificate is of another key")
    issued = _issued_by_root(cert, chain, root_fingerprint)
    if issued[0]:
        return issued
    if not all(c.not_valid_before_utc <= at <= c.not_valid_after_utc for c in [cert, *chain]):
        return (f"chứng thư không còn hiệu lực vào lúc {checkpoint.time}",
                f"the certificate was not valid at {checkpoint.time}")
    return ("", "")


def _issued_by_root(cert: x509.Certificate, chain: list[x509.Certificate],
                    root_fingerprint: str) -> tuple[str, str]:
    """Why ``chain`` does not issue ``cert`` up to the pinned root (empty: it does)."""
    problem = chain_problem(cert, chain)
    if problem:
        return (f"chuỗi chứng thư không cấp chứng thư này ({problem})",
                f"the chain did not issue the certificate ({problem})")
    root = hashlib.sha256(chain[-1].public_bytes(serialization.Encoding.DER)).hexdigest()
    if root != root_fingerprint.replace(":", "").strip().lower():
        return ("CA gốc của chuỗi không phải CA gốc tin cậy (vân tay SHA-256 khác)",
                "the chain's root is not the trusted root (SHA-256 fingerprint differs)")
    return ("", "")


def _key_id(key: Ed25519PublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


# --- Merkle tree hash over chain hashes (RFC 9162 §2.1.1) ------------------------------------

def leaf_hash(chain_hash_hex: str) -> bytes:
    """SHA-256(0x00 || the event's chain hash as 32 bytes)."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(chain_hash_hex)).digest()


class MerkleAccumulator:
    """The RFC 9162 Merkle tree hash over chain hashes fed in order, in O(log n) memory: one
    pending complete subtree per level (smaller ones to the right)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def add(self, chain_hash_hex: str) -> None:
        """The next leaf."""
        stack, node, height = self._stack, leaf_hash(chain_hash_hex), 0
        while stack and stack[-1][0] == height:
            node = hashlib.sha256(b"\x01" + stack.pop()[1] + node).digest()
            height += 1
        stack.append((height, node))
        self.size += 1

    def root(self) -> str:
        """The tree hash of the leaves so far (hex)."""
        if not self._stack:
            return EMPTY_ROOT
        pending = list(self._stack)
        node = pending.pop()[1]
        while pending:  # fold the incomplete right edge
            node = hashlib.sha256(b"\x01" + pending.pop()[1] + node).digest()
        return node.hex()


def merkle_root(chain_hashes: Iterable[str]) -> str:
    """The RFC 9162 Merkle tree hash over the chain hashes in order (hex); the same tree
    ``vanban.evidence.merkle.MerkleTree`` builds, so the witness side can prove and check
    consistency with it."""
    accumulator = MerkleAccumulator()
    for hashed in chain_hashes:
        accumulator.add(hashed)
    return accumulator.root()


def cosignature_body(*, witness: str, log: str, checkpoint_body: bytes, time: str) -> bytes:
    """What a witness signs when it vouches that it saw this checkpoint (and that it extends
    the one it held): its own id, the log, the time, and the SHA-256 of the checkpoint body."""
    digest = hashlib.sha256(checkpoint_body).hexdigest()
    return "\n".join((COSIGN_DOMAIN, witness, log, time, digest)).encode() + b"\n"


def b64(data: bytes) -> str:
    """Base64 text."""
    return base64.b64encode(data).decode()
