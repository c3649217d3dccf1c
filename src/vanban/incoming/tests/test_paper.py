"""R10.1: paper documents scanned on arrival are registered in the same incoming register;
bad scans are refused with a reason in Vietnamese and English; classified paper documents are
never handled electronically (R3.1, R16.7)."""

from __future__ import annotations

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import Forbidden, ValidationFailed
from vanban.incoming import services
from vanban.incoming.models import IncomingDocument, IncomingSource
from vanban.pdfs.errors import PdfRejected
from vanban.registry.tests.conftest import make_image
from vanban.signatures.tests.conftest import make_pdf
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def test_scanned_pdf_is_registered_and_stored(finance_clerk, sender, budget_unit):
    """R10.1: a scanned PDF gets the next arrival number; the file is stored content-addressed
    and the register line carries the columns the clerk typed."""
    data = make_pdf(2)
    entry = services.incoming_register_paper(
        actor=finance_clerk, data=data, issuer=sender, code_number="7",
        code_notation="TTr-SNV", subject="Tờ trình về biên chế", type_name="Tờ trình",
        recipient_unit=budget_unit, note="Bản gốc lưu văn thư")
    assert entry.arrival_number == 1
    assert entry.source == IncomingSource.PAPER
    assert entry.issuer_name == "Sở Nội vụ"
    assert entry.number_text == "07/TTr-SNV"
    assert entry.page_amount == 2
    assert blob_read(entry.file_sha256) == data
    assert entry.delivery is None
    assert AuditEvent.objects.filter(action="incoming.register_paper").count() == 1


def test_page_images_are_converted_like_the_registry_upload(finance_clerk):
    """R10.1: page images (JPEG, PNG) become one PDF, one page each."""
    entry = services.incoming_register_paper(
        actor=finance_clerk, data=[make_image("JPEG"), make_image("PNG")],
        issuer_name="Công ty TNHH Minh Phát", subject="Đơn đề nghị")
    assert entry.page_amount == 2
    assert blob_read(entry.file_sha256).startswith(b"%PDF")


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "no_file"), (b"PK\x03\x04 not a pdf", "not_pdf"), (make_pdf()[:300], "broken")])
def test_bad_scans_are_refused_with_a_reason(finance_clerk, data, reason):
    """R10.1: an empty, non-PDF or truncated scan is refused with a message in both
    languages, and nothing is registered."""
    with pytest.raises(ValidationFailed) as err:
        services.incoming_register_paper(actor=finance_clerk, data=data,
                                         issuer_name="UBND xã", subject="Công văn")
    assert err.value.vi
    assert err.value.en
    if isinstance(err.value, PdfRejected):
        assert str(err.value.reason) == reason
    else:
        assert err.value.code == reason
    assert not IncomingDocument.objects.exists()


@pytest.mark.parametrize("classification", ["mat", "toi_mat", "tuyet_mat"])
def test_classified_paper_document_is_refused(finance_clerk, classification):
    """R3.1, R16.7: a classified paper document is not registered electronically; the
    attempt is recorded."""
    with pytest.raises(ValidationFailed) as err:
        services.incoming_register_paper(actor=finance_clerk, data=make_pdf(),
                                         issuer_name="Bộ Công an", subject="Văn bản mật",
                                         classification=classification)
    assert err.value.code == "classified"
    assert "bí mật nhà nước" in err.value.vi
    assert AuditEvent.objects.filter(action="incoming.register_paper.denied").count() == 1
    assert not IncomingDocument.objects.exists()


def test_only_clerks_register_paper(finance_head, finance, health_clerk):
    """R10.1: the head is refused; another agency's clerk cannot write this register."""
    with pytest.raises(Forbidden):
        services.incoming_register_paper(actor=finance_head, data=make_pdf(),
                                         issuer_name="UBND xã", subject="Công văn")
    with pytest.raises(Forbidden):
        services.incoming_register_paper(actor=health_clerk, agency=finance, data=make_pdf(),
                                         issuer_name="UBND xã", subject="Công văn")
    assert AuditEvent.objects.filter(action="incoming.register_paper.denied").count() == 2


def test_issuer_and_subject_are_required(finance_clerk):
    """R10.1: the register's "Tác giả" and "Trích yếu" columns cannot be empty."""
    with pytest.raises(ValidationFailed):
        services.incoming_register_paper(actor=finance_clerk, data=make_pdf(), subject="X")
    with pytest.raises(ValidationFailed):
        services.incoming_register_paper(actor=finance_clerk, data=make_pdf(),
                                         issuer_name="UBND xã", subject="  ")
