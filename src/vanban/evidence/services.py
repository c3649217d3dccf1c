"""Writing to the evidence log (R7.1, R7.2, R14.3) and handing out what proves it.

:func:`evidence_append` joins the caller's transaction (the hub records the event, the delivery
change and the audit event together) and takes the head row's lock to number the record, the
same way :func:`vanban.audit.services.audit_append` numbers audit events: the leaf index is
gapless. :func:`tree_head_sign` signs the root of the tree of all committed records with the hub
key; :func:`bundle_for` gives a delivery's records with an inclusion proof each against a signed
head, which :mod:`vanban.evidence.verifier` checks with no database.

The hub itself records in the audit log the sends and status changes that cause these records;
the evidence log is the part a third party can check.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import NotFound, ValidationFailed, forbidden, not_found
from vanban.core.roles import Actor, Role
from vanban.evidence import tree, verifier
from vanban.evidence.hubkey import KnownCertificate, certificates_by_key, hub_key, hub_key_rotate
from vanban.evidence.models import EvidenceRecord, TreeHead

RECORD_VERSION = 1
VOUCH_ACTION = "evidence.tree_head"
# The events the hub writes (R7.1); others of the same shape are accepted for later statuses.
EVENTS = ("submitted", "sent", "received", "accepted", "rejected", "status", "recall_requested",
          "recall_accepted", "recall_refused", "revoked", "updated", "replaced", "failed")
_EVENT = re.compile(r"[a-z][a-z0-9_.]{0,39}")
_SHA256 = re.compile(r"([0-9a-f]{64})?")
_CLAIM = "UPDATE evidence_evidencehead SET size = size + 1 WHERE id = 1 RETURNING size"
_COLUMNS = ("index", "event", "at", "logged_at", "sender", "recipient", "transmission_id",
            "delivery_id", "document_sha256", "reason", "extra", "canonical", "leaf_hash")
_QUOTED = ", ".join(f'"{c}"' for c in _COLUMNS)  # "index" is a keyword
_INSERT = (
    f"INSERT INTO evidence_evidencerecord ({_QUOTED}) "  # noqa: S608 - fixed column list
    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING id"
)
_HOLD = "UPDATE evidence_evidencehead SET size = size WHERE id = 1 RETURNING size"


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _invalid(field: str, vi: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"Bản ghi bằng chứng: {vi}", f"Evidence record: {en}", field=field)


def _check(*, event: str, at: datetime, sender: str, recipient: str, transmission_id: str,
           delivery_id: str, document_sha256: str, extra: Mapping[str, Any] | None) -> None:
    if not _EVENT.fullmatch(event):
        raise _invalid("event", "loại sự kiện không hợp lệ.", "invalid event type.")
    if at.tzinfo is None:
        raise _invalid("at", "thời điểm phải có múi giờ.", "the time must be timezone-aware.")
    for name, value in (("sender", sender), ("recipient", recipient),
                        ("transmission_id", transmission_id), ("delivery_id", delivery_id)):
        if not value or len(value) > (35 if name in ("sender", "recipient") else 80):
            raise _invalid(name, f"thiếu hoặc quá dài ({name}).", f"missing or too long ({name}).")
    if not _SHA256.fullmatch(document_sha256):
        raise _invalid("document_sha256", "mã băm văn bản phải là SHA-256 dạng hex thường.",
                       "the document digest must be lowercase hex SHA-256.")
    try:
        json.dumps(dict(extra or {}), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise _invalid("extra", "dữ liệu kèm theo không phải JSON.",
                       "the extra data is not JSON.") from err


def evidence_append(
    *,
    event: str,
    at: datetime,
    sender: str,
    recipient: str,
    transmission_id: str,
    delivery_id: str,
    document_sha256: str,
    reason: str = "",
    extra: Mapping[str, Any] | None = None,
) -> EvidenceRecord:
    """Append one record; its canonical JSON is the next leaf of the tree (R7.1, R14.3).

    ``at`` is when the event happened (time sent, received, acknowledged...); the log also keeps
    when it wrote the record (``logged_at``). Joins the caller's transaction.
    """
    _check(event=event, at=at, sender=sender, recipient=recipient,
           transmission_id=transmission_id, delivery_id=delivery_id,
           document_sha256=document_sha256, extra=extra)
    # savepoint=False: a failure here must undo the caller's whole change, never half of it.
    with transaction.atomic(savepoint=False):
        connection = transaction.get_connection()
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM)
            claimed = cursor.fetchone()
            if claimed is None:  # a database emptied by hand (tests' flush): start again
                # Concurrent first appends all get here: one insert wins, the others wait for
                # it on the conflict and then claim after it.
                cursor.execute("INSERT INTO evidence_evidencehead (id, size) VALUES (1, 0) "
                               "ON CONFLICT (id) DO NOTHING")
                cursor.execute(_CLAIM)
                claimed = cursor.fetchone()
            if claimed is None:
                raise RuntimeError("the evidence head row cannot be created")
            index = int(claimed[0]) - 1
            logged_at = clock.now()
            fields: dict[str, Any] = {
                "v": RECORD_VERSION, "index": index, "event": event, "at": _iso(at),
                "logged_at": _iso(logged_at), "sender": sender, "recipient": recipient,
                "transmission_id": transmission_id, "delivery_id": delivery_id,
                "document_sha256": document_sha256, "reason": reason, "extra": dict(extra or {}),
            }
            canonical = verifier.canonical_json(fields)
            record = EvidenceRecord(
                index=index, event=event, at=at, logged_at=logged_at, sender=sender,
                recipient=recipient, transmission_id=transmission_id, delivery_id=delivery_id,
                document_sha256=document_sha256, reason=reason, extra=fields["extra"],
                canonical=canonical, leaf_hash=verifier.leaf_hash(canonical).hex())
            # Plain SQL: the hub appends a record per recipient and event, so ORM overhead
            # would dominate a fan-out to a thousand agencies.
            adapt = connection.ops.adapt_datetimefield_value
            row = {**{c: getattr(record, c) for c in _COLUMNS}, "at": adapt(at),
                   "logged_at": adapt(logged_at), "extra": json.dumps(fields["extra"])}
            cursor.execute(_INSERT, [row[c] for c in _COLUMNS])
            inserted = cursor.fetchone()
        _head_due(index)
        record.pk = inserted[0] if inserted else None
        record._state.adding = False
        record._state.db = connection.alias
        return record


def head_as_dict(head: TreeHead) -> dict[str, Any]:
    """A signed tree head as bundles and consistency documents carry it."""
    return {"size": head.size, "root_hash": head.root_hash, "timestamp_ms": head.timestamp_ms,
            "timestamp": _iso(head.at), "signature": head.signature, "key_id": head.key_id}


def tree_head_sign() -> TreeHead:
    """Sign the tree of every committed record now (periodically and on export).

    Holds the head row's lock so no append slips in between counting and signing; when the
    latest head already covers every record and was signed by the current key, returns it.
    """
    hub = hub_key()
    current_key = verifier.key_id(hub.private_key.public_key())
    with transaction.atomic():
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(_HOLD)
            held = cursor.fetchone()
        size = int(held[0]) if held else 0
        latest = TreeHead.objects.order_by("-size").first()
        if latest is not None and latest.size == size and latest.key_id == current_key:
            return latest
        with tree.synced(size) as merkle:
            root = merkle.root(size)
        at = clock.now()
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # signed with ms precision
        timestamp_ms = int(at.timestamp() * 1000)
        signature = hub.sign(verifier.tree_head_message(timestamp_ms=timestamp_ms, size=size,
                                                        root_hash=root))
        if TreeHead.objects.filter(size=size).exists():
            raise _resigned(size)
        head = TreeHead.objects.create(size=size, root_hash=root.hex(), at=at,
                                       timestamp_ms=timestamp_ms, signature=signature,
                                       key_id=current_key)
        # The audit chain (sealed, witnessed) vouches for every signed head: deleting head rows
        # to re-sign an edited log is then visible (tree.synced, ``verify-log``; docs/adr/0010).
        audit_append(actor=None, action=VOUCH_ACTION, object_type="evidence",
                     object_id=size, data={"size": size, "root": root.hex(),
                                           "timestamp_ms": timestamp_ms, "key_id": current_key})
        return head


def tree_head_tick() -> TreeHead | None:
    """A scheduled moment (audit tick hook, count rule): sign a head when records were appended
    since the latest one."""
    latest = TreeHead.objects.order_by("-size").values_list("size", flat=True).first()
    if not EvidenceRecord.objects.filter(index__gte=latest or 0).exists():
        return None
    return tree_head_sign()


def _head_due(index: int) -> None:
    """Count rule: the ``VANBAN_EVIDENCE_HEAD_EVERY``-th record gets a head after its commit."""
    every = int(getattr(settings, "VANBAN_EVIDENCE_HEAD_EVERY", 0))
    if every > 0 and (index + 1) % every == 0:
        transaction.on_commit(_tick_quietly)


def _tick_quietly() -> None:
    try:
        tree_head_tick()
    except Exception:
        logging.getLogger(__name__).exception("scheduled tree head failed")


def _resigned(size: int) -> ValidationFailed:
    """A head of this size exists under an older key: heads are append-only, say so clearly."""
    return ValidationFailed(
        f"Đầu cây kích thước {size} đã được ký bằng khoá khác; hãy ghi thêm bản ghi trước.",
        f"A tree head of size {size} was signed with another key; append a record first.")


def _entry(record: EvidenceRecord, proof: list[bytes]) -> dict[str, Any]:
    canonical = bytes(record.canonical)
    return {"leaf_index": record.index, "leaf_hash": record.leaf_hash,
            "canonical": base64.b64encode(canonical).decode(),
            "record": json.loads(canonical.decode()),
            "inclusion_proof": [p.hex() for p in proof]}


def signed_head_for(last_index: int) -> tuple[TreeHead, KnownCertificate]:
    """The latest signed head if it covers leaf ``last_index`` under the current key, else one
    signed now; with the certificate of the key that signed it. Overlap after a rotation: while
    the new key has nothing new to sign (a head of that size exists under the old key), the old
    key's head is used with its kept certificate."""
    current = verifier.key_id(hub_key().private_key.public_key())
    head = TreeHead.objects.order_by("-size").first()
    if head is None or head.size <= last_index or head.key_id != current:
        try:
            head = tree_head_sign()
        except ValidationFailed:
            if head is None or head.size <= last_index:
                raise
    known = certificates_by_key()
    if head.key_id not in known:
        raise _resigned(head.size)
    return head, known[head.key_id]


def hub_rotate(*, actor: Actor | None) -> tuple[str, str]:
    """Rotate the hub key (R7.2): a last head signed by the old key, the old key retired with
    its certificate (kept to verify its heads), a new key (self-signed until ``vanban cert
    certify-hub``). Console, province admin, IT officer; audited. Returns (old, new) key ids."""
    if not may_operate(actor):
        raise forbidden()
    tree_head_sign()
    old, new = hub_key_rotate()
    ids = (verifier.key_id(old.private_key.public_key()),
           verifier.key_id(new.private_key.public_key()))
    audit_append(actor=actor, action="evidence.hub_key_rotated", object_type="evidence",
                 object_id=ids[1][:64], data={"old": ids[0], "new": ids[1],
                                              "old_certificate": old.fingerprint,
                                              "new_certificate": new.fingerprint})
    return ids


def bundle_for(delivery_id: str) -> bytes:
    """The evidence bundle of one delivery (R7.2): its records, each with an inclusion proof
    against the latest signed tree head (signed now if it does not cover them), the head and the
    hub certificate, as JSON bytes."""
    records = list(EvidenceRecord.objects.filter(delivery_id=delivery_id).order_by("index"))
    if not records:
        raise not_found("bằng chứng của lần gửi này", "Evidence of this delivery")
    head, hub = signed_head_for(records[-1].index)
    with tree.synced(head.size) as merkle:
        entries = [_entry(r, merkle.inclusion_proof(r.index, head.size)) for r in records]
    bundle = {
        "format": verifier.BUNDLE_FORMAT, "version": verifier.VERSION,
        "delivery_id": delivery_id, "hash_algorithm": "sha256",
        "signature_algorithm": "ed25519", "tree_head": head_as_dict(head),
        "hub_certificate": hub.certificate_pem, "hub_chain": hub.chain_pem,
        "records": entries,
    }
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode()


def bundle_export(*, actor: Actor | None, actor_agency_code: str | None,
                  delivery_id: str) -> bytes:
    """:func:`bundle_for` for a person: only the sender's or a recipient's agency (R1.1: anyone
    else gets the same 404 as for a delivery that does not exist). ``actor`` None: console."""
    if actor is not None:
        parties = EvidenceRecord.objects.filter(delivery_id=delivery_id)
        if not actor_agency_code or not (parties.filter(sender=actor_agency_code).exists()
                                         or parties.filter(recipient=actor_agency_code).exists()):
            raise not_found("bằng chứng của lần gửi này", "Evidence of this delivery")
    return bundle_for(delivery_id)


def consistency_document(*, old_size: int, new_size: int | None = None) -> dict[str, Any]:
    """A consistency proof between two signed heads (``new_size`` None: the latest, signed now
    if needed), with the heads and the hub certificate, for the verifier (R14.3)."""
    new = tree_head_sign() if new_size is None else TreeHead.objects.filter(size=new_size).first()
    old = TreeHead.objects.filter(size=old_size).first()
    if old is None or new is None:
        sizes = ", ".join(str(s) for s in TreeHead.objects.values_list("size", flat=True)[:50])
        raise NotFound(f"Không có đầu cây đã ký với kích thước này. Các kích thước có: {sizes}.",
                       f"No signed tree head of that size. Sizes available: {sizes}.")
    if old.size > new.size:
        raise ValidationFailed("Cây cũ phải nhỏ hơn hoặc bằng cây mới.",
                               "The old tree must not be larger than the new one.")
    with tree.synced(new.size) as merkle:
        proof = merkle.consistency_proof(old.size, new.size)
    known = certificates_by_key()
    signed_new, signed_old = known.get(new.key_id), known.get(old.key_id)
    if signed_new is None or signed_old is None:
        raise _resigned(new.size if signed_new is None else old.size)
    document = {"format": verifier.CONSISTENCY_FORMAT, "version": verifier.VERSION,
                "old_head": head_as_dict(old), "new_head": head_as_dict(new),
                "proof": [p.hex() for p in proof], "hub_certificate": signed_new.certificate_pem,
                "hub_chain": signed_new.chain_pem}
    if old.key_id != new.key_id:  # across a rotation: the old head's own certificate
        document |= {"old_hub_certificate": signed_old.certificate_pem,
                     "old_hub_chain": signed_old.chain_pem}
    return document


def consistency_check(*, old_head: Mapping[str, Any]) -> verifier.Report:
    """Prove that a head someone kept (from an earlier bundle) is a prefix of the latest one:
    signs the latest head, builds the proof and checks it with the stand-alone verifier."""
    size = old_head.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValidationFailed("Đầu cây cũ không hợp lệ (thiếu kích thước).",
                               "The old tree head is invalid (no size).")
    new = tree_head_sign()
    if size > new.size:
        raise ValidationFailed(f"Nhật ký chưa có {size} bản ghi (hiện có {new.size}).",
                               f"The log does not have {size} records yet (it has {new.size}).")
    with tree.synced(new.size) as merkle:
        proof = [p.hex() for p in merkle.consistency_proof(size, new.size)]
    known = certificates_by_key()
    signed_old = known.get(str(old_head.get("key_id", "")))
    return verifier.verify_consistency(
        old_head, head_as_dict(new), proof, certificate_pem=known[new.key_id].certificate_pem,
        hub_chain=known[new.key_id].chain_pem,
        old_certificate_pem=signed_old.certificate_pem if signed_old else None,
        old_hub_chain=signed_old.chain_pem if signed_old else None)


def may_operate(actor: Actor | None) -> bool:
    """Who sees the log's status page and signs heads by hand: console, province admin, IT."""
    return actor is None or actor.has_role(Role.PROVINCE_ADMIN) or actor.has_role(Role.IT_OFFICER)


def tree_head_sign_by(*, actor: Actor | None) -> TreeHead:
    """:func:`tree_head_sign` on a person's request (province admin, IT officer)."""
    if not may_operate(actor):
        raise forbidden()
    return tree_head_sign()

