"""PDF signing benchmark (R15.1): ``pdf_sign`` against a raw pyHanko fast path, same run.

* ours (B-B): ``vanban.signatures.services.pdf_sign`` on a 1-page PDF: certificate lookup,
  permission and state checks, the visible Vietnamese mark (TTF font), the PAdES signature with
  the cached PKCS#12 key, and the audit event in its own durable transaction.
* ours (B-T): the same with the demo's own RFC 3161 time-stamp authority.
* baseline: raw pyHanko on the same PDF and key: an invisible PAdES signature, the key parsed
  once, the signature size reserved up front (no trial signature), no database.
* stock: pyHanko's ``SimpleSigner.load_pkcs12`` for every signature (what naive code does),
  to show the cost the key cache avoids.
* ours (B-LT): B-T plus the chain and CRLs embedded in the signed revision (ADR 0014).
* ours (B-LT + archive copy): the production default, B-LT and the B-LTA archive copy (DSS,
  a document time-stamp, the new blob, its row and audit event).
* archival time-stamp: ``archive.archive_create`` alone on files signed beforehand (B-LT),
  and pyHanko's document time-stamp alone (``pades.archive_stamp``, no database).
The B-B and B-T rows run with the long-term options off, so they stay comparable with
earlier runs; every ratio is against raw pyHanko B-B in the same run.

Samples alternate (ours, baseline, ours, ...) so machine noise hits both alike; the figure is
the median (p50). Run with ``python -m bench --only signing`` once the runner lists it, or
standalone: ``python -m bench.signing [--database sqlite|postgres] [--signatures N]``.
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

TARGET = "p50 ≤ 1.5× baseline (ratio ≥ 0.67), ~40/s/core"
# Its own database when run standalone, so it never drops the main runner's vanban_bench.


def _one_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(595.28, 841.89))
    pdf.drawString(72, 760, "Cong van so 01/STTTT-VP ve viec thu nghiem ky so")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _raw_signer(cert: Any) -> Any:
    """A minimal pyHanko signer over a key parsed once (the fast path's key handling)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from pyhanko.sign.signers.pdf_cms import Signer
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from vanban.signatures import keysources, keystore

    key, x509_cert = keystore.load_pkcs12(cert.pkcs12_path)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("the benchmark issues RSA keys")
    rsa_key: rsa.RSAPrivateKey = key

    class RawSigner(Signer):
        async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                                 dry_run: bool = False) -> bytes:
            return rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    chain = [keysources.asn1_cert(c) for c in keysources.chain_of(cert)]
    return RawSigner(signing_cert=keysources.asn1_cert(x509_cert),
                     cert_registry=SimpleCertificateStore.from_certs(chain))  # type: ignore[no-untyped-call]


def _raw_sign(data: bytes, signer: Any, reserved: int) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return bytes(signers.PdfSigner(meta, signer).sign_pdf(
        writer, bytes_reserved=reserved).getvalue())


def _stock_sign(data: bytes, p12_path: str, passphrase: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        p12_path, passphrase=passphrase)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="Sig", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    return bytes(signers.PdfSigner(meta, signer).sign_pdf(writer).getvalue())


def _interleaved(n: int, *fns: Callable[[], object]) -> list[list[float]]:
    for fn in fns:  # warm-up: font cut, key cache, imports
        for _ in range(3):
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(n):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            samples[i].append(time.perf_counter() - started)
    return samples


def run(args: argparse.Namespace) -> list[Result]:
    """Measure and return the rows for the runner's table."""
    from django.conf import settings
    from django.test import override_settings

    from vanban.core import clock
    from vanban.directory.models import Agency
    from vanban.signatures import keystore, pades, services
    from vanban.signatures.models import CertificateAuthority

    n = int(getattr(args, "signatures", 200))
    now = clock.now()
    agency = Agency.objects.create(code="000.00.99.H06", name="Sở Thông tin và Truyền thông",
                                   short_name="STTTT", created_at=now, updated_at=now)
    services.ca_create_demo(actor=None)
    cert = services.certificate_issue(actor=None, agency=agency)
    data = _one_page_pdf()
    signer = _raw_signer(cert)
    reserved = pades.reserve_for(signer, timestamped=False)

    def ours() -> object:
        return services.pdf_sign(actor=None, agency=agency, data=data)

    def baseline() -> object:
        return _raw_sign(data, signer, reserved)

    p12 = str(settings.KEYS_DIR / cert.pkcs12_path)
    stock_n = max(10, n // 10)
    lt_rows = _long_term_rows(agency, data, baseline, max(20, n // 4))
    with override_settings(VANBAN_TSA_URL="", VANBAN_PADES_LTV=False,
                           VANBAN_PADES_ARCHIVE=False):
        # B-T first (the demo TSA exists), then without any TSA: B-B.
        bt, base_bt = (statistics.median(s) for s in _interleaved(max(20, n // 4), ours,
                                                                   baseline))
        CertificateAuthority.objects.filter(kind="tsa").delete()
        bb, base = (statistics.median(s) for s in _interleaved(n, ours, baseline))
    stock, base_stock = (statistics.median(s) for s in _interleaved(
        stock_n, lambda: _stock_sign(data, p12, keystore.passphrase()), baseline))
    print(f"signing p50: ours B-B {bb * 1000:.1f} ms, ours B-T {bt * 1000:.1f} ms, "
          f"raw pyHanko {base * 1000:.1f} ms, stock SimpleSigner {stock * 1000:.1f} ms; "
          f"ratio ours/raw {bb / base:.2f}×", file=sys.stderr)
    return [
        Result("PDF signing p50, PAdES B-B + visible mark + audit (1 page)", 1 / bb, "docs/s",
               "raw pyHanko, key parsed once, size reserved", 1 / base, TARGET),
        Result("PDF signing p50, PAdES B-T (demo TSA) + visible mark + audit", 1 / bt,
               "docs/s", "raw pyHanko B-B (same run)", 1 / base_bt, "informative"),
        Result("stock SimpleSigner.load_pkcs12 per signature (not used)", 1 / stock, "docs/s",
               "raw pyHanko (same run)", 1 / base_stock, "why the key is cached"),
        *lt_rows,
    ]


def _long_term_rows(agency: Any, data: bytes, baseline: Callable[[], object],
                    n: int) -> list[Result]:
    """B-LT signing, B-LT with the archive copy, and the archival time-stamp alone, each
    interleaved with raw pyHanko B-B (ADR 0014)."""
    from django.test import override_settings

    from vanban.core import clock
    from vanban.signatures import archive, ltv, pades, services
    from vanban.signatures.services.tsa import timestamper
    from vanban.signatures.verification import trust

    def ours() -> object:
        return services.pdf_sign(actor=None, agency=agency, data=data)

    with override_settings(VANBAN_TSA_URL="", VANBAN_PADES_LTV=True,
                           VANBAN_PADES_ARCHIVE=False):
        lt, base_lt = (statistics.median(s) for s in _interleaved(n, ours, baseline))
        # Distinct signed files for the archive rows (archive_create is once per file).
        signed = [services.pdf_sign(actor=None, agency=agency, data=data).data
                  for _ in range(n + 3)]
    with override_settings(VANBAN_TSA_URL="", VANBAN_PADES_LTV=True,
                           VANBAN_PADES_ARCHIVE=True):
        lta, base_lta = (statistics.median(s) for s in _interleaved(n, ours, baseline))
        files = iter(signed)
        stamp, base_stamp = (statistics.median(s) for s in _interleaved(
            n, lambda: archive.archive_create(next(files)), baseline))
        at = clock.now()
        context = ltv.signing_context(trust.material(), at=at)
        tsa = timestamper(at)
        if tsa is None:
            raise RuntimeError("the demo TSA is missing")
        raw_stamp, base_raw = (statistics.median(s) for s in _interleaved(n, lambda: (
            pades.archive_stamp(signed[0], timestamper=tsa, validation_context=context)),
            baseline))
    print(f"long-term p50: B-LT {lt * 1000:.1f} ms ({lt / base_lt:.2f}× raw B-B), "
          f"B-LT + archive copy {lta * 1000:.1f} ms ({lta / base_lta:.2f}×), archival "
          f"time-stamp {stamp * 1000:.1f} ms ({stamp / base_stamp:.2f}×), pyHanko document "
          f"time-stamp alone {raw_stamp * 1000:.1f} ms", file=sys.stderr)
    return [
        Result("PDF signing p50, PAdES B-LT (chain + CRLs embedded, demo TSA)", 1 / lt,
               "docs/s", "raw pyHanko B-B (same run)", 1 / base_lt, "informative"),
        Result("PDF signing p50, B-LT + B-LTA archive copy (default)", 1 / lta, "docs/s",
               "raw pyHanko B-B (same run)", 1 / base_lta, "informative"),
        Result("archival time-stamp per document (archive_create: DSS, stamp, blob, row)",
               1 / stamp, "docs/s", "raw pyHanko B-B (same run)", 1 / base_stamp,
               "informative"),
        Result("pyHanko document time-stamp alone (pades.archive_stamp, no database)",
               1 / raw_stamp, "docs/s", "raw pyHanko B-B (same run)", 1 / base_raw,
               "informative"),
    ]


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.signing``: the runner with ``--only signing`` (same options)."""
    from bench import __main__ as runner

    runner.main(["--only", "signing", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
