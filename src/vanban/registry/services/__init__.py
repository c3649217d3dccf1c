"""Writes to the registry: documents, numbering, files and signatures (R3, R6, R9, R15).

Each service runs in one transaction and appends its audit event inside it. A refused attempt
(wrong role, classified document) is audited in its own transaction before the error is raised,
so the refusal survives the error (R16.7). Do not wrap these services in an outer transaction
if refusals must be kept.
"""

from vanban.registry.services.approval import (
    document_approve,
    document_note,
    document_return,
    document_submit,
)
from vanban.registry.services.documents import (
    RecipientInput,
    document_cancel,
    document_create,
    document_mark_ready,
    document_mark_sent,
    document_register,
    document_update,
)
from vanban.registry.services.files import document_sign, document_sign_confirm, document_upload

__all__ = [
    "RecipientInput",
    "document_approve",
    "document_cancel",
    "document_create",
    "document_mark_ready",
    "document_mark_sent",
    "document_note",
    "document_register",
    "document_return",
    "document_sign",
    "document_sign_confirm",
    "document_submit",
    "document_update",
    "document_upload",
]
