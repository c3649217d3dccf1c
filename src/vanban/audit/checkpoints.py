"""Making audit checkpoints and proving the log against one (R14.3).

:func:`checkpoint_make` seals the head and signs a :class:`~vanban.audit.checkpoint.Checkpoint`
of it (size, head hash, Merkle root over the chain hashes, time, origin) with the seal key. Kept
outside the installation (a file in the archive, a witness peer), it bounds what anyone with the
database and the keys can rewrite unnoticed: :func:`verify_with_checkpoint` proves that the log
still holds, unchanged, every event up to the checkpoint and names the first bad position.

A checkpoint file may carry a *locator*: the first 8 bytes of every chain hash, so a careful
rewrite (every later hash recomputed) is pinned to the first event that differs. The locator is
not signed: the signed head decides *whether* the log was rewritten, the locator only *where*.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from vanban.audit import chain, keys, schedule, sealcert
from vanban.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    MerkleAccumulator,
    certification_problem,
    merkle_root,
)
from vanban.audit.findings import Failure, FailureKind, VerifyResult
from vanban.audit.models import AuditEvent, Cosignature, WitnessedCheckpoint
from vanban.audit.verify import Row, verify_database
from vanban.core import clock

LOCATOR_BYTES = 8


def origin_id() -> str:
    """This installation's id (the same as the federation's: setting, else host name)."""
    value = getattr(settings, "VANBAN_INSTALLATION_ID", "") or os.environ.get(
        "VANBAN_INSTALLATION_ID", "")
    return str(value).strip() or socket.gethostname()


def chain_hashes(upto: int, *, using: str = "default", chunk: int = 50_000) -> Iterator[str]:
    """The stored chain hashes of events #1..#upto in order (keyset pages)."""
    last = 0
    while last < upto:
        rows = list(AuditEvent.objects.using(using).filter(seq__gt=last, seq__lte=upto)
                    .order_by("seq").values_list("seq", "hash")[:chunk])
        if not rows:
            return
        for _seq, hashed in rows:
            yield hashed
        last = rows[-1][0]


def locator(hashes: Iterator[str]) -> str:
    """Base64 of the first bytes of each chain hash (see the module docstring)."""
    return base64.b64encode(b"".join(bytes.fromhex(h)[:LOCATOR_BYTES] for h in hashes)).decode()


def checkpoint_make(*, with_locator: bool = False) -> tuple[Checkpoint, str]:
    """Seal the head and sign a checkpoint of it; returns it and the locator ('' unless asked).
    On an empty log the checkpoint has size 0. Once the provincial CA certified the seal key,
    the checkpoint carries the certificate and its chain."""
    sealed = schedule.seal_head()
    size, head = (sealed.seq, sealed.hash) if sealed else (0, chain.GENESIS_HASH)
    root = merkle_root(chain_hashes(size))
    at = chain.iso_utc(clock.now())
    unsigned = Checkpoint(origin=origin_id(), size=size, head=head, root=root, time=at,
                          key_id=keys.key_id(), signature="", public_key=keys.public_key_pem())
    certified = sealcert.current()
    if certified is not None and certified.key_id == unsigned.key_id:
        unsigned = replace(unsigned, certificate=certified.certificate_pem,
                           chain=certified.chain_pem)
    signed = replace(unsigned, signature=keys.sign(unsigned.body()))
    return signed, locator(chain_hashes(size)) if with_locator else ""


def checkpoint_file(checkpoint: Checkpoint, locator_text: str = "") -> str:
    """The JSON text of a checkpoint file (with its locator when given)."""
    import json

    data = checkpoint.as_dict()
    if locator_text:
        data["locator"] = locator_text
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def signature_ok(checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]) -> bool:
    """Whether the checkpoint is signed by one of ``public_keys`` (by key id). Only when no key
    is trusted at all (a witness's first sight, which then pins it) is the key it carries
    used: otherwise anyone could sign a forged checkpoint with a key of their own."""
    key = public_keys.get(checkpoint.key_id)
    if key is None and not public_keys and checkpoint.public_key:
        try:
            carried = keys.load_public_key(checkpoint.public_key.encode())
        except (TypeError, ValueError):
            return False
        key = carried if keys.key_id(carried) == checkpoint.key_id else None
    return key is not None and keys.signature_valid(key, checkpoint.signature, checkpoint.body())


def _fail(seq: int, kind: FailureKind, vi: str, en: str) -> Failure:
    return Failure(seq, kind, vi, en)


def _located(checkpoint: Checkpoint, locator_text: str, using: str) -> int | None:
    """The first event whose hash differs from the locator, if the file has one."""
    try:
        raw = base64.b64decode(locator_text, validate=True) if locator_text else b""
    except ValueError:
        return None
    if len(raw) != checkpoint.size * LOCATOR_BYTES:
        return None
    for seq, hashed in enumerate(chain_hashes(checkpoint.size, using=using), start=1):
        if bytes.fromhex(hashed)[:LOCATOR_BYTES] != raw[(seq - 1) * LOCATOR_BYTES:
                                                        seq * LOCATOR_BYTES]:
            return seq
    return None


def checkpoint_failure(checkpoint: Checkpoint, result: VerifyResult, *,
                       public_keys: Mapping[str, Ed25519PublicKey], locator_text: str = "",
                       using: str = "default",
                       stored: tuple[str, str] | None = None,
                       root_fingerprint: str | None = None) -> Failure | None:
    """What the stored log lacks against ``checkpoint`` (given the chain's own ``result``).
    ``stored`` is the (hash at the checkpoint's size, Merkle root up to it) when the caller
    computed them while verifying; else they are read here. With ``root_fingerprint`` the
    checkpoint's key must also be certified by a CA chaining to that root at its time."""
    size = checkpoint.size
    if not signature_ok(checkpoint, public_keys):
        return _fail(size, FailureKind.CHECKPOINT_INVALID,
                     f"Điểm kiểm tra #{size} không hợp lệ: chữ ký không khớp khoá "
                     f"{checkpoint.key_id[:16]}.",
                     f"Checkpoint #{size} is invalid: its signature does not verify with key "
                     f"{checkpoint.key_id[:16]}.")
    if root_fingerprint is not None:
        vi, en = certification_problem(checkpoint, root_fingerprint)
        if vi:
            return _fail(size, FailureKind.CHECKPOINT_UNCERTIFIED,
                         f"Khoá của điểm kiểm tra #{size} không được CA gốc tin cậy chứng "
                         f"nhận: {vi}.",
                         f"Checkpoint #{size}'s key is not certified by the trusted root CA: "
                         f"{en}.")
    if result.failure is not None and result.failure.seq <= size:
        return None  # the chain's own first failure lies inside the checkpoint: it is the answer
    if result.last_seq < size:
        first = result.last_seq + 1
        return _fail(first, FailureKind.TRUNCATED,
                     f"Nhật ký đã bị cắt: điểm kiểm tra xác nhận {size} sự kiện nhưng chuỗi dừng "
                     f"ở #{result.last_seq}; sự kiện #{first} trở đi đã bị xoá.",
                     f"The log was truncated: the checkpoint vouches for {size} events but the "
                     f"chain ends at #{result.last_seq}; events from #{first} on were removed.")
    if stored is None:
        head = _hash_at(size, using) if size else chain.GENESIS_HASH
        stored = (head or "", merkle_root(chain_hashes(size, using=using)))
    if stored == (checkpoint.head, checkpoint.root):
        return None
    located = _located(checkpoint, locator_text, using)
    first = located or size
    where_vi = f"sự kiện #{first}" if located else f"một sự kiện trong khoảng #1–#{size}"
    where_en = f"event #{first}" if located else f"an event between #1 and #{size}"
    return _fail(first, FailureKind.REWRITTEN,
                 f"Nhật ký đã bị viết lại: chuỗi không còn đi tới đầu chuỗi của điểm kiểm tra "
                 f"#{size}; {where_vi} đã bị sửa, chèn, xoá hoặc đổi chỗ rồi tính lại mã băm.",
                 f"The log was rewritten: the chain no longer reaches checkpoint #{size}'s head; "
                 f"{where_en} was altered, inserted, removed or moved and the hashes recomputed.")


def _hash_at(seq: int, using: str) -> str | None:
    return (AuditEvent.objects.using(using).filter(seq=seq).values_list("hash", flat=True)
            .first())


def verify_with_checkpoint(checkpoint: Checkpoint, *,
                           public_keys: Mapping[str, Ed25519PublicKey],
                           locator_text: str = "", using: str = "default",
                           sched: schedule.Schedule | None = None,
                           root_fingerprint: str | None = None) -> VerifyResult:
    """The whole verification (chain, seals, schedule) plus the checkpoint (certified through
    the root of SHA-256 ``root_fingerprint`` when given): the first failure by position wins,
    except that a checkpoint that cannot be trusted is the answer. The checkpoint's hash and
    root are taken from the rows as they are read and verified, so the log is read once."""
    keyring = dict(public_keys)
    size = checkpoint.size
    accumulator = MerkleAccumulator()
    at_size = [chain.GENESIS_HASH]

    def observe(rows: list[Row]) -> None:
        for row in rows:
            if row[1] > size or row[1] != accumulator.size + 1:
                return  # past the checkpoint, or out of order (the chain check names it)
            accumulator.add(row[3])
            at_size[0] = row[3]

    result = verify_database(public_keys=keyring, using=using, schedule=sched, observe=observe)
    stored = (at_size[0], accumulator.root()) if accumulator.size == size else None
    failure = checkpoint_failure(checkpoint, result, public_keys=keyring,
                                 locator_text=locator_text, using=using, stored=stored,
                                 root_fingerprint=root_fingerprint)
    if failure is None:
        return result
    if result.failure is not None and result.failure.seq <= failure.seq and \
            failure.kind not in (FailureKind.CHECKPOINT_INVALID,
                                 FailureKind.CHECKPOINT_UNCERTIFIED):
        return result
    return replace(result, ok=False, failure=failure)


def cosignatures(*, log: str = "") -> list[Cosignature]:
    """The witness countersignatures kept here, newest first."""
    rows = Cosignature.objects.order_by("-received_at", "-id")
    return list(rows.filter(log=log) if log else rows)


def cosignature_store(*, log: str, witness: str, size: int, head: str, checkpoint: str,
                      cosigned_at: str, signature: str) -> Cosignature:
    """Keep a witness's countersignature of one of our checkpoints (append-only)."""
    return Cosignature.objects.create(log=log, witness=witness, size=size, head=head,
                                      checkpoint=checkpoint, cosigned_at=cosigned_at,
                                      signature=signature, received_at=clock.now())


def cosigned_size(*, log: str, witness: str) -> int:
    """The largest size ``witness`` countersigned for ``log`` (0: none yet)."""
    size = (Cosignature.objects.filter(log=log, witness=witness).order_by("-size")
            .values_list("size", flat=True).first())
    return int(size or 0)


def witnessed_latest(*, origin: str, log: str) -> WitnessedCheckpoint | None:
    """The latest checkpoint of ``origin``'s ``log`` this installation witnessed."""
    return (WitnessedCheckpoint.objects.filter(origin=origin, log=log)
            .order_by("-size", "-id").first())


def witnessed_store(**fields: Any) -> WitnessedCheckpoint:
    """Keep a checkpoint witnessed for a peer (append-only; the caller checked it)."""
    return WitnessedCheckpoint.objects.create(received_at=clock.now(), **fields)


def witness_repin(*, origin: str, log: str, key_pem: str, reason: str) -> WitnessedCheckpoint:
    """The operator of a witness accepts a peer's new checkpoint key (the peer moved its seal
    key, e.g. to a token): a copy of the latest held checkpoint pinned to the new key, audited
    with the reason. The held size, head and root stay, so the next push must still extend
    them."""
    from vanban.audit.services import audit_append

    held = witnessed_latest(origin=origin, log=log)
    if held is None:
        raise CheckpointError(f"no checkpoint of {origin}/{log} is held here")
    if "CERTIFICATE" not in key_pem:
        keys.load_public_key(key_pem.encode())  # refuses anything but an Ed25519 key
    row = witnessed_store(origin=origin, log=log, size=held.size, head=held.head,
                          root=held.root, key_pem=key_pem, checkpoint=held.checkpoint,
                          cosigned_at=held.cosigned_at, cosignature=held.cosignature)
    audit_append(actor=None, action="witness.repinned", object_type="peer", object_id=origin,
                 data={"log": log, "size": held.size, "reason": reason})
    return row
