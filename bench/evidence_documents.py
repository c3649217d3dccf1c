"""Document evidence bundle verification benchmark (R7.2, R12.1, R4.3; issue 14).

One signed PDF (PAdES, demo TSA, 1 A4 page) is verified on arrival through the hub (which
appends its ``verified`` evidence record), registered as sent and received to two agencies,
and exported with ``export-document --with-pdf`` from a log of N other records. Timed, in the
same run, samples alternating in blocks:

* transport only: ``verifier.verify_document_bundle(..., revalidate=False)`` — head and hub
  certificate signatures, every record's canonical form and inclusion proof, the verification
  report's digest, the 03/02 pointers, the PDF's digest and the validation data's digests;
  baseline: the bare cryptography of the same records (SHA-256 per leaf and proof node, the two
  Ed25519 verifications);
* with PDF re-validation: the same plus pyHanko re-validating the signature offline as of the
  recorded validation time with the bundle's certificates and CRLs; baseline: pyHanko's
  ``validate_pdf_signature`` alone on the same file with the same context.

``python -m bench --only documents`` (the runner), or alone:
``python -m bench.evidence_documents [--database sqlite|postgres] [--records N]``.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench import Result
from bench.evidence import _fill_records, _interleaved, _raw

TARGET = "informative (issue 14: bundle verification rate, transport and with PDF)"


def _signed_and_verified() -> tuple[bytes, str]:
    """A PDF signed by a demo agency and verified on arrival through the hub; its SHA-256."""
    from bench.verification import _pdf
    from vanban.core import clock
    from vanban.directory.models import Agency
    from vanban.signatures import services
    from vanban.signatures.models import CertificateAuthority
    from vanban.signatures.verification import Verdict, VerificationChannel, pdf_verify

    now = clock.now()
    agency, _ = Agency.objects.get_or_create(
        code="000.00.97.H06", defaults={"name": "Sở Văn hoá tỉnh Bắc Giang", "short_name": "SVH",
                                        "created_at": now, "updated_at": now})
    if not CertificateAuthority.objects.exists():
        services.ca_create_demo(actor=None)
    services.certificate_issue(actor=None, agency=agency)
    data = services.pdf_sign(actor=None, agency=agency, data=_pdf(1)).data
    record = pdf_verify(data=data, sender=agency, channel=VerificationChannel.hub(),
                        received_via="bench")
    if record.verdict != Verdict.VALID:
        raise RuntimeError(f"benchmark document judged invalid: {record.failures()}")
    return data, record.sha256


def _transport_records(sha256: str) -> None:
    """Sent and received to two agencies, as the hub records them."""
    from django.db import transaction

    from vanban.core import clock
    from vanban.evidence.services import evidence_append

    at = clock.now()
    with transaction.atomic():
        for n, recipient in enumerate(("000.00.02.H06", "000.00.03.H06")):
            for i, event in enumerate(("sent", "received")):
                evidence_append(event=event, at=at + timedelta(seconds=i),
                                sender="000.00.97.H06", recipient=recipient,
                                transmission_id="bench-doc", delivery_id=f"bench-doc-{n}",
                                document_sha256=sha256)


def _pyhanko_alone(bundle: dict[str, Any]) -> Callable[[], object]:
    """pyHanko's validation of the bundle's PDF with the bundle's data, nothing else."""
    from vanban.evidence import verifier

    report = verifier.Report(kind=verifier.DOCUMENT_FORMAT)
    data = {k: verifier._ders(report, bundle["validation_data"].get(k), k)
            for k in ("certificates", "crls", "ocsps")}
    [extra] = [e["record"]["extra"] for e in bundle["records"]
               if e["record"]["event"] == verifier.VERIFIED_EVENT]
    pdf = base64.b64decode(bundle["pdf"])
    chain = extra["chain_sha256"]
    signed = verifier._moment(extra["signing_time"])
    validated = verifier._moment(extra["validation_time"])
    if signed is None or validated is None:
        raise RuntimeError("the record has no times")

    def run() -> object:
        if verifier._pyhanko_judge(pdf, chain, data, signer_at=signed, validated_at=validated):
            raise RuntimeError("pyHanko judged the benchmark document invalid")
        return None

    return run


def run(args: argparse.Namespace) -> list[Result]:
    """Measure and return the rows for the runner's table."""
    from vanban.evidence import documents, verifier

    n = int(getattr(args, "records", 100_000)) // 10
    _fill_records(max(n, 10))
    _pdf_bytes, sha256 = _signed_and_verified()
    _transport_records(sha256)
    bundle = documents.document_bundle(sha256, with_pdf=True)
    data = json.dumps(bundle).encode()
    full = verifier.verify_document(data)
    if not full.ok or full.pdf != "passed":
        raise RuntimeError(f"the document bundle does not verify: {full.problems} {full.pdf}")

    def transport() -> object:
        return verifier.verify_document(data, revalidate=False)

    def with_pdf() -> object:
        return verifier.verify_document(data)

    seconds = float(getattr(args, "seconds", 0.5))
    transport_rate, raw_rate = _interleaved([transport, _raw(bundle)], rounds=6,
                                            seconds=seconds)
    pdf_rate, pyhanko_rate = _interleaved([with_pdf, _pyhanko_alone(bundle)], rounds=4,
                                          seconds=seconds)
    size = len(data)
    print(f"documents: bundle of {len(bundle['records'])} records, {size / 1024:.0f} KiB with "
          f"the PDF; transport {transport_rate:,.0f}/s (raw {raw_rate:,.0f}/s), with PDF "
          f"{pdf_rate:,.1f}/s (pyHanko alone {pyhanko_rate:,.1f}/s)", file=sys.stderr)
    return [
        Result(f"document bundle verification, transport only ({len(bundle['records'])} "
               f"records, tree of {n:,})", transport_rate, "bundles/s",
               "raw SHA-256 per leaf and node + Ed25519 ×2", raw_rate, TARGET),
        Result("document bundle verification with PDF re-validation (offline, pyHanko)",
               pdf_rate, "bundles/s", "pyHanko validate_pdf_signature alone, same data",
               pyhanko_rate, TARGET),
    ]


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.evidence_documents``: the runner with ``--only documents``."""
    from bench import __main__ as runner

    runner.main(["--only", "documents", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
