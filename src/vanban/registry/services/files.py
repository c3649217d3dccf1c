"""Files of a document: the scanned original (PDF, or image pages converted losslessly), the
appendices merged into the same file so one signature covers everything (R15.2), and the signed
copy stored as a new blob beside the original, which never changes (R9.1, R15.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from vanban.accounts.services.stepup import SIGN_PURPOSE, StepUp, stepup_confirm, stepup_require
from vanban.audit.services import audit_append
from vanban.core import clock
from vanban.core.errors import ValidationFailed
from vanban.core.roles import Actor
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.pdfs.merge import merge_pdfs
from vanban.registry.models import Document, DocumentFile, DocumentState, FileKind
from vanban.registry.selectors import current_file
from vanban.registry.services.approval import require_may_number, require_may_upload
from vanban.registry.services.common import (
    OBJECT_TYPE,
    actor_id,
    locked,
    refuse_classified,
    require_clerk,
    require_state,
)
from vanban.security.intake import Door, FileGroup, Hold, intake_files
from vanban.storage.selectors import blob_read
from vanban.storage.services import blob_put

if TYPE_CHECKING:
    from vanban.accounts.models import User

PDF = "application/pdf"


UPLOAD_RELEASE = "vanban.registry.services.files:document_upload_release"


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
    # R16.1: the same intake as every door; while the scanner is down the files wait in
    # quarantine and document_upload_release finishes this very call later.
    accepted = intake_files(
        door=Door.UPLOAD, actor=actor, agency_code=document.agency.code,
        groups=[FileGroup(parts=main, what_vi="văn bản", what_en="document",
                          names=[filename]),
                *(FileGroup(parts=[part], what_vi="phụ lục", what_en="appendix")
                  for part in appendices)],
        hold=Hold(action=UPLOAD_RELEASE, data={"document": document.pk, "main": len(main),
                                               "filename": filename}))
    original, original_info = accepted[0].data, accepted[0].info
    extra = [(a.data, a.info) for a in accepted[1:]]
    merged = merge_pdfs([original, *(data for data, _ in extra)]) if extra else None
    merged_info = inspect_pdf(merged, max_bytes=None) if merged is not None else None
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.DRAFT, DocumentState.REGISTERED)
        require_may_upload(document)
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


def document_sign_confirm(*, user: User, document: Document, password: str = "",
                          totp: str = "", pin: str = "", ip: str = "") -> StepUp:
    """R14.3, R21.1: the signing clerk's step-up for ``document`` (password, TOTP or the agency
    token's PIN). Asked of the agency's clerk only, before anything is tried: nobody else may
    spend the token's PIN retries or learn from the answer whether a PIN is right."""
    require_clerk(user, "registry.document_sign", document)
    from vanban.signatures.services import token_pin_check  # the signing stack loads on use

    return stepup_confirm(user=user, password=password, totp=totp, pin=pin,
                          pin_check=token_pin_check(document.agency), ip=ip)


def document_sign(*, actor: Actor | None, document: Document,
                  confirmation: StepUp | None = None) -> DocumentFile:
    """R9.1/R15.1: the clerk signs the registered document's file with the agency certificate.

    R14.3/R21.1: only with a fresh step-up ``confirmation`` of the signing clerk (password, TOTP
    or token PIN, from :func:`~vanban.accounts.services.stepup.stepup_confirm`); the audit event
    names who confirmed and how. The console operator (``actor`` None) needs none.

    Signing runs outside the transaction (it may wait for the time-stamp authority); the state
    is checked again under the row lock before the signed blob is recorded.
    """
    action = "registry.document_sign"
    require_clerk(actor, action, document)
    refuse_classified(actor, action, document)
    confirmed = stepup_require(actor=actor, confirmation=confirmation, purpose=SIGN_PURPOSE,
                               action=action, agency_code=document.agency.code)
    said = confirmed.audit_data() if confirmed is not None else {}
    document = Document.objects.select_related("agency").get(pk=document.pk)  # current state
    require_state(document, DocumentState.REGISTERED)
    require_may_number(document)
    source = current_file(document)
    if source is None:
        raise ValidationFailed("Văn bản chưa có tệp để ký.", "The document has no file to sign.",
                               code="no_file")
    from vanban.signatures.services import pdf_sign  # the signing stack loads on first use

    signed = pdf_sign(actor=actor, agency=document.agency, data=blob_read(source.sha256),
                      confirmed=said)
    info = inspect_pdf(signed.data, max_bytes=len(signed.data))
    with transaction.atomic():
        document = locked(document)
        require_state(document, DocumentState.REGISTERED)
        require_may_number(document)
        result = _store(document, FileKind.SIGNED, signed.data, info, actor=actor,
                        source=source, certificate_id=signed.certificate_id)
        document.state = DocumentState.SIGNED
        document.signed_at = signed.signed_at
        document.updated_at = clock.now()
        document.save(update_fields=["state", "signed_at", "updated_at"])
        audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=document.pk,
                     agency_code=document.agency.code,
                     data={"source": source.sha256, "signed": result.sha256,
                           "certificate": signed.certificate_id, **said})
        return result


def document_upload_release(*, actor: Actor | None, parts: Sequence[bytes],
                            data: dict[str, Any]) -> dict[str, Any]:
    """Finish an upload held in quarantine: the same :func:`document_upload` call, its files now
    scanned clean (called by ``vanban security rescan``)."""
    document = Document.objects.select_related("agency").get(pk=data["document"])
    count = int(data["main"])
    found = document_upload(actor=actor, document=document, main=parts[:count],
                            appendices=parts[count:], filename=str(data.get("filename", "")))
    return {"document": document.pk, "file": found.pk, "sha256": found.sha256}
