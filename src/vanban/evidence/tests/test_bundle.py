"""R7.2, R14.3: evidence bundles verify with no database; any tampering is named; consistency
proofs show the log was only appended to."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vanban.core.errors import NotFound
from vanban.evidence import hubkey, services, tree, verifier
from vanban.evidence.models import TreeHead
from vanban.evidence.tests.conftest import R1, SENDER, load

Exchange = Callable[[int], None]


def _codes(bundle: dict[str, Any], **kwargs: Any) -> set[str]:
    report = verifier.verify_bundle(bundle, **kwargs)
    assert not report.ok
    return {p.code for p in report.problems}


def _other_certificate() -> str:
    cert = hubkey._new_certificate(Ed25519PrivateKey.generate())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_bundle_verifies(exchange: Exchange) -> None:
    """R7.2: a delivery's bundle holds its three records (sent, received, accepted) with their
    times, and verifies completely, pinned to the hub certificate's fingerprint."""
    exchange(2)
    bundle = load(services.bundle_for("d1-1"))
    assert [r["record"]["event"] for r in bundle["records"]] == ["sent", "received", "accepted"]
    assert {r["record"]["sender"] for r in bundle["records"]} == {SENDER}
    assert {r["record"]["recipient"] for r in bundle["records"]} == {R1}
    assert bundle["tree_head"]["size"] == 12
    report = verifier.verify_bundle(bundle, hub_fingerprint=hubkey.hub_key().fingerprint)
    assert report.ok, report.problems
    assert report.delivery_id == "d1-1"
    assert [r["at"] for r in report.records] == [
        "2026-03-02T01:31:00.000000+00:00", "2026-03-02T01:31:03.000000+00:00",
        "2026-03-02T02:31:00.000000+00:00"]
    assert "Bằng chứng hợp lệ" in report.message("vi")
    assert "Valid evidence" in report.message("en")


def test_bundle_signs_head_only_when_needed(exchange: Exchange) -> None:
    """R7.2: export reuses the latest signed head when it covers the records, else signs one."""
    exchange(1)
    services.bundle_for("d0-2")
    services.bundle_for("d0-1")
    assert TreeHead.objects.count() == 1
    exchange(1)
    assert load(services.bundle_for("d0-2"))["tree_head"]["size"] == 6  # still covered
    assert load(services.bundle_for("d0-1"))["tree_head"]["size"] == 6
    services.bundle_for("d1-1")  # not covered: a new head
    assert list(TreeHead.objects.values_list("size", flat=True)) == [6, 12]


def test_unknown_delivery_is_not_found(exchange: Exchange) -> None:
    """R1.1: no records, no bundle."""
    exchange(1)
    with pytest.raises(NotFound):
        services.bundle_for("nope")


def test_tampered_record_fails(exchange: Exchange) -> None:
    """R14.3: a changed time in the signed bytes breaks the leaf hash and the inclusion proof;
    a changed displayed field is named as differing from the signed content."""
    exchange(1)
    bundle = load(services.bundle_for("d0-2"))
    forged = copy.deepcopy(bundle)
    fields = {**forged["records"][1]["record"], "at": "2026-03-01T01:30:03.000000+00:00"}
    forged["records"][1]["canonical"] = base64.b64encode(
        verifier.canonical_json(fields)).decode()
    assert {"leaf_hash", "inclusion", "record_fields"} <= _codes(forged)
    shown = copy.deepcopy(bundle)
    shown["records"][0]["record"]["reason"] = "khác"
    assert _codes(shown) == {"record_fields"}
    other = copy.deepcopy(bundle)
    other["delivery_id"] = "d0-1"
    assert _codes(other) == {"delivery"}


def test_tampered_proof_fails(exchange: Exchange) -> None:
    """R14.3: a changed, missing or moved proof node fails the inclusion check."""
    exchange(1)
    bundle = load(services.bundle_for("d0-1"))
    changed = copy.deepcopy(bundle)
    node = changed["records"][0]["inclusion_proof"][0]
    changed["records"][0]["inclusion_proof"][0] = ("0" if node[0] != "0" else "1") + node[1:]
    assert _codes(changed) == {"inclusion"}
    short = copy.deepcopy(bundle)
    short["records"][2]["inclusion_proof"].pop()
    assert _codes(short) == {"inclusion"}
    moved = copy.deepcopy(bundle)
    moved["records"][0]["leaf_index"] = 1
    assert _codes(moved) == {"index", "inclusion"}


def test_tampered_head_signature_fails(exchange: Exchange) -> None:
    """R14.3: a head with another root or size, or a broken signature, is refused."""
    exchange(1)
    bundle = load(services.bundle_for("d0-1"))
    for field, value in (("root_hash", "00" * 32), ("size", 7), ("timestamp_ms", 1)):
        forged = copy.deepcopy(bundle)
        forged["tree_head"][field] = value
        codes = _codes(forged)
        assert "head_signature" in codes, field
    broken = copy.deepcopy(bundle)
    broken["tree_head"]["signature"] = base64.b64encode(b"\0" * 64).decode()
    assert _codes(broken) == {"head_signature"}


def test_wrong_hub_certificate_fails(exchange: Exchange) -> None:
    """R14.3: a bundle re-signed by another key verifies only against that key's certificate,
    which a pinned fingerprint refuses; swapping the certificate breaks the head signature."""
    exchange(1)
    bundle = load(services.bundle_for("d0-1"))
    swapped = {**bundle, "hub_certificate": _other_certificate()}
    assert _codes(swapped) == {"head_signature"}
    assert _codes(bundle, hub_fingerprint="ab" * 32) == {"fingerprint"}
    garbage = {**bundle, "hub_certificate": "not a certificate"}
    assert _codes(garbage) == {"certificate"}
    pinned = hubkey.hub_key().fingerprint
    colons = ":".join(pinned[i:i + 2] for i in range(0, 64, 2)).upper()
    assert verifier.verify_bundle(bundle, hub_fingerprint=colons).ok


def test_malformed_documents_are_reported_not_raised() -> None:
    """R7.2: garbage in gives a report naming the problem, never an exception."""
    for doc in (b"{", b"[]", b'{"format": "vanban-evidence-bundle", "version": 1}',
                json.dumps({"format": "vanban-evidence-bundle", "version": 2}).encode()):
        report = verifier.verify_document(doc)
        assert not report.ok
        assert report.problems[0].code == "malformed"
        assert report.problems[0].vi.startswith("Tài liệu sai định dạng") or \
            report.problems[0].vi == "Tệp không phải JSON hợp lệ."
        assert report.problems[0].en.startswith("The ")


@pytest.mark.parametrize("delivery", ["d0-1", "d0-2"])
def test_record_rewritten_in_database_is_caught(exchange: Exchange, admin_sql: Any,
                                                delivery: str) -> None:
    """R14.3: an administrator who drops the triggers and rewrites a record's time cannot get
    a bundle that verifies: the hub refuses to sign over a root it already signed otherwise,
    and a bundle built from the rewritten bytes fails."""
    exchange(1)
    services.tree_head_sign()
    bundle = load(services.bundle_for(delivery))
    record = bundle["records"][1]["record"]
    forged = verifier.canonical_json({**record, "at": "2026-03-01T00:00:00.000000+00:00"})
    admin_sql("UPDATE evidence_evidencerecord SET canonical = %s, leaf_hash = %s "
              "WHERE \"index\" = %s", (forged, verifier.leaf_hash(forged).hex(), record["index"]))
    tree.forget()
    with pytest.raises(tree.LogAltered) as caught:
        services.bundle_for(delivery)
    assert "altered" in caught.value.en
    admin_sql("UPDATE evidence_evidencerecord SET leaf_hash = %s WHERE \"index\" = %s",
              (bundle["records"][1]["leaf_hash"], record["index"]))
    tree.forget()
    rebuilt = load(services.bundle_for(delivery))  # the stored hashes, the forged bytes
    assert _codes(rebuilt) == {"leaf_hash", "inclusion"}


def test_consistency_between_heads_after_appends(exchange: Exchange) -> None:
    """R14.3: heads signed as the log grows are consistent with each other; a proof against a
    head from another history fails, as does a tampered proof."""
    sizes = []
    for _ in range(4):
        exchange(1)
        sizes.append(services.tree_head_sign().size)
    assert sizes == [6, 12, 18, 24]
    for old in sizes:
        for new in sizes:
            if old <= new:
                doc = services.consistency_document(old_size=old, new_size=new)
                report = verifier.verify_consistency(
                    doc["old_head"], doc["new_head"], doc["proof"],
                    certificate_pem=doc["hub_certificate"])
                assert report.ok, (old, new, report.problems)
    doc = services.consistency_document(old_size=6, new_size=24)
    assert verifier.verify_document(json.dumps(doc).encode()).ok
    tampered = {**doc, "proof": [*doc["proof"][:-1], "00" * 32]}
    assert {p.code for p in verifier.verify_document(json.dumps(tampered).encode())
            .problems} == {"consistency"}
    forked = {**doc["old_head"], "root_hash": "11" * 32}
    codes = {p.code for p in verifier.verify_consistency(
        forked, doc["new_head"], doc["proof"], certificate_pem=doc["hub_certificate"]).problems}
    assert codes == {"head_signature", "consistency"}
    unsigned = verifier.verify_consistency(forked, doc["new_head"], doc["proof"])
    assert [p.code for p in unsigned.problems] == ["consistency"]


def test_consistency_check_of_a_kept_head(exchange: Exchange) -> None:
    """R14.3: an agency that kept the head of an earlier bundle gets it proven a prefix of the
    latest head; a head the log never had is refused."""
    exchange(1)
    kept = load(services.bundle_for("d0-1"))["tree_head"]
    exchange(2)
    assert services.consistency_check(old_head=kept).ok
    forged = {**kept, "root_hash": "22" * 32}
    report = services.consistency_check(old_head=forged)
    assert {p.code for p in report.problems} == {"head_signature", "consistency"}
    with pytest.raises(NotFound):
        services.consistency_document(old_size=5)


def test_hub_key_and_certificate_files(exchange: Exchange) -> None:
    """R7.2: the hub key is made on first use, readable by its owner only; the certificate
    beside it holds its public key and names the hub, and the bundle carries it."""
    from django.conf import settings

    exchange(1)
    bundle = load(services.bundle_for("d0-1"))
    key_file = settings.KEYS_DIR / hubkey.KEY_FILENAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    hub = hubkey.hub_key()
    assert bundle["hub_certificate"] == hub.certificate_pem
    assert "vanban evidence hub" in hub.certificate.subject.rfc4514_string()
    assert bundle["tree_head"]["key_id"] == verifier.key_id(hub.private_key.public_key())
