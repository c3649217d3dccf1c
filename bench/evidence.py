"""Evidence bundle verification benchmark (R7.2, R14.3; issue 4 "done means").

A log of N records (default 100,000, appended through ``evidence_append`` in transactions of
1,000) holds, at its end, one delivery with three records (sent, received, accepted), so each
inclusion proof has ~log2 N nodes. Timed, in the same run:

* ours: ``verifier.verify_document`` on the exported bundle bytes: JSON parsing, certificate
  loading and its self-signature, the tree head signature, and per record base64, canonical
  JSON check, leaf hash and inclusion proof;
* baseline: the bare cryptography of that bundle: the same SHA-256 calls (one leaf hash and one
  node hash per proof node, per record) and the same two Ed25519 verifications, with the key
  object already built and the inputs already decoded;
* informative: ``bundle_for`` (server side: database reads, cached tree, proofs, JSON) and the
  append rate of the set-up.

Samples alternate in blocks (ours, baseline, ours, ...) so machine noise hits both alike.
``python -m bench --only evidence`` (the runner), or alone:
``python -m bench.evidence [--database sqlite|postgres] [--records N] [--verifications N]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench import Result

TARGET = "informative (issue 4: verification rate beside raw crypto)"


def _fill(n: int, *, heads_every: int = 0) -> float:
    """Append ``n - 3`` filler records and one 3-record delivery; the append rate. With
    ``heads_every`` the scheduled tree heads are on (a signed head, vouched for by an audit
    event, after every ``heads_every`` records); 0 is the previous behaviour."""
    from django.test import override_settings

    with override_settings(VANBAN_EVIDENCE_HEAD_EVERY=heads_every):
        return _fill_records(n)


def _fill_more(n: int, *, heads_every: int) -> float:
    """Append ``n`` more filler records with the scheduled heads on; the append rate."""
    from django.db import transaction
    from django.test import override_settings

    from vanban.core import clock
    from vanban.evidence.services import evidence_append

    at = clock.now()
    started = time.perf_counter()
    with override_settings(VANBAN_EVIDENCE_HEAD_EVERY=heads_every):
        for first in range(0, n, 1_000):
            with transaction.atomic():
                for i in range(first, min(first + 1_000, n)):
                    evidence_append(event="sent", at=at, sender="000.00.01.H06",
                                    recipient=f"000.{i % 99:02d}.02.H06",
                                    transmission_id=f"m{i // 50}", delivery_id=f"m{i}",
                                    document_sha256="cd" * 32)
    return n / (time.perf_counter() - started)


def _verify_log_rates() -> tuple[float, float, int]:
    """``vanban evidence verify-log`` over the whole log, and its baseline: SHA-256 of every
    stored record and the Merkle tree in memory, from bytes read beforehand."""
    from vanban.evidence import logcheck
    from vanban.evidence.merkle import MerkleTree
    from vanban.evidence.models import EvidenceRecord

    started = time.perf_counter()
    report = logcheck.verify_log()
    spent = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"verify-log failed: {report.as_dict()}")
    blobs = [bytes(b) for b in EvidenceRecord.objects.order_by("index")
             .values_list("canonical", flat=True).iterator(chunk_size=20_000)]
    started = time.perf_counter()
    merkle = MerkleTree(hashlib.sha256(b"\x00" + b).digest() for b in blobs)
    merkle.root()
    raw = time.perf_counter() - started
    return report.size / spent, len(blobs) / raw, report.heads


def _fill_records(n: int) -> float:
    """The filler records and the 3-record delivery (see :func:`_fill`)."""
    from django.db import transaction

    from vanban.core import clock
    from vanban.evidence.services import evidence_append

    at = clock.now()
    digest = "cd" * 32
    started = time.perf_counter()
    done = 0
    while done < n - 3:
        with transaction.atomic():
            for _ in range(min(1_000, n - 3 - done)):
                evidence_append(event="sent", at=at, sender="000.00.01.H06",
                                recipient=f"000.{done % 99:02d}.02.H06",
                                transmission_id=f"t{done // 50}", delivery_id=f"f{done}",
                                document_sha256=digest)
                done += 1
    with transaction.atomic():
        for i, event in enumerate(("sent", "received", "accepted")):
            evidence_append(event=event, at=at + timedelta(seconds=i), sender="000.00.01.H06",
                            recipient="000.00.02.H06", transmission_id="bench-t",
                            delivery_id="bench-d", document_sha256=digest)
    return n / (time.perf_counter() - started)


def _raw(bundle: dict[str, Any]) -> Callable[[], object]:
    """The bundle's bare cryptography: same SHA-256 calls, same two Ed25519 verifications."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from vanban.evidence import verifier

    cert = x509.load_pem_x509_certificate(str(bundle["hub_certificate"]).encode())
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("the hub key is Ed25519")
    head = bundle["tree_head"]
    message = verifier.tree_head_message(timestamp_ms=head["timestamp_ms"], size=head["size"],
                                         root_hash=bytes.fromhex(head["root_hash"]))
    signature = base64.b64decode(head["signature"])
    leaves = [(base64.b64decode(r["canonical"]), [bytes.fromhex(p) for p in r["inclusion_proof"]])
              for r in bundle["records"]]
    tbs, cert_signature = cert.tbs_certificate_bytes, cert.signature

    def run() -> object:
        key.verify(cert_signature, tbs)
        key.verify(signature, message)
        for leaf, proof in leaves:
            h = hashlib.sha256(b"\x00" + leaf).digest()
            for p in proof:
                h = hashlib.sha256(b"\x01" + p + h).digest()
        return None

    return run


def _rate(fn: Callable[[], object], seconds: float) -> tuple[int, float]:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn()
        count += 1
    return count, time.perf_counter() - started


def _interleaved(fns: list[Callable[[], object]], rounds: int, seconds: float) -> list[float]:
    totals = [[0, 0.0] for _ in fns]
    for fn in fns:
        fn()  # warm-up
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            count, spent = _rate(fn, seconds)
            totals[i][0] += count
            totals[i][1] += spent
    return [count / spent for count, spent in totals]


def run(args: argparse.Namespace) -> list[Result]:
    """Measure and return the rows for the runner's table."""
    from vanban.evidence import services, verifier

    n = int(getattr(args, "records", 100_000))
    appends = _fill(n)
    export_started = time.perf_counter()
    data = services.bundle_for("bench-d")  # signs the head, builds the tree cache
    first_export = time.perf_counter() - export_started
    bundle = json.loads(data)
    report = verifier.verify_document(data)
    if not report.ok:
        raise RuntimeError(f"the exported bundle does not verify: {report.problems}")
    nodes = sum(len(r["inclusion_proof"]) + 1 for r in bundle["records"])

    def ours() -> object:
        return verifier.verify_document(data)

    ours_rate, raw_rate = _interleaved([ours, _raw(bundle)], rounds=6,
                                       seconds=float(getattr(args, "seconds", 0.5)))
    export_rate = _interleaved([lambda: services.bundle_for("bench-d")], rounds=2,
                               seconds=0.5)[0]
    appends_on = _fill_more(max(n // 10, 1_000), heads_every=1_000)
    log_rate, log_raw, heads = _verify_log_rates()
    print(f"evidence: {n} records appended at {appends:,.0f}/s; first export "
          f"{first_export * 1000:.0f} ms (tree of {n} leaves loaded); bundle of "
          f"{len(bundle['records'])} records, {nodes} SHA-256 + 2 Ed25519 per verification; "
          f"verify {ours_rate:,.0f}/s, raw {raw_rate:,.0f}/s", file=sys.stderr)
    return [
        Result(f"evidence bundle verification (3 records, tree of {n:,})", ours_rate,
               "bundles/s", f"raw SHA-256 ×{nodes} + Ed25519 verify ×2", raw_rate, TARGET),
        Result("evidence bundle export (bundle_for, warm tree cache)", export_rate, "bundles/s",
               target="informative"),
        Result("evidence appends (evidence_append, 1,000 per transaction)", appends,
               "records/s", target="informative"),
        Result("evidence appends with a scheduled tree head every 1,000 (issue 9)", appends_on,
               "records/s", "without scheduled heads (same run)", appends, "informative"),
        Result(f"evidence verify-log (whole log, {heads} signed heads)", log_rate, "records/s",
               "SHA-256 of each record + Merkle tree in memory", log_raw, "informative"),
    ]


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.evidence``: the runner with ``--only evidence`` (same options)."""
    from bench import __main__ as runner

    runner.main(["--only", "evidence", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
