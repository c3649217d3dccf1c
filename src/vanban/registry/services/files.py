"""Files of a document: the scanned original (PDF, or image pages converted losslessly), the
appendices merged into the same file so one signature covers everything (R15.2), and the signed
copy stored as a new blob beside the original, which never changes (R9.1, R15.1).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.pdfs.convert import ACCEPTED, images_to_pdf
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.pdfs.merge import merge_pdfs
from vanban.pdfs.sniff import sniff
from vanban.registry.models import Document, DocumentFile, DocumentState, FileKind
from vanban.registry.selectors import current_file
from vanban.registry.services.common import (
    OBJECT_TYPE,
    actor_id,
    locked,
    refuse_classified,
    require_clerk,
    require_state,
)
from vanban.storage.selectors import blob_read
from vanban.storage.services import blob_put

PDF = "application/pdf"


def _is_image(data: bytes) -> bool:
    return sniff(data).code in ACCEPTED


def as_pdf(parts: Sequence[bytes], *, what_vi: str, what_en: str) -> tuple[bytes, PdfInfo]:
    """One PDF from one PDF or from image pages (JPEG/PNG/TIFF, converted losslessly)."""
    limit = int(settings.VANBAN_MAX_UPLOAD_BYTES)
    if not parts or not any(parts):
        raise ValidationFailed(f"Chưa chọn tệp {what_vi}.", f"No {what_en} file was given.",
                               code="no_file")
    if all(_is_image(p) for p in parts):
        if sum(len(p) for p in parts) > limit:
            raise ValidationFailed(
                f"Tệp {what_vi} quá lớn (tối đa {limit // (1024 * 1024)} MB).",
                f"The {what_en} file is too large (at most {limit // (1024 * 1024)} MB).",
                code="too_large")
        data = images_to_pdf(list(parts))
    elif len(parts) == 1:
        data = parts[0]
    else:
        raise ValidationFailed(
            f"Tệp {what_vi}: chỉ chọn một tệp PDF, hoặc nhiều ảnh trang (JPEG, PNG, TIFF).",
            f"{what_en.capitalize()}: choose one PDF, or several page images (JPEG, PNG, TIFF).",
            code="mixed_files")
    return data, inspect_pdf(data, max_bytes=limit)


def _store(document: Document, kind: FileKind, data: bytes, info: PdfInfo, *,
           actor: Actor | None, filename: str = "", source: DocumentFile | None = None,
           certificate_id: int | None = None) -> DocumentFile:
    blob = blob_put(data=data, content_type=PDF)
    return DocumentFile.objects.create(
        document=document, kind=kind, sha256=blob.sha256, size=len(data),
        page_count=info.page_count, filename=filename[:200], source=source,
        certificate_id=certificate_id, uploaded_at=clock.now(),
        uploaded_by_id=actor_id(actor))


def document_upload(*, actor: Actor | None, document: Document, main: Sequence[bytes],
                    appendices: Sequence[bytes] = (), filename: str = "") -> DocumentFile:
    """Store the scanned document (R9.1) and merge appendices into it (R15.2).

    Returns the file to sign: the original, or the merged file when there are appendices.
    Refused for classified documents (R3.1) and for unsafe or oversized PDFs (with the reason).
    """
    action = "registry.document_upload"
    require_clerk(actor, action, document)
    refuse_classified(actor, action, document)
    original, original_info = as_pdf(main, what_vi="văn bản", what_en="document")
    extra = [as_pdf([part], what_vi="phụ lục", what_en="appendix") for part in appendices]
    merged = merge_pdfs([original, *(data for data, _ in extra)]) if extra else None
    merged_info = inspect_pdf(merged, max_bytes=None) if merged is not None else None
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.DRAFT, DocumentState.REGISTERED)
        first = _store(document, FileKind.ORIGINAL, original, original_info, actor=actor,
                       filename=filename)
        for data, info in extra:
            _store(document, FileKind.APPENDIX, data, info, actor=actor, source=first)
        to_sign = first
        if merged is not None and merged_info is not None:
            to_sign = _store(document, FileKind.MERGED, merged, merged_info, actor=actor,
                             source=first)
        document.page_amount = to_sign.page_count
        document.updated_at = clock.now()
        document.save(update_fields=["page_amount", "updated_at"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code,
                     data={"sha256": to_sign.sha256, "original": first.sha256,
                           "appendices": len(extra), "pages": to_sign.page_count})
        return to_sign


def document_sign(*, actor: Actor | None, document: Document) -> DocumentFile:
    """R9.1/R15.1: the clerk signs the registered document's file with the agency certificate.

    Signing runs outside the transaction (it may wait for the time-stamp authority); the state
    is checked again under the row lock before the signed blob is recorded.
    """
    action = "registry.document_sign"
    require_clerk(actor, action, document)
    refuse_classified(actor, action, document)
    document = Document.objects.select_related("agency").get(pk=document.pk)  # current state
    require_state(document, DocumentState.REGISTERED)
    source = current_file(document)
    if source is None:
        raise ValidationFailed("Văn bản chưa có tệp để ký.", "The document has no file to sign.",
                               code="no_file")
    from vanban.signatures.services import pdf_sign  # the signing stack loads on first use

    signed = pdf_sign(actor=actor, agency=document.agency, data=blob_read(source.sha256))
    info = inspect_pdf(signed.data, max_bytes=len(signed.data))
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.REGISTERED)
        result = _store(document, FileKind.SIGNED, signed.data, info, actor=actor,
                        source=source, certificate_id=signed.certificate_id)
        document.state = DocumentState.SIGNED
        document.signed_at = signed.signed_at
        document.updated_at = clock.now()
        document.save(update_fields=["state", "signed_at", "updated_at"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code,
                     data={"source": source.sha256, "signed": result.sha256,
                           "certificate": signed.certificate_id})
        return result
