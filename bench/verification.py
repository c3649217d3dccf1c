"""Verification of incoming PDFs (R4.2, R4.3): ``pdf_verify`` against raw pyHanko, same run.

* ours: ``vanban.signatures.verification.pdf_verify`` on a signed PDF it has not seen: SHA-256
  lookup, intake inspection (pikepdf), pyHanko validation at the time-stamp's time with the
  cached trust material and CRLs, one statement confirming that material and reading the
  sender's certificate, the mark position, the blob file (fsync), and the blob row, record and
  audit event written durably together (PostgreSQL: one autocommit statement).
* raw: pyHanko's ``validate_pdf_signature`` on the same file, with the same roots and CRLs
  parsed once (revocation data cached), no database.
* cached: ``pdf_verify`` again on an already verified file (the SHA-256 lookup only).

Documents are PAdES B-T (demo TSA), signed by ``pdf_sign`` with the visible mark, 1 and 20 A4
pages. Samples alternate (ours, raw, ours, ...) so machine noise hits both alike; figures are
medians. Run: ``python -m bench --only verification [--verifications N]`` or standalone
``python -m bench.verification [--database sqlite|postgres] [--verifications N]``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import Result

TARGET = "≥ 0.65× raw pyHanko, ~100/s/core"


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(595.28, 841.89))
    for n in range(pages):
        for line in range(40):
            pdf.drawString(72, 780 - 18 * line, f"Cong van so 01/STTTT-VP trang {n + 1} "
                                                f"dong {line + 1}: noi dung thu nghiem")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _raw_context_factory() -> Callable[[], Any]:
    """pyHanko's validation context over the same roots and CRLs, parsed once."""
    from asn1crypto import crl as asn1_crl
    from pyhanko_certvalidator import ValidationContext

    from vanban.signatures import keysources
    from vanban.signatures.models import CertificateAuthority, TrustedRoot
    from vanban.signatures.pki import load_pems

    roots = [keysources.asn1_cert(load_pems(r.pem)[0]) for r in TrustedRoot.objects.all()]
    crls = [asn1_crl.CertificateList.load(bytes(ca.crl_der))
            for ca in CertificateAuthority.objects.exclude(crl_der=b"")]

    def make() -> Any:
        return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False,
                                 revocation_mode="hard-fail")

    return make


def _raw_validate(data: bytes, context: Callable[[], Any]) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    ctx = context()
    status = validate_pdf_signature(reader.embedded_signatures[-1],
                                    signer_validation_context=ctx, ts_validation_context=ctx)
    return bool(status.bottom_line)


def _interleaved(docs: list[bytes], ours: Callable[[bytes], object],
                 raw: Callable[[bytes], object]) -> tuple[list[float], list[float]]:
    mine: list[float] = []
    base: list[float] = []
    for data in docs:
        started = time.perf_counter()
        ours(data)
        mine.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw(data)
        base.append(time.perf_counter() - started)
    return mine, base


def run(args: argparse.Namespace) -> list[Result]:
    """Measure and return the rows for the runner's table."""
    from vanban.core import clock
    from vanban.directory.models import Agency
    from vanban.signatures import services
    from vanban.signatures.verification import Verdict, VerificationChannel, pdf_verify

    n = int(getattr(args, "verifications", 100))
    now = clock.now()
    agency = Agency.objects.create(code="000.00.98.H06", name="Sở Tư pháp tỉnh Bắc Giang",
                                   short_name="STP", created_at=now, updated_at=now)
    services.ca_create_demo(actor=None)
    services.certificate_issue(actor=None, agency=agency)
    context = _raw_context_factory()

    def ours(data: bytes) -> object:
        record = pdf_verify(data=data, sender=agency, channel=VerificationChannel.hub(),
                            received_via="bench")
        if record.verdict != Verdict.VALID:
            raise RuntimeError(f"benchmark document judged invalid: {record.failures()}")
        return record

    def raw(data: bytes) -> object:
        if not _raw_validate(data, context):
            raise RuntimeError("raw pyHanko judged the benchmark document invalid")
        return True

    rows: list[Result] = []
    medians: dict[int, tuple[float, float]] = {}
    for pages in (1, 20):
        source = _pdf(pages)
        docs = [services.pdf_sign(actor=None, agency=agency, data=source).data
                for _ in range(n + 3)]
        for data in docs[:3]:  # warm-up: imports, trust material, first queries
            ours(data)
            raw(data)
        mine, base = _interleaved(docs[3:], ours, raw)
        medians[pages] = (statistics.median(mine), statistics.median(base))
        size = len(docs[3]) // 1024
        rows.append(Result(
            f"PDF verification p50, {pages} page{'s' if pages > 1 else ''} ({size} KB, B-T): "
            "pdf_verify, record + audit", 1 / medians[pages][0], "docs/s",
            "raw pyHanko validate_pdf_signature, CRLs cached", 1 / medians[pages][1], TARGET))
        if pages == 1:
            cached = [0.0] * len(docs)
            for i, data in enumerate(docs):
                started = time.perf_counter()
                ours(data)
                cached[i] = time.perf_counter() - started
            cached_p50 = statistics.median(cached)
            rows.append(Result("PDF verification, second call (stored record by SHA-256)",
                                1 / cached_p50, "docs/s", "raw pyHanko (1 page)",
                                1 / medians[1][1], "verified once per document"))
    print("verification p50: " + ", ".join(
        f"{p} p. ours {m * 1000:.1f} ms raw {b * 1000:.1f} ms ratio {b / m:.2f}"
        for p, (m, b) in medians.items()) + f"; cached {cached_p50 * 1000:.2f} ms",
        file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.verification``: the runner with ``--only verification`` (same options)."""
    from bench import __main__ as runner

    runner.main(["--only", "verification", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
