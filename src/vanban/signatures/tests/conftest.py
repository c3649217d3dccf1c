"""A real PKI for the signature tests: the demo root, issuing CA and TSA, made with the
services, plus helpers to build PDFs and to validate signatures with pyHanko's validator."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from vanban.core.roles import Role
from vanban.signatures import keysources, services
from vanban.signatures.models import CertificateAuthority
from vanban.signatures.pki import load_pems

AGENCY_NAME = "Sở Thông tin và Truyền thông tỉnh Bắc Giang"
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def make_pdf(pages: int = 1, text: str = "Công văn số 01") -> bytes:
    """An A4 PDF with ``pages`` pages of text."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.28, 841.89))
    for n in range(pages):
        c.drawString(72, 760, f"{text} - trang {n + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture
def demo_pki(db) -> services.DemoPki:
    return services.ca_create_demo(actor=None)


@pytest.fixture
def agency(make_agency):
    return make_agency("000.00.08.H06", name=AGENCY_NAME, short_name="STTTT")


@pytest.fixture
def clerk(make_user, agency):
    return make_user(agency, roles=[Role.CLERK])


@pytest.fixture
def admin(make_user, make_agency):
    return make_user(make_agency(), roles=[Role.PROVINCE_ADMIN])


@pytest.fixture
def issued(demo_pki, agency):
    return services.certificate_issue(actor=None, agency=agency)


def validation_context(*, crls: bool = True) -> ValidationContext:
    """Trust the demo root; with ``crls``, hand over every published CRL and require them."""
    roots = [keysources.asn1_cert(load_pems(ca.cert_pem)[0])
             for ca in CertificateAuthority.objects.filter(kind="root")]
    crl_list = [asn1_crl.CertificateList.load(bytes(ca.crl_der))
                for ca in CertificateAuthority.objects.exclude(crl_der=b"")] if crls else []
    return ValidationContext(trust_roots=roots, crls=crl_list, allow_fetching=False,
                             revocation_mode="hard-fail" if crls else "soft-fail")


def validate(signed: bytes, context: ValidationContext | None = None) -> PdfSignatureStatus:
    """Validate the only signature of ``signed`` with pyHanko's own validator."""
    reader = PdfFileReader(io.BytesIO(signed))
    assert len(reader.embedded_signatures) == 1
    context = context or validation_context()
    return validate_pdf_signature(reader.embedded_signatures[0],
                                  signer_validation_context=context,
                                  ts_validation_context=context)


@pytest.fixture(scope="session")
def softhsm_dir() -> Iterator[Path]:
    """A private SoftHSM2 token directory for the whole run. ``SOFTHSM2_CONF`` must be set
    before the PKCS#11 library is first loaded in this process, hence session scope."""
    if not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is not installed: run ./scripts/setup as root (Debian softhsm2)")
    base = Path(tempfile.mkdtemp(prefix="vanban-softhsm-"))
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield base
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
    shutil.rmtree(base, ignore_errors=True)


def softhsm(*args: str) -> str:
    """Run a SoftHSM2 / OpenSC tool with the private configuration."""
    done = subprocess.run(list(args), check=True, capture_output=True, text=True,
                          env={**os.environ}, timeout=60)
    return done.stdout


def token_with_key(softhsm_dir: Path, label: str, pin: str,
                   so_pin: str) -> PublicKeyTypes:
    """A new SoftHSM2 token ``label`` holding an RSA-2048 key pair ``agency-key`` (id 01);
    the key's public half, read back from the token."""
    softhsm("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin,
            "--so-pin", so_pin)
    tool = ["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", label]
    softhsm(*tool, "--login", "--pin", pin, "--keypairgen", "--key-type", "rsa:2048",
            "--id", "01", "--label", "agency-key")
    public_der = softhsm_dir / f"{label}-pub.der"
    softhsm(*tool, "--read-object", "--type", "pubkey", "--label", "agency-key",
            "--output-file", str(public_der))
    return serialization.load_der_public_key(public_der.read_bytes())
