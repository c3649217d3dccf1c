"""Stand-alone verifier of vanban evidence bundles and consistency proofs (R7.2, R14.3).

A third party checks what the hub hands out with this one file, Python 3.11 and the
``cryptography`` package: no database, no network, no Django, nothing else from vanban::

    python -m vanban.evidence.verifier BUNDLE.json [--hub-fingerprint SHA256] [--json]
    python verifier.py BUNDLE.json            # the file copied alone works the same

Exit status 0 when valid, 1 when not (every reason in Vietnamese and English), 2 on bad usage.

What is checked: the hub certificate (Ed25519; self-signed, or issued by the CA chain the
document carries; pinned by the SHA-256 of its DER, or of the root CA that certified it), the
tree head's signature with that key, and for each record its canonical bytes, its leaf hash,
its position and its RFC 9162 inclusion proof against the signed root, and that every record
concerns the bundle's delivery. Consistency documents: both heads' signatures and the RFC 9162
§2.1.4.2 proof that the older tree is a prefix of the newer one. Document bundles
(``export-document``): every record about one document, the verification reports they name,
the registration/rejection pointers, and with the PDF its digest and — when pyHanko is
installed — its signature, validated again as of the recorded time with the bundle's own
certificates and revocation data (docs/evidence.md).

One file on purpose, longer than the project's other modules: a third party downloads it alone.
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
DOCUMENT_FORMAT = "vanban-evidence-document"
VERIFIED_EVENT = "verified"
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
    document_sha256: str = ""
    pdf: str = ""  # the PDF re-validation: "", "passed", "failed", "skipped: <why>"
    hub_root: str = ""  # SHA-256 of the root CA that certified the hub key, if one did
    hub_chain: list[x509.Certificate] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
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
        if self.ok and self.kind == DOCUMENT_FORMAT:
            pdf = {"passed": ("PDF signature re-validated offline.",
                              "Chữ ký PDF đã được kiểm tra lại ngoại tuyến.")}.get(
                self.pdf, ("PDF signature not re-validated.", "Chữ ký PDF chưa được kiểm tra lại."))
            return (f"Valid evidence: {len(self.records)} record(s) about document "
                    f"{self.document_sha256}, included in the signed tree of {self.tree_size} "
                    f"leaves. {pdf[0]}" if en else
                    f"Bằng chứng hợp lệ: {len(self.records)} bản ghi về văn bản "
                    f"{self.document_sha256}, nằm trong cây đã ký gồm {self.tree_size} lá. "
                    f"{pdf[1]}")
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
                "document_sha256": self.document_sha256, "pdf": self.pdf,
                "hub_root": self.hub_root,
                "trust_roots": self.roots,
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

def _issued(cert: x509.Certificate, chain: list[x509.Certificate]) -> bool:
    """Each certificate signed by the next one's key, the last one by its own (a root)."""
    links = [cert, *chain]
    try:
        for child, parent in zip(links, [*chain, chain[-1]], strict=True):
            child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _hub_chain(report: Report, cert: x509.Certificate, pems: Any,
               root_pin: str | None) -> list[x509.Certificate] | None:
    """The CA chain that certified the hub (None when it is self-signed, or on a problem)."""
    try:
        chain = [x509.load_pem_x509_certificate(p.encode()) for p in pems] \
            if isinstance(pems, list) and all(isinstance(p, str) for p in pems) else []
    except ValueError:
        chain = []
    if not chain:
        if root_pin is not None:
            report.fail("hub_root", "Chứng thư hub không do CA gốc tin cậy chứng nhận.",
                        "The hub certificate is not certified by the trusted root CA.")
        return None
    if not _issued(cert, chain):
        report.fail("certificate", "Chuỗi chứng thư kèm theo không cấp chứng thư của hub.",
                    "The certificate chain in the bundle did not issue the hub certificate.")
        return None
    report.hub_root = fingerprint(chain[-1])
    if root_pin is not None and root_pin.replace(":", "").lower() != report.hub_root:
        report.fail("hub_root", "Chứng thư hub không do CA gốc tin cậy chứng nhận "
                    "(vân tay SHA-256 của CA gốc khác).",
                    "The hub certificate is not certified by the trusted root CA (the root's "
                    "SHA-256 fingerprint differs).")
    return chain


def _certificate(report: Report, pem: Any, pinned: str | None, *, chain: Any = None,
                 root_pin: str | None = None) -> x509.Certificate | None:
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
    issuers = _hub_chain(report, cert, chain, root_pin) if chain or root_pin else None
    if issuers is None and not report.problems:
        try:
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        except InvalidSignature:
            report.fail("certificate", "Chứng thư hub không tự ký hợp lệ.",
                        "The hub certificate's self-signature is invalid.")
            return None
    if report.problems:
        return None
    if pinned is not None and pinned.replace(":", "").lower() != report.hub_fingerprint:
        report.fail("fingerprint",
                    "Chứng thư hub không phải chứng thư tin cậy (vân tay SHA-256 khác).",
                    "The hub certificate is not the trusted one (SHA-256 fingerprint differs).")
        return None
    report.hub_chain = issuers or []
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
    if not all(c.not_valid_before_utc <= signed_at <= c.not_valid_after_utc
               for c in [cert, *report.hub_chain]):
        report.fail("certificate", f"Đầu cây {label} được ký ngoài thời hạn của chứng thư hub.",
                    f"Tree head {label} was signed outside the hub certificate's validity.")
    return root


# --- bundles -----------------------------------------------------------------------------------

def _record(report: Report, entry: Any, *, delivery_id: str, size: int, root: bytes | None,
            seen: set[int], document_sha256: str | None = None) -> None:
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
    if document_sha256 is not None:
        if fields.get("document_sha256") != document_sha256:
            report.fail("document", f"{where[0]} không nói về văn bản {document_sha256}.",
                        f"{where[1]} does not concern document {document_sha256}.")
    elif fields.get("delivery_id") != delivery_id:
        report.fail("delivery", f"{where[0]} không thuộc lần gửi {delivery_id}.",
                    f"{where[1]} does not concern delivery {delivery_id}.")
    if "record" in entry and entry["record"] != fields:
        report.fail("record_fields", f"{where[0]}: các trường hiển thị khác nội dung đã ký.",
                    f"{where[1]}: the displayed fields differ from the signed content.")
    if root is not None and not inclusion_ok(index=index, size=size, hashed_leaf=hashed,
                                             proof=proof, root=root):
        report.fail("inclusion", f"{where[0]}: chứng minh thuộc cây không hợp lệ.",
                    f"{where[1]}: the inclusion proof does not verify against the signed root.")


def _signed_records(report: Report, bundle: Any, hub_fingerprint: str | None,
                    hub_root_fingerprint: str | None) -> tuple[int, bytes | None, list[Any]]:
    """The bundle's signed tree head checked against the hub certificate (pinned or by its
    chain): the tree size, the root the records must lead to, and the records (at least one)."""
    head = _get(bundle, "tree_head", dict)
    report.tree_size = size = _get(head, "size", int)
    report.root_hash = _get(head, "root_hash", str)
    cert = _certificate(report, _get(bundle, "hub_certificate", str), hub_fingerprint,
                        chain=bundle.get("hub_chain"), root_pin=hub_root_fingerprint)
    root = _head(report, head, cert, "")
    entries = _get(bundle, "records", list)
    if not entries:
        report.fail("no_records", "Gói bằng chứng không có bản ghi nào.",
                    "The bundle holds no record.")
    return size, root, entries


def verify_bundle(bundle: Any, *, hub_fingerprint: str | None = None,
                  hub_root_fingerprint: str | None = None) -> Report:
    """Check an evidence bundle (parsed JSON) completely; never raises on bad input."""
    report = Report(kind=BUNDLE_FORMAT)
    try:
        if _get(bundle, "format", str) != BUNDLE_FORMAT or _get(bundle, "version", int) != VERSION:
            raise _Malformed("format")
        report.delivery_id = _get(bundle, "delivery_id", str)
        size, root, entries = _signed_records(report, bundle, hub_fingerprint,
                                              hub_root_fingerprint)
        seen: set[int] = set()
        for entry in entries:
            _record(report, entry, delivery_id=report.delivery_id, size=size, root=root,
                    seen=seen)
    except _Malformed as err:
        report.fail("malformed", f"Tài liệu sai định dạng (trường '{err}').",
                    f"The document is malformed (field '{err}').")
    return report


# --- document bundles: transport and document trust together -----------------------------------

def _report_checks(report: Report, fields: dict[str, Any], reports: Any) -> None:
    """A ``verified`` record's verification report must be in the bundle, unchanged."""
    extra = fields.get("extra") if isinstance(fields.get("extra"), dict) else {}
    assert isinstance(extra, dict)  # noqa: S101 - narrowed above
    ident, index = str(extra.get("verification_id", "")), fields.get("index")
    found = reports.get(ident) if isinstance(reports, dict) else None
    if not isinstance(found, dict):
        report.fail("report_missing", f"Thiếu báo cáo kiểm tra của bản ghi #{index}.",
                    f"The verification report of record #{index} is missing.")
        return
    if hashlib.sha256(canonical_json(found)).hexdigest() != extra.get("report_sha256") or \
            found.get("document_sha256") != fields.get("document_sha256") or \
            found.get("verdict") != extra.get("verdict"):
        report.fail("report", f"Báo cáo kiểm tra {ident} khác với bản đã ghi trong bản ghi "
                    f"#{index}: đã bị sửa.",
                    f"Verification report {ident} differs from the one recorded in record "
                    f"#{index}: it was edited.")


def _pointers(report: Report) -> None:
    """A registration or rejection record must point to a ``verified`` record in the bundle."""
    verified = {r.get("index") for r in report.records if r.get("event") == VERIFIED_EVENT}
    for fields in report.records:
        extra = fields.get("extra") if isinstance(fields.get("extra"), dict) else {}
        assert isinstance(extra, dict)  # noqa: S101 - narrowed above
        if "verification_record" in extra and extra["verification_record"] not in verified:
            index = fields.get("index")
            report.fail("pointer", f"Bản ghi #{index} dựa vào bản ghi kiểm tra "
                        f"#{extra['verification_record']} không có trong gói.",
                        f"Record #{index} relies on verification record "
                        f"#{extra['verification_record']}, which the bundle lacks.")


def _ders(report: Report, items: Any, kind: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for item in items if isinstance(items, list) else []:
        try:
            der = base64.b64decode(_get(item, "der", str), validate=True)
        except (binascii.Error, _Malformed):
            der = b""
        if hashlib.sha256(der).hexdigest() != (item.get("sha256") if isinstance(item, dict)
                                               else None):
            report.fail("validation_data", f"Dữ liệu kiểm tra ({kind}) không khớp mã băm.",
                        f"Validation data ({kind}) does not match its digest.")
            continue
        out[hashlib.sha256(der).hexdigest()] = der
    return out


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def revalidate_pdf(pdf: bytes, extra: dict[str, Any], data: dict[str, dict[str, bytes]],
                   root_fingerprint: str | None) -> tuple[str, str]:
    """Validate the PDF's signature again, offline, as of the recorded validation time, with
    only the certificates and revocation data of the bundle (pyHanko, when installed).

    The signer is judged at its time-stamp's time when the record says the signing time was
    proven, else at the validation time; the time-stamp at the validation time; the trust
    anchor is the root of the recorded chain (pinned with ``root_fingerprint``). Returns
    ("passed" | "failed" | "skipped", why)."""
    try:
        import pyhanko.sign.validation  # noqa: F401 - only whether it is there
    except ImportError:
        return "skipped", "pyHanko is not installed"
    chain = [c for c in extra.get("chain_sha256", []) if isinstance(c, str)]
    validated_at = _moment(extra.get("validation_time"))
    if not chain or validated_at is None or chain[-1] not in data["certificates"]:
        return "failed", "the bundle lacks the recorded chain or validation time"
    if root_fingerprint and root_fingerprint.replace(":", "").lower() != chain[-1]:
        return "failed", "the recorded root is not the pinned one"
    signed_at = _moment(extra.get("signing_time"))
    signer_at = signed_at if extra.get("signing_time_source") == "timestamp" and signed_at \
        else validated_at
    try:
        why = _pyhanko_judge(pdf, chain, data, signer_at=signer_at, validated_at=validated_at)
    except Exception as err:  # pyHanko raises many types on hostile input
        why = f"{type(err).__name__}: {err}"[:300]
    return ("failed", why) if why else ("passed", "")


def _pyhanko_judge(pdf: bytes, chain: list[str], data: dict[str, dict[str, bytes]], *,
                   signer_at: datetime, validated_at: datetime) -> str:
    """What is wrong with the PDF's last signature under the bundle's data ("" if nothing)."""
    import io

    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    certs = [asn1_x509.Certificate.load(d) for d in data["certificates"].values()]
    root = asn1_x509.Certificate.load(data["certificates"][chain[-1]])

    def context(moment: datetime) -> Any:
        return ValidationContext(
            trust_roots=[root], other_certs=certs, allow_fetching=False,
            crls=[asn1_crl.CertificateList.load(d) for d in data["crls"].values()],
            ocsps=[asn1_ocsp.OCSPResponse.load(d) for d in data["ocsps"].values()],
            revocation_mode="hard-fail", moment=moment, retroactive_revinfo=True)

    sig = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_regular_signatures[-1]
    status = validate_pdf_signature(sig, signer_validation_context=context(signer_at),
                                    ts_validation_context=context(validated_at))
    problems = [
        (hashlib.sha256(sig.signer_cert.dump()).hexdigest() != chain[0],
         "the signer is not the recorded certificate"),
        (not (status.intact and status.valid),
         "the signed content or the signature value does not verify"),
        (not status.trusted or status.revocation_details is not None,
         f"the signer's chain does not validate: {status.trust_problem_indic}")]
    return next((why for bad, why in problems if bad), "")


def _pdf(report: Report, bundle: dict[str, Any], root_fingerprint: str | None,
         revalidate: bool) -> None:
    """The PDF in the bundle is the document the records name, and (when every recorded
    verification passed, pyHanko is installed and ``revalidate``) its signature holds."""
    try:
        pdf = base64.b64decode(_get(bundle, "pdf", str), validate=True)
    except (binascii.Error, _Malformed):
        pdf = b""
    if hashlib.sha256(pdf).hexdigest() != report.document_sha256:
        report.fail("pdf", "Tệp PDF trong gói không phải văn bản mà các bản ghi nói tới.",
                    "The PDF in the bundle is not the document the records are about.")
        return
    raw = bundle.get("validation_data") if isinstance(bundle.get("validation_data"), dict) \
        else {}
    assert isinstance(raw, dict)  # noqa: S101 - narrowed above
    data = {k: _ders(report, raw.get(k), k) for k in ("certificates", "crls", "ocsps")}
    passed: list[dict[str, Any]] = [
        r["extra"] for r in report.records if r.get("event") == VERIFIED_EVENT
        and isinstance(r.get("extra"), dict) and r["extra"].get("indication") == "TOTAL-PASSED"]
    report.pdf = "skipped: no verification passed" if not passed else ""
    for extra in passed if revalidate else []:
        outcome, why = revalidate_pdf(pdf, extra, data, root_fingerprint)
        if extra.get("chain_sha256"):
            report.roots.append(str(extra["chain_sha256"][-1]))
        if outcome == "skipped":
            report.pdf = f"skipped: {why}"
            return
        if outcome == "failed":
            report.pdf = "failed"
            report.fail("pdf_signature",
                        f"Chữ ký của tệp PDF không còn hợp lệ với dữ liệu trong gói tại thời "
                        f"điểm kiểm tra {extra.get('validation_time')} ({why}).",
                        f"The PDF's signature does not validate with the bundle's data as of "
                        f"the recorded validation time {extra.get('validation_time')} ({why}).")
            return
        report.pdf = "passed"
    if not revalidate and passed:
        report.pdf = "skipped: not asked"


def verify_document_bundle(bundle: Any, *, hub_fingerprint: str | None = None,
                           root_fingerprint: str | None = None,
                           revalidate: bool = True,
                           hub_root_fingerprint: str | None = None) -> Report:
    """Check a document bundle (parsed JSON): every record's inclusion under the signed head,
    that each concerns the document, each verification report unchanged, each 03/02 pointer
    present; with the PDF: its digest and (pyHanko) its signature at the recorded time."""
    report = Report(kind=DOCUMENT_FORMAT)
    try:
        if _get(bundle, "format", str) != DOCUMENT_FORMAT or \
                _get(bundle, "version", int) != VERSION:
            raise _Malformed("format")
        report.document_sha256 = _get(bundle, "document_sha256", str)
        size, root, entries = _signed_records(report, bundle, hub_fingerprint,
                                              hub_root_fingerprint)
        seen: set[int] = set()
        for entry in entries:
            _record(report, entry, delivery_id="", size=size, root=root, seen=seen,
                    document_sha256=report.document_sha256)
        reports = bundle.get("verification_reports", {})
        for fields in report.records:
            if fields.get("event") == VERIFIED_EVENT:
                _report_checks(report, fields, reports)
        _pointers(report)
        if "pdf" in bundle:
            _pdf(report, bundle, root_fingerprint, revalidate)
    except _Malformed as err:
        report.fail("malformed", f"Tài liệu sai định dạng (trường '{err}').",
                    f"The document is malformed (field '{err}').")
    return report


def verify_consistency(old_head: Any, new_head: Any, proof: Sequence[str], *,
                       certificate_pem: str | None = None,
                       hub_fingerprint: str | None = None, hub_chain: Any = None,
                       hub_root_fingerprint: str | None = None,
                       old_certificate_pem: str | None = None,
                       old_hub_chain: Any = None) -> Report:
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
            cert = _certificate(report, certificate_pem, hub_fingerprint, chain=hub_chain,
                                root_pin=hub_root_fingerprint)
            if old_certificate_pem:  # the old head was signed by a key rotated out since
                old_report = Report(kind=CONSISTENCY_FORMAT)
                old_cert = _certificate(old_report, old_certificate_pem, None,
                                        chain=old_hub_chain, root_pin=hub_root_fingerprint)
                report.problems += old_report.problems
                _head(report, old_head, old_cert, "cũ/old")
            else:
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


def verify_document(data: bytes, *, hub_fingerprint: str | None = None,
                    root_fingerprint: str | None = None, revalidate: bool = True,
                    hub_root_fingerprint: str | None = None) -> Report:
    """Verify a delivery bundle, a document bundle or a consistency document given as JSON
    bytes (format auto-detected). ``revalidate`` False: a document bundle's PDF signature is
    not re-validated (transport proofs and the PDF's digest only)."""
    try:
        doc = json.loads(data.decode())
    except ValueError:
        report = Report(kind="unknown")
        report.fail("malformed", "Tệp không phải JSON hợp lệ.", "The file is not valid JSON.")
        return report
    if isinstance(doc, dict) and doc.get("format") == DOCUMENT_FORMAT:
        return verify_document_bundle(doc, hub_fingerprint=hub_fingerprint,
                                      root_fingerprint=root_fingerprint, revalidate=revalidate,
                                      hub_root_fingerprint=hub_root_fingerprint)
    if isinstance(doc, dict) and doc.get("format") == CONSISTENCY_FORMAT:
        try:
            proof = _get(doc, "proof", list)
        except _Malformed:
            proof = ["?"]
        return verify_consistency(doc.get("old_head"), doc.get("new_head"), proof,
                                  certificate_pem=str(doc.get("hub_certificate", "")),
                                  hub_fingerprint=hub_fingerprint, hub_chain=doc.get("hub_chain"),
                                  hub_root_fingerprint=hub_root_fingerprint,
                                  old_certificate_pem=doc.get("old_hub_certificate") or None,
                                  old_hub_chain=doc.get("old_hub_chain"))
    return verify_bundle(doc, hub_fingerprint=hub_fingerprint,
                         hub_root_fingerprint=hub_root_fingerprint)


def render(report: Report) -> str:
    """Text for people: the outcome, each reason, and the records, in Vietnamese and English."""
    lines = [report.message("vi"), report.message("en")]
    lines += [f"  - {p.vi} / {p.en}" for p in report.problems]
    if report.hub_fingerprint:
        lines.append(f"Hub (SHA-256): {report.hub_fingerprint}")
    if report.hub_root:
        lines.append(f"CA gốc chứng nhận hub / hub certified by root (SHA-256): {report.hub_root}")
    if report.tree_size is not None:
        lines.append(f"Cây / tree: {report.tree_size} · gốc / root {report.root_hash}")
    if report.pdf:
        lines.append(f"PDF: {report.pdf}")
    lines += [f"CA gốc / root CA (SHA-256): {r}" for r in dict.fromkeys(report.roots)]
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
    parser.add_argument("--hub-root-fingerprint", default=None,
                        help="SHA-256 of the root CA that certified the hub key (DER)")
    parser.add_argument("--root-fingerprint", default=None,
                        help="SHA-256 of the trusted root CA certificate (DER), for the PDF")
    parser.add_argument("--transport-only", action="store_true",
                        help="do not re-validate the PDF signature")
    parser.add_argument("--json", action="store_true", help="JSON output")
    args = parser.parse_args(argv)
    try:
        data = args.document.read_bytes()
    except OSError as err:
        print(f"Không đọc được tệp / cannot read the file: {err}", file=sys.stderr)  # noqa: T201
        return 2
    report = verify_document(data, hub_fingerprint=args.hub_fingerprint,
                             root_fingerprint=args.root_fingerprint,
                             revalidate=not args.transport_only,
                             hub_root_fingerprint=args.hub_root_fingerprint)
    text = (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json
            else render(report))
    print(text, file=sys.stdout if report.ok or args.json else sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
