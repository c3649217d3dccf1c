"""R9.1/R15.1/R15.2: the clerk signs the registered document (main text and appendices in one
file) with the agency certificate; the signed file is a new blob and the original never changes.
Uses the real signatures service and the demo PKI."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from vanban.audit.models import AuditEvent
from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.directory.models import Agency
from vanban.pdfs.inspect import inspect_pdf
from vanban.registry import selectors, services
from vanban.registry.models import Document, DocumentState, FileKind
from vanban.registry.tests.conftest import confirmed, make_image, make_pdf
from vanban.signatures import keysources
from vanban.signatures.demo import demo_pki_load
from vanban.signatures.models import CertificateAuthority
from vanban.signatures.pki import load_pems
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def _validate(signed: bytes) -> Any:
    roots = [keysources.asn1_cert(load_pems(ca.cert_pem)[0])
             for ca in CertificateAuthority.objects.filter(kind="root")]
    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    reader = PdfFileReader(io.BytesIO(signed))
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0],
                                  signer_validation_context=context,
                                  ts_validation_context=context)


@pytest.fixture
def pki(sender: Agency) -> None:
    """The demo PKI with a certificate for the sending agency."""
    demo_pki_load(agencies=[sender])


def test_clerk_signs_main_text_and_appendices_in_one_signature(
        pki: None, clerk: Any, draft: Document) -> None:
    """R9.1, R15.1, R15.2: one valid signature over the whole merged file; the original and the
    merged blobs are unchanged and the signed file is a new blob."""
    services.document_register(actor=clerk, document=draft)
    merged = services.document_upload(actor=clerk, document=draft, main=[make_pdf(2)],
                                      appendices=[make_pdf(1), make_image("JPEG")])
    merged_bytes = blob_read(merged.sha256)
    signed = services.document_sign(actor=clerk, document=draft, confirmation=confirmed(clerk))
    assert signed.kind == FileKind.SIGNED
    assert signed.source == merged
    assert signed.sha256 != merged.sha256
    assert blob_read(merged.sha256) == merged_bytes  # the original blob never changes
    data = blob_read(signed.sha256)
    assert data.startswith(merged_bytes)  # incremental update of a copy
    assert signed.page_count == 4
    assert inspect_pdf(data).has_signatures
    status = _validate(data)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    draft.refresh_from_db()
    assert draft.state == DocumentState.SIGNED
    assert selectors.signed_file(draft) == signed
    assert AuditEvent.objects.filter(action="registry.document_sign").count() == 1
    ready = services.document_mark_ready(actor=clerk, document=draft)
    assert ready.state == DocumentState.READY


def test_sign_needs_registration_and_a_file(pki: None, clerk: Any, draft: Document) -> None:
    """The number comes first (Decree 30 Art. 15), then the file, then the signature."""
    with pytest.raises(Conflict):
        services.document_sign(actor=clerk, document=draft, confirmation=confirmed(clerk))
    services.document_register(actor=clerk, document=draft)
    with pytest.raises(ValidationFailed) as caught:
        services.document_sign(actor=clerk, document=draft, confirmation=confirmed(clerk))
    assert caught.value.code == "no_file"


def test_only_the_clerk_signs(pki: None, clerk: Any, specialist: Any, draft: Document) -> None:
    """R9.1: the clerk signs with the agency certificate; a specialist is refused, audited."""
    services.document_register(actor=clerk, document=draft)
    services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    with pytest.raises(Forbidden):
        services.document_sign(actor=specialist, document=draft)
    assert AuditEvent.objects.filter(action="registry.document_sign.denied").exists()
    assert not draft.files.filter(kind=FileKind.SIGNED).exists()


def test_agency_with_certificate_must_sign_before_ready(pki: None, clerk: Any,
                                                        draft: Document) -> None:
    """R9.1: where the agency has a certificate, an unsigned document is not ready to send."""
    services.document_register(actor=clerk, document=draft)
    services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    with pytest.raises(ValidationFailed) as caught:
        services.document_mark_ready(actor=clerk, document=draft)
    assert caught.value.code == "not_signed"


def test_agency_without_certificate_sends_unsigned(clerk: Any, draft: Document) -> None:
    """R9.1 ("where the agency has one"): no certificate, the registered scan may go."""
    services.document_register(actor=clerk, document=draft)
    services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
    assert services.document_mark_ready(actor=clerk, document=draft).state == DocumentState.READY
