"""Upload of the scanned document: PDF or page images, appendices merged into one file (R15.2),
refusals with a reason, content-addressed storage."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pikepdf
import pytest
from django.test import override_settings

from vanban.core.errors import Conflict, Forbidden, ValidationFailed
from vanban.registry import selectors, services
from vanban.registry.models import Document, DocumentFile, FileKind
from vanban.registry.tests.conftest import make_image, make_pdf
from vanban.storage.selectors import blob_read

pytestmark = pytest.mark.django_db


def test_upload_pdf(clerk: Any, draft: Document) -> None:
    """R9.1: the scanned PDF is stored by its SHA-256 and becomes the file to sign."""
    data = make_pdf(2)
    stored = services.document_upload(actor=clerk, document=draft, main=[data],
                                      filename="qd.pdf")
    assert stored.kind == FileKind.ORIGINAL
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert blob_read(stored.sha256) == data
    assert stored.page_count == 2
    draft.refresh_from_db()
    assert draft.page_amount == 2
    assert selectors.current_file(draft) == stored


def test_images_become_one_pdf_losslessly(clerk: Any, draft: Document) -> None:
    """Page images (JPEG, PNG, TIFF) become one PDF, one page each, JPEG bytes embedded as is."""
    jpeg = make_image("JPEG", "#eeeeee")
    stored = services.document_upload(
        actor=clerk, document=draft, main=[jpeg, make_image("PNG"), make_image("TIFF")])
    assert stored.page_count == 3
    with pikepdf.open(io.BytesIO(blob_read(stored.sha256))) as pdf:
        first = next(iter(pdf.pages[0].Resources.XObject.values()))
        assert first.read_raw_bytes() == jpeg


def test_appendices_are_merged_into_the_file_to_sign(clerk: Any, draft: Document) -> None:
    """R15.2: the main text then the appendices, in one file, so one signature covers all."""
    main, appendix_1, appendix_2 = make_pdf(2), make_pdf(3), make_image("PNG")
    to_sign = services.document_upload(actor=clerk, document=draft, main=[main],
                                       appendices=[appendix_1, appendix_2])
    assert to_sign.kind == FileKind.MERGED
    assert to_sign.page_count == 2 + 3 + 1
    kinds = list(draft.files.values_list("kind", flat=True))
    assert kinds == [FileKind.ORIGINAL, FileKind.APPENDIX, FileKind.APPENDIX, FileKind.MERGED]
    original = draft.files.get(kind=FileKind.ORIGINAL)
    assert blob_read(original.sha256) == main  # the original is kept as uploaded
    assert selectors.current_file(draft) == to_sign
    assert to_sign.source == original


@pytest.mark.parametrize(("data", "reason"), [
    (b"<html><body>not a pdf</body></html>", "not_pdf"),
    (make_pdf(1)[:400], "broken"),
    (b"", "no_file"),
])
def test_bad_files_are_refused_with_the_reason(clerk: Any, draft: Document, data: bytes,
                                               reason: str) -> None:
    """Non-PDF behind a .pdf name, broken or empty files are refused, nothing is stored."""
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(actor=clerk, document=draft, main=[data], filename="x.pdf")
    assert caught.value.extra.get("reason", caught.value.code) == reason
    assert caught.value.vi
    assert not DocumentFile.objects.exists()


def test_javascript_pdf_is_refused(clerk: Any, draft: Document) -> None:
    """A PDF with JavaScript is refused (the pdfs intake check), nothing is stored."""
    pdf = pikepdf.open(io.BytesIO(make_pdf(1)))
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(actor=clerk, document=draft, main=[out.getvalue()])
    assert getattr(caught.value, "reason", None) == "javascript"
    assert not DocumentFile.objects.exists()


def test_size_limit_is_configurable(clerk: Any, draft: Document) -> None:
    """Files over ``VANBAN_MAX_UPLOAD_BYTES`` are refused."""
    with override_settings(VANBAN_MAX_UPLOAD_BYTES=1000), pytest.raises(ValidationFailed) as err:
        services.document_upload(actor=clerk, document=draft, main=[make_pdf(3)])
    assert getattr(err.value, "reason", None) == "too_large"


def test_mixing_pdf_and_images_is_refused(clerk: Any, draft: Document) -> None:
    """One PDF, or several images: not both."""
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(actor=clerk, document=draft,
                                 main=[make_pdf(1), make_image("PNG")])
    assert caught.value.code == "mixed_files"


def test_only_the_clerk_uploads(specialist: Any, draft: Document) -> None:
    """Uploading the scan is the clerk's job."""
    with pytest.raises(Forbidden):
        services.document_upload(actor=specialist, document=draft, main=[make_pdf(1)])


def test_no_upload_after_ready(clerk: Any, draft: Document) -> None:
    """A cancelled document takes no new file."""
    services.document_cancel(actor=clerk, document=draft, reason="Không ban hành")
    with pytest.raises(Conflict):
        services.document_upload(actor=clerk, document=draft, main=[make_pdf(1)])
