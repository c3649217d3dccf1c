"""Approval steps and the head's notes checked against the audit log (the same guarantee as
opinions: docs/adr/0008).

Each step is written together with an audit event (``registry.document_submit``, ``_approve``,
``_return``, ``_note``) carrying the step's id and :func:`step_digest` of its stored columns. The
chain makes those events tamper-evident, so :func:`check_steps` (registered with the audit
verifier in ``RegistryConfig.ready``) tells a note edited or deleted with the table's trigger
dropped, or a step inserted behind the application's back.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.audit import chain
from vanban.audit.findings import Failure, FailureKind
from vanban.audit.models import AuditEvent
from vanban.registry.models import ApprovalStep

ACTIONS = ("registry.document_submit", "registry.document_approve", "registry.document_return",
           "registry.document_note")


def step_digest(*, pk: int, document_id: int, kind: str, author_id: int | None,
                author_name: str, at: datetime, note: str) -> str:
    """SHA-256 of a step's stored columns (canonical JSON), carried by its audit event."""
    return chain.digest({"id": pk, "document": document_id, "kind": kind, "author": author_id,
                         "author_name": author_name, "at": chain.iso_utc(at), "note": note})


def _vouched(connection: BaseDatabaseWrapper) -> dict[int, tuple[int, str]]:
    vouched: dict[int, tuple[int, str]] = {}
    events = (AuditEvent.objects.using(connection.alias).filter(action__in=ACTIONS)
              .order_by("seq").values_list("seq", "data"))
    for seq, data in events.iterator(chunk_size=5000):
        payload = json.loads(data)
        if "step_id" in payload:
            vouched[int(payload["step_id"])] = (int(seq), str(payload["row_sha256"]))
    return vouched


def check_steps(connection: BaseDatabaseWrapper) -> Failure | None:
    """The first approval step that differs from, lacks, or outlives its audit event."""
    vouched = _vouched(connection)
    rows = (ApprovalStep.objects.using(connection.alias).order_by("pk")
            .values_list("pk", "document_id", "kind", "author_id", "author_name", "at", "note"))
    for pk, document_id, kind, author_id, author_name, at, note in rows.iterator(
            chunk_size=5000):
        expected = vouched.pop(int(pk), None)
        if expected is None:
            return Failure(0, FailureKind.RECORD_UNVOUCHED,
                           f"Bút phê/bước trình duyệt #{pk} không có trong nhật ký kiểm toán: đã "
                           f"bị chèn trực tiếp vào cơ sở dữ liệu.",
                           f"Approval step #{pk} has no audit event: it was inserted directly "
                           f"into the database.")
        digest = step_digest(pk=int(pk), document_id=int(document_id), kind=str(kind),
                             author_id=int(author_id) if author_id is not None else None,
                             author_name=str(author_name), at=at, note=str(note))
        if digest != expected[1]:
            return Failure(expected[0], FailureKind.RECORD_ALTERED,
                           f"Bút phê/bước trình duyệt #{pk} đã bị sửa sau khi ghi: không khớp mã "
                           f"băm trong sự kiện kiểm toán #{expected[0]}.",
                           f"Approval step #{pk} was altered after it was written: it no longer "
                           f"matches the hash in audit event #{expected[0]}.")
    if vouched:
        pk, (seq, _digest) = min(vouched.items(), key=lambda item: item[1][0])
        return Failure(seq, FailureKind.RECORD_REMOVED,
                       f"Bút phê/bước trình duyệt #{pk} đã bị xoá: sự kiện kiểm toán #{seq} ghi "
                       f"nhận nó nhưng không còn trong cơ sở dữ liệu.",
                       f"Approval step #{pk} was deleted: audit event #{seq} records it but it "
                       f"is no longer in the database.")
    return None
