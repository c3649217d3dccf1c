"""Opinions checked against the audit log (R14.2, R14.3; docs/adr/0008).

Each opinion is written together with an audit event (``workflow.opinion_write``) that carries
the opinion's id and :func:`opinion_digest` of its stored columns. The audit chain makes that
event itself tamper-evident, so :func:`check_opinions` (registered with the audit verifier in
``WorkflowConfig.ready``) can tell an opinion edited or deleted with the table's trigger dropped,
or one inserted behind the application's back.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db.backends.base.base import BaseDatabaseWrapper

from vanban.audit import chain
from vanban.audit.findings import Failure, FailureKind
from vanban.audit.models import AuditEvent
from vanban.workflow.models import Opinion

ACTION = "workflow.opinion_write"


def opinion_digest(*, pk: int, incoming_id: int, author_id: int, author_name: str,
                   at: datetime, kind: str, text: str, corrects_id: int | None) -> str:
    """SHA-256 of an opinion's stored columns (canonical JSON)."""
    return chain.digest({"id": pk, "incoming": incoming_id, "author": author_id,
                         "author_name": author_name, "at": chain.iso_utc(at), "kind": kind,
                         "text": text, "corrects": corrects_id})


def check_opinions(connection: BaseDatabaseWrapper) -> Failure | None:
    """The first opinion that differs from, lacks, or outlives the audit event vouching for it."""
    vouched: dict[int, tuple[int, str]] = {}
    events = (AuditEvent.objects.using(connection.alias).filter(action=ACTION)
              .order_by("seq").values_list("seq", "data"))
    for seq, data in events.iterator(chunk_size=5000):
        payload = json.loads(data)
        vouched[int(payload["opinion_id"])] = (int(seq), str(payload["row_sha256"]))
    rows = (Opinion.objects.using(connection.alias).order_by("pk")
            .values_list("pk", "incoming_id", "author_id", "author_name", "at", "kind", "text",
                         "corrects_id"))
    for pk, incoming_id, author_id, author_name, at, kind, text, corrects_id in rows.iterator(
            chunk_size=5000):
        expected = vouched.pop(int(pk), None)
        if expected is None:
            return Failure(0, FailureKind.RECORD_UNVOUCHED,
                           f"Ý kiến #{pk} không có trong nhật ký kiểm toán: đã bị chèn trực tiếp "
                           f"vào cơ sở dữ liệu.",
                           f"Opinion #{pk} has no audit event: it was inserted directly into "
                           f"the database.")
        digest = opinion_digest(pk=int(pk), incoming_id=int(incoming_id),
                                author_id=int(author_id), author_name=str(author_name),
                                at=at, kind=str(kind), text=str(text),
                                corrects_id=int(corrects_id) if corrects_id else None)
        if digest != expected[1]:
            return Failure(expected[0], FailureKind.RECORD_ALTERED,
                           f"Ý kiến #{pk} đã bị sửa sau khi ghi: nội dung không khớp mã băm trong "
                           f"sự kiện kiểm toán #{expected[0]}.",
                           f"Opinion #{pk} was altered after it was written: it no longer "
                           f"matches the hash in audit event #{expected[0]}.")
    if vouched:
        pk, (seq, _digest) = min(vouched.items(), key=lambda item: item[1][0])
        return Failure(seq, FailureKind.RECORD_REMOVED,
                       f"Ý kiến #{pk} đã bị xoá: sự kiện kiểm toán #{seq} ghi nhận nó nhưng không "
                       f"còn trong cơ sở dữ liệu.",
                       f"Opinion #{pk} was deleted: audit event #{seq} records it but it is no "
                       f"longer in the database.")
    return None
