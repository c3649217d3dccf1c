"""Witnesses (R14.3): each federated peer countersigns and keeps our latest checkpoints, and we
keep theirs (``POST /exchange/federation/witness/``; docs/adr/0010).

What leaves the installation this way bounds what a root user can rewrite unnoticed: anything
up to the last checkpoint a witness countersigned is fixed by a copy the root user cannot reach.

A push carries one checkpoint of one log and, when the witness already holds an older one from
us, an RFC 9162 consistency proof from that one (``from_size``) to the new one:

* ``audit``: the signed checkpoint of the hash chain (``vanban.audit.checkpoint``), whose root is
  the Merkle tree over the chain hashes, so the proof reveals no event;
* ``evidence``: the evidence log's signed tree head with the hub certificate.

The witness checks the sender (installation key, as for every federation message), the
checkpoint's signature by the key it pinned on first sight, that the size never shrinks, that a
checkpoint of the same size is the same, and the consistency proof; then it countersigns with
its installation key, stores the checkpoint and answers with the cosignature, which the origin
checks and keeps. A refusal is a problem (409, with ``held_size`` when the proof started from
the wrong place) and an audit event on the witness.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vanban.audit import checkpoints as audit_checkpoints
from vanban.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    cosignature_body,
    leaf_hash,
    parse,
)
from vanban.audit.keys import key_id as audit_key_id
from vanban.audit.keys import load_public_key
from vanban.audit.services import audit_append
from vanban.core.errors import Conflict, ValidationFailed
from vanban.evidence import merkle, tree, verifier
from vanban.evidence import services as evidence
from vanban.evidence.hubkey import hub_key
from vanban.exchange import identity
from vanban.exchange.models import Peer
from vanban.exchange.models import Transport as PeerTransport
from vanban.exchange.services.federation_trust import authenticate

logger = logging.getLogger(__name__)
WITNESS_PATH = "/exchange/federation/witness/"
LOGS = ("audit", "evidence")
# (peer, body, headers) -> (status, JSON answer): httpx in production, the test client in tests.
Transport = Callable[[Peer, bytes, dict[str, str]], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Claim:
    """A pushed checkpoint reduced to what the witness compares: the signed bytes, size, head,
    root and the signer's key."""

    log: str
    size: int
    head: str
    root: str
    signed: bytes
    key_pem: str
    document: dict[str, Any]


def _refused(vi: str, en: str, **extra: Any) -> Conflict:
    return Conflict(f"Từ chối ký xác nhận: {vi}", f"Witness refused: {en}",
                    code="witness_refused", **extra)


def _claim(log: str, document: Mapping[str, Any], key_pem: str) -> Claim:
    """Check the checkpoint's own signature and reduce it to a :class:`Claim`."""
    if log == "audit":
        try:
            point = parse(dict(document))
            key = load_public_key(point.public_key.encode())
        except (CheckpointError, TypeError, ValueError) as err:
            raise ValidationFailed("Điểm kiểm tra sai định dạng.",
                                   "The checkpoint is malformed.") from err
        if audit_key_id(key) != point.key_id or not audit_checkpoints.signature_ok(point, {}):
            raise _refused("chữ ký điểm kiểm tra không hợp lệ.",
                           "the checkpoint signature is invalid.")
        return Claim(log, point.size, point.head, point.root, point.body(), point.public_key,
                     point.as_dict())
    if log == "evidence":
        report = verifier.verify_consistency(document, document, [], certificate_pem=key_pem)
        if not report.ok:
            raise _refused("đầu cây không hợp lệ.", "the tree head is invalid.")
        size, root = int(document["size"]), str(document["root_hash"])
        signed = verifier.tree_head_message(timestamp_ms=int(document["timestamp_ms"]),
                                            size=size, root_hash=bytes.fromhex(root))
        return Claim(log, size, root, root, signed, key_pem, dict(document))
    raise ValidationFailed("Loại nhật ký không rõ.", "Unknown log.")


def _pinned_key(pem: str) -> str:
    """A key's identity for pinning: the SHA-256 of its public key (certificate or bare key)."""
    public = identity.load_public_key(pem)
    return audit_key_id(public)


def _extends(held: Any, claim: Claim, from_size: int, proof: list[str]) -> None:
    """Refuse anything that is not the held checkpoint itself or a proven extension of it."""
    if held is None:
        return
    if _pinned_key(held.key_pem) != _pinned_key(claim.key_pem):
        raise _refused("khoá ký khác khoá đã ghi nhận.", "signed by another key than the one "
                       "pinned.")
    if claim.size < held.size:
        raise _refused(f"kích thước giảm ({held.size} → {claim.size}).",
                       f"the size went down ({held.size} → {claim.size}).", held_size=held.size)
    if claim.size == held.size:
        if (claim.head, claim.root) != (held.head, held.root):
            raise _refused(f"hai điểm kiểm tra khác nhau cùng kích thước {held.size}.",
                           f"two different checkpoints of size {held.size}.",
                           held_size=held.size)
        return
    if from_size != held.size:
        raise _refused(f"chứng minh phải bắt đầu từ {held.size}.",
                       f"the proof must start at {held.size}.", held_size=held.size)
    try:
        path = [bytes.fromhex(p) for p in proof]
    except ValueError as err:
        raise ValidationFailed("Chứng minh sai định dạng.", "Malformed proof.") from err
    if not merkle.verify_consistency(old_size=held.size, new_size=claim.size,
                                     old_root=bytes.fromhex(held.root),
                                     new_root=bytes.fromhex(claim.root), proof=path):
        raise _refused("điểm kiểm tra mới không mở rộng điểm đã giữ.",
                       "the new checkpoint does not extend the one held.", held_size=held.size)


def witness_receive(*, installation: str, signature: str, body: bytes) -> dict[str, Any]:
    """Handle a push from a peer (see the module docstring); returns the cosignature."""
    peer = authenticate(installation=installation, signature=signature, body=body)
    try:
        request = json.loads(body)
        log, document = str(request["log"]), dict(request["checkpoint"])
        from_size, proof = int(request.get("from_size", 0)), list(request.get("proof", []))
        key_pem = str(request.get("key_pem", ""))
    except (ValueError, KeyError, TypeError) as err:
        raise ValidationFailed("Yêu cầu sai định dạng.", "Malformed request.") from err
    try:
        claim = _claim(log, document, key_pem)
        if log == "audit" and document.get("origin") != peer.installation_id:
            raise _refused("điểm kiểm tra của hệ thống khác.", "the checkpoint names another "
                           "installation.")
        with transaction.atomic():
            held = audit_checkpoints.witnessed_latest(origin=peer.installation_id, log=log)
            _extends(held, claim, from_size, proof)
            if held is not None and held.size == claim.size:
                return _answer(log, claim.size, held.cosigned_at, held.cosignature)
            return _cosign(peer, claim)
    except (Conflict, ValidationFailed) as err:
        audit_append(actor=None, action="witness.refused", object_type="peer",
                     object_id=peer.installation_id, data={"log": log, "reason": err.en})
        raise


def _cosign(peer: Peer, claim: Claim) -> dict[str, Any]:
    from vanban.audit.chain import iso_utc
    from vanban.core import clock

    at = iso_utc(clock.now())
    signed = cosignature_body(witness=identity.installation_id(), log=claim.log,
                              checkpoint_body=claim.signed, time=at)
    cosignature = identity.sign(signed)
    audit_checkpoints.witnessed_store(
        origin=peer.installation_id, log=claim.log, size=claim.size, head=claim.head,
        root=claim.root, key_pem=claim.key_pem, checkpoint=json.dumps(claim.document),
        cosigned_at=at, cosignature=cosignature)
    audit_append(actor=None, action="witness.cosigned", object_type="peer",
                 object_id=peer.installation_id, data={"log": claim.log, "size": claim.size,
                                                       "head": claim.head})
    return _answer(claim.log, claim.size, at, cosignature)


def _answer(log: str, size: int, at: str, cosignature: str) -> dict[str, Any]:
    return {"witness": identity.installation_id(), "log": log, "size": size,
            "cosigned_at": at, "signature": cosignature}


# --- the origin side ---------------------------------------------------------------------------

def _audit_push(from_size: int) -> tuple[Claim, list[str]]:
    point, _ = audit_checkpoints.checkpoint_make()
    hashes = merkle.MerkleTree(leaf_hash(h) for h in audit_checkpoints.chain_hashes(point.size))
    proof = hashes.consistency_proof(from_size, point.size) if 0 < from_size < point.size else []
    return (Claim("audit", point.size, point.head, point.root, point.body(), point.public_key,
                  point.as_dict()), [p.hex() for p in proof])


def _evidence_push(from_size: int) -> tuple[Claim, list[str]]:
    try:
        head = evidence.tree_head_sign()
        signer_pem = hub_key().certificate_pem
    except ValidationFailed:  # a rotated key with nothing new to sign: no head is re-signed,
        head, signer = evidence.signed_head_for(-1)  # the old key's last head stands
        signer_pem = signer.certificate_pem
    proof: list[bytes] = []
    if 0 < from_size < head.size:
        with tree.synced(head.size) as merkle_tree:
            proof = merkle_tree.consistency_proof(from_size, head.size)
    document = evidence.head_as_dict(head)
    signed = verifier.tree_head_message(timestamp_ms=head.timestamp_ms, size=head.size,
                                        root_hash=bytes.fromhex(head.root_hash))
    return (Claim("evidence", head.size, head.root_hash, head.root_hash, signed,
                  signer_pem, document), [p.hex() for p in proof])


def _http(peer: Peer, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    import httpx

    response = httpx.post(peer.base_url.rstrip("/") + WITNESS_PATH, content=body,
                          headers=headers, timeout=10.0)
    try:
        return response.status_code, dict(response.json())
    except ValueError:
        return response.status_code, {}


def _send(peer: Peer, claim: Claim, from_size: int, proof: list[str],
          post: Transport) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"log": claim.log, "checkpoint": claim.document, "key_pem": claim.key_pem,
                       "from_size": from_size, "proof": proof}).encode()
    headers = {**identity.installation_headers(body), "Content-Type": "application/json"}
    return post(peer, body, headers)


def witness_push(peer: Peer, log: str, *, post: Transport = _http) -> bool:
    """Push our latest checkpoint of ``log`` to ``peer``; keep its cosignature. True when kept."""
    make = _audit_push if log == "audit" else _evidence_push
    from_size = audit_checkpoints.cosigned_size(log=log, witness=peer.installation_id)
    claim, proof = make(from_size)
    status, answer = _send(peer, claim, from_size, proof, post)
    if status == 409 and isinstance(answer.get("held_size"), int) and \
            answer["held_size"] != from_size:  # the witness holds another size: prove from it
        claim, proof = make(int(answer["held_size"]))
        status, answer = _send(peer, claim, int(answer["held_size"]), proof, post)
    if status != 200:
        logger.warning("witness %s refused our %s checkpoint: %s %s", peer.installation_id, log,
                       status, answer.get("detail_en", ""))
        return False
    signed = cosignature_body(witness=peer.installation_id, log=log,
                              checkpoint_body=claim.signed, time=str(answer.get("cosigned_at")))
    if answer.get("size") != claim.size or not identity.verify(
            peer.public_key_pem, signed, str(answer.get("signature", ""))):
        logger.warning("witness %s answered with an invalid cosignature", peer.installation_id)
        return False
    audit_checkpoints.cosignature_store(
        log=log, witness=peer.installation_id, size=claim.size, head=claim.head,
        checkpoint=json.dumps(claim.document), cosigned_at=str(answer["cosigned_at"]),
        signature=str(answer["signature"]))
    return True


def witness_push_all(*, post: Transport = _http) -> dict[str, bool]:
    """Push both logs to every active vanban peer (the scheduled tick); one peer down stops
    nothing. Only federation peers witness: the national axis has no witness endpoint."""
    results: dict[str, bool] = {}
    for peer in Peer.objects.filter(active=True, transport=PeerTransport.FEDERATION):
        for log in LOGS:
            try:
                results[f"{peer.installation_id}/{log}"] = witness_push(peer, log, post=post)
            except Exception:
                logger.warning("pushing the %s checkpoint to %s failed", log,
                               peer.installation_id, exc_info=True)
                results[f"{peer.installation_id}/{log}"] = False
    return results


__all__ = ["Checkpoint", "witness_push", "witness_push_all", "witness_receive"]
