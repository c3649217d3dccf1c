"""Stand-alone verifier of vanban evidence bundles and consistency proofs (R7.2, R14.3).

A third party checks what the hub hands out with this one file, Python 3.11 and the
``cryptography`` package: no database, no network, no Django, nothing else from vanban::

    python -m vanban.evidence.verifier BUNDLE.json [--hub-fingerprint SHA256] [--json]
    python verifier.py BUNDLE.json            # the file copied alone works the same

Exit status 0 when valid, 1 when not (every reason in Vietnamese and English), 2 on bad usage.

What is checked: the hub certificate (Ed25519, self-signed, optionally pinned by the SHA-256 of
its DER), the tree head's signature with that key, and for each record its canonical bytes, its
leaf hash, its position and its RFC 9162 inclusion proof against the signed root, and that every
record concerns the bundle's delivery. Consistency documents: both heads' signatures and the
RFC 9162 §2.1.4.2 proof that the older tree is a prefix of the newer one.

The Merkle verification below repeats ``vanban.evidence.merkle`` on purpose, so this file stands
alone; the test suite checks both against each other.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and not __package__:  # pragma: no branch - run as a file
    # Python put this file's folder first on the path; beside it in the source tree sit
    # modules named like the standard library's (``selectors``), which would shadow them.
    _HERE = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != _HERE]

import argparse
import base64
import binascii
import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

BUNDLE_FORMAT = "vanban-evidence-bundle"
CONSISTENCY_FORMAT = "vanban-evidence-consistency"
VERSION = 1
TREE_HEAD_DOMAIN = b"vanban-evidence-tree-head-v1\x00"


# --- formats shared with the hub ---------------------------------------------------------------

def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the one byte form of a record."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def tree_head_message(*, timestamp_ms: int, size: int, root_hash: bytes) -> bytes:
    """The bytes a tree head signature covers, shaped like RFC 9162 TreeHeadDataV2: a domain tag,
    uint64 timestamp (ms since 1970 UTC), uint64 tree size, the root with a uint8 length and an
    empty uint16-length extension list; all big-endian."""
    return (TREE_HEAD_DOMAIN + struct.pack(">QQB", timestamp_ms, size, len(root_hash))
            + root_hash + b"\x00\x00")


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


# --- RFC 9162 §2.1 verification (same algorithms as vanban.evidence.merkle) -------------------

def leaf_hash(leaf: bytes) -> bytes:
    """SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_ok(*, index: int, size: int, hashed_leaf: bytes, proof: Sequence[bytes],
                 root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, hashed_leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency_ok(*, old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                   proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 (plus the trivial cases: equal sizes, empty old tree)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


# --- reports -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One reason a document does not verify, in both languages; ``code`` is stable."""

    code: str
    vi: str
    en: str


@dataclass
class Report:
    """The outcome of a verification."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    delivery_id: str = ""
    tree_size: int | None = None
    root_hash: str = ""
    hub_fingerprint: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Valid when nothing was found wrong."""
        return not self.problems

    def fail(self, code: str, vi: str, en: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(code, vi, en))

    def message(self, language: str = "vi") -> str:
        """A one-paragraph summary in ``language`` ('vi' or 'en')."""
        en = language.startswith("en")
        if self.ok and self.kind == BUNDLE_FORMAT:
            return (f"Valid evidence: {len(self.records)} record(s) of delivery "
                    f"{self.delivery_id}, included in the signed tree of {self.tree_size} leaves."
                    if en else
                    f"Bằng chứng hợp lệ: {len(self.records)} bản ghi của lần gửi "
                    f"{self.delivery_id}, nằm trong cây đã ký gồm {self.tree_size} lá.")
        if self.ok:
            return ("Valid consistency proof: the log was only appended to." if en else
                    "Bằng chứng nhất quán hợp lệ: nhật ký chỉ được ghi thêm.")
        head = "Invalid:" if en else "Không hợp lệ:"
        return " ".join([head, *((p.en if en else p.vi) for p in self.problems)])

    def as_dict(self) -> dict[str, Any]:
        """Machine-readable form (``--json``)."""
        return {"ok": self.ok, "kind": self.kind, "delivery_id": self.delivery_id,
                "tree_size": self.tree_size, "root_hash": self.root_hash,
                "hub_fingerprint": self.hub_fingerprint, "records": self.records,
                "problems": [{"code": p.code, "vi": p.vi, "en": p.en} for p in self.problems]}


class _Malformed(Exception):
    """A required field is missing or has the wrong type."""


def _get(obj: Any, key: str, kind: type) -> Any:
    if type(obj) is not dict or key not in obj:  # parsed JSON: plain dicts
        raise _Malformed(key)
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and type(value) is bool):
        raise _Malformed(key)
    return value


def _hex(value: Any, name: str) -> bytes:
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise _Malformed(name)
    return raw


# --- certificate and tree heads ----------------------------------------------------------------

def _certificate(report: Report, pem: Any, pinned: str | None) -> x509.Certificate | None:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else b"")
    except ValueError:
        report.fail("certificate", "Chứng thư số của hub không đọc được.",
                    "The hub certificate cannot be read.")
        return None
    report.hub_fingerprint = fingerprint(cert)
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        report.fail("certificate", "Khoá của chứng thư hub không phải Ed25519.",
                    "The hub certificate's key is not Ed25519.")
        return None
    try:
        key.verify(cert.signature, cert.tbs_certificate_bytes)
    except InvalidSignature:
        report.fail("certificate", "Chứng thư hub không tự ký hợp lệ.",
                    "The hub certificate's self-signature is invalid.")
        return None
    if pinned is not None and pinned.replace(":", "").lower() != report.hub_fingerprint:
        report.fail("fingerprint",
                    "Chứng thư hub không phải chứng thư tin cậy (vân tay SHA-256 khác).",
                    "The hub certificate is not the trusted one (SHA-256 fingerprint differs).")
        return None
    return cert


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 (hex) of the certificate's DER."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _head(report: Report, head: Any, cert: x509.Certificate | None, label: str) -> bytes | None:
    """Check one signed tree head; its root, or None when it cannot be trusted."""
    size = _get(head, "size", int)
    root = _hex(_get(head, "root_hash", str), "root_hash")
    timestamp_ms = _get(head, "timestamp_ms", int)
    signature = _get(head, "signature", str)
    if cert is None:
        return None
    key = cert.public_key()
    assert isinstance(key, Ed25519PublicKey)  # noqa: S101 - checked by _certificate
    try:
        key.verify(base64.b64decode(signature, validate=True),
                   tree_head_message(timestamp_ms=timestamp_ms, size=size, root_hash=root))
    except (InvalidSignature, binascii.Error, ValueError):
        report.fail("head_signature",
                    f"Chữ ký của đầu cây {label} (kích thước {size}) không hợp lệ với khoá hub.",
                    f"The signature of tree head {label} (size {size}) is invalid for the hub "
                    f"key.")
        return None
    signed_at = datetime.fromtimestamp(timestamp_ms / 1000, UTC)
    if not cert.not_valid_before_utc <= signed_at <= cert.not_valid_after_utc:
        report.fail("certificate", f"Đầu cây {label} được ký ngoài thời hạn của chứng thư hub.",
                    f"Tree head {label} was signed outside the hub certificate's validity.")
    return root


# --- bundles -----------------------------------------------------------------------------------

def _record(report: Report, entry: Any, *, delivery_id: str, size: int, root: bytes | None,
            seen: set[int]) -> None:
    index = _get(entry, "leaf_index", int)
    raw = _get(entry, "canonical", str)
    proof = [_hex(p, "inclusion_proof") for p in _get(entry, "inclusion_proof", list)]
    where = (f"Bản ghi #{index}", f"Record #{index}")
    if index in seen:
        report.fail("index", f"{where[0]} xuất hiện hai lần.", f"{where[1]} appears twice.")
    seen.add(index)
    try:
        data = base64.b64decode(raw, validate=True)
        fields = json.loads(data.decode())
    except (binascii.Error, ValueError):
        report.fail("canonical", f"{where[0]}: nội dung không đọc được.",
                    f"{where[1]}: its content cannot be read.")
        return
    if not isinstance(fields, dict) or canonical_json(fields) != data:
        report.fail("canonical", f"{where[0]}: nội dung không ở dạng chuẩn.",
                    f"{where[1]}: its content is not in canonical form.")
        return
    report.records.append(fields)
    hashed = leaf_hash(data)
    if "leaf_hash" in entry and entry["leaf_hash"] != hashed.hex():
        report.fail("leaf_hash", f"{where[0]}: mã băm lá không khớp nội dung.",
                    f"{where[1]}: the leaf hash does not match its content.")
    if fields.get("index") != index:
        report.fail("index", f"{where[0]}: số thứ tự trong nội dung khác vị trí lá.",
                    f"{where[1]}: the index inside the record differs from its leaf position.")
    if fields.get("delivery_id") != delivery_id:
        report.fail("delivery", f"{where[0]} không thuộc lần gửi {delivery_id}.",
                    f"{where[1]} does not concern delivery {delivery_id}.")
    if "record" in entry and entry["record"] != fields:
        report.fail("record_fields", f"{where[0]}: các trường hiển thị khác nội dung đã ký.",
                    f"{where[1]}: the displayed fields differ from the signed content.")
    if root is not None and not inclusion_ok(index=index, size=size, hashed_leaf=hashed,
                                             proof=proof, root=root):
        report.fail("inclusion", f"{where[0]}: chứng minh thuộc cây không hợp lệ.",
                    f"{where[1]}: the inclusion proof does not verify against the signed root.")


def verify_bundle(bundle: Any, *, hub_fingerprint: str | None = None) -> Report:
    """Check an evidence bundle (parsed JSON) completely; never raises on bad input."""
    report = Report(kind=BUNDLE_FORMAT)
    try:
        if _get(bundle, "format", str) != BUNDLE_FORMAT or _get(bundle, "version", int) != VERSION:
            raise _Malformed("format")
        report.delivery_id = _get(bundle, "delivery_id", str)
        head = _get(bundle, "tree_head", dict)
        report.tree_size = size = _get(head, "size", int)
        report.root_hash = _get(head, "root_hash", str)
        cert = _certificate(report, _get(bundle, "hub_certificate", str), hub_fingerprint)
        root = _head(report, head, cert, "")
        entries = _get(bundle, "records", list)
        if not entries:
            report.fail("no_records", "Gói bằng chứng không có bản ghi nào.",
                        "The bundle holds no record.")
        seen: set[int] = set()
        for entry in entries:
            _record(report, entry, delivery_id=report.delivery_id, size=size, root=root,
                    seen=seen)
    except _Malformed as err:
        report.fail("malformed", f"Tài liệu sai định dạng (trường '{err}').",
                    f"The document is malformed (field '{err}').")
    return report


def verify_consistency(old_head: Any, new_head: Any, proof: Sequence[str], *,
                       certificate_pem: str | None = None,
                       hub_fingerprint: str | None = None) -> Report:
    """Check that ``old_head``'s tree is a prefix of ``new_head``'s (RFC 9162 §2.1.4.2).

    With ``certificate_pem`` both heads' signatures are checked too (what makes the proof
    evidence); without it only the hashes are.
    """
    report = Report(kind=CONSISTENCY_FORMAT)
    try:
        old_size, new_size = _get(old_head, "size", int), _get(new_head, "size", int)
        old_root = _hex(_get(old_head, "root_hash", str), "root_hash")
        new_root = _hex(_get(new_head, "root_hash", str), "root_hash")
        report.tree_size, report.root_hash = new_size, new_root.hex()
        path = [_hex(p, "proof") for p in proof]
        if certificate_pem is not None:
            cert = _certificate(report, certificate_pem, hub_fingerprint)
            _head(report, old_head, cert, "cũ/old")
            _head(report, new_head, cert, "mới/new")
        if not consistency_ok(old_size=old_size, new_size=new_size, old_root=old_root,
                              new_root=new_root, proof=path):
            report.fail("consistency",
                        f"Cây {old_size} lá không phải phần đầu của cây {new_size} lá: "
                        "nhật ký đã bị sửa hoặc chứng minh sai.",
                        f"The tree of {old_size} leaves is not a prefix of the tree of "
                        f"{new_size} leaves: the log was altered or the proof is wrong.")
    except _Malformed as err:
        report.fail("malformed", f"Tài liệu sai định dạng (trường '{err}').",
                    f"The document is malformed (field '{err}').")
    return report


def verify_document(data: bytes, *, hub_fingerprint: str | None = None) -> Report:
    """Verify a bundle or a consistency document given as JSON bytes (format auto-detected)."""
    try:
        doc = json.loads(data.decode())
    except ValueError:
        report = Report(kind="unknown")
        report.fail("malformed", "Tệp không phải JSON hợp lệ.", "The file is not valid JSON.")
        return report
    if isinstance(doc, dict) and doc.get("format") == CONSISTENCY_FORMAT:
        try:
            proof = _get(doc, "proof", list)
        except _Malformed:
            proof = ["?"]
        return verify_consistency(doc.get("old_head"), doc.get("new_head"), proof,
                                  certificate_pem=str(doc.get("hub_certificate", "")),
                                  hub_fingerprint=hub_fingerprint)
    return verify_bundle(doc, hub_fingerprint=hub_fingerprint)


def render(report: Report) -> str:
    """Text for people: the outcome, each reason, and the records, in Vietnamese and English."""
    lines = [report.message("vi"), report.message("en")]
    lines += [f"  - {p.vi} / {p.en}" for p in report.problems]
    if report.hub_fingerprint:
        lines.append(f"Hub (SHA-256): {report.hub_fingerprint}")
    if report.tree_size is not None:
        lines.append(f"Cây / tree: {report.tree_size} · gốc / root {report.root_hash}")
    lines += [f"  #{r.get('index')} {r.get('at')} {r.get('event')} "
              f"{r.get('sender')} → {r.get('recipient')}" for r in report.records]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: 0 valid, 1 invalid, 2 usage (argparse exits with 2 itself)."""
    parser = argparse.ArgumentParser(
        prog="python -m vanban.evidence.verifier",
        description="Kiểm tra gói bằng chứng vanban / verify a vanban evidence bundle")
    parser.add_argument("document", type=Path, help="bundle or consistency JSON")
    parser.add_argument("--hub-fingerprint", default=None,
                        help="SHA-256 of the trusted hub certificate (DER)")
    parser.add_argument("--json", action="store_true", help="JSON output")
    args = parser.parse_args(argv)
    try:
        data = args.document.read_bytes()
    except OSError as err:
        print(f"Không đọc được tệp / cannot read the file: {err}", file=sys.stderr)  # noqa: T201
        return 2
    report = verify_document(data, hub_fingerprint=args.hub_fingerprint)
    text = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json
            else render(report))
    print(text, file=sys.stdout if report.ok or args.json else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
