"""What vanban reads from an edXML message, as plain data for ``vanban edxml inspect``: an
operator tracing an interop problem sees the header, every attachment (name, detected type,
size and SHA-256 after unzipping, zipped or not, both declared types) and the warnings.

Pure Python: no Django import.
"""

from __future__ import annotations

from typing import Any

from vanban.exchange.core.document import (
    DEFAULT_MAX_ATTACHMENT_BYTES,
    DEFAULT_MAX_BYTES,
    EdocMessage,
)
from vanban.exchange.core.edxml import parse_message
from vanban.exchange.core.organisation import Organisation, ResponseFor
from vanban.exchange.core.status import StatusMessage
from vanban.exchange.core.xmlsafe import EdxmlError, format_date, format_timestamp

__all__ = ["describe", "inspect_bytes", "refusal", "render"]


def inspect_bytes(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES,
                  max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> dict[str, Any]:
    """The report for a message: ``readable`` true with its contents, or false with why."""
    try:
        message = parse_message(data, max_bytes=max_bytes,
                                max_attachment_bytes=max_attachment_bytes)
    except EdxmlError as err:
        return refusal(err, len(data))
    return describe(message, len(data))


def refusal(err: EdxmlError, size: int) -> dict[str, Any]:
    """The report of a refused message: the typed reason in both languages."""
    return {"readable": False, "size": size,
            "error": {"code": err.code, "vi": err.vi, "en": err.en,
                      **{k: str(v) for k, v in err.extra.items()}}}


def describe(message: EdocMessage | StatusMessage, size: int) -> dict[str, Any]:
    """The report of a readable message."""
    if isinstance(message, StatusMessage):
        return {"readable": True, "kind": "status", "size": size,
                "message_id": message.message_id, "from": _organ(message.sender),
                "response_for": _reply(message.response_for),
                "status_code": message.status_code.value, "raw_code": message.raw_code,
                "description": message.description,
                "timestamp": (format_timestamp(message.timestamp, "Timestamp")
                              if message.timestamp else None),
                "staff": None if message.staff is None else vars(message.staff),
                "warnings": list(message.warnings)}
    return {"readable": True, "kind": "edoc", "size": size, **_header(message),
            "attachments": [_attachment(position, item) for position, item in
                            enumerate(message.attachments, start=1)],
            "warnings": list(message.warnings)}


def _header(message: EdocMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id, "document_id": message.document_id,
        "from": _organ(message.sender), "to": [_organ(o) for o in message.recipients],
        "code_number": message.code_number, "code_notation": message.code_notation,
        "code": message.code, "promulgation_date": format_date(message.promulgation_date),
        "promulgation_place": message.promulgation_place, "subject": message.subject,
        "type": message.type_code, "type_detail": message.type_detail,
        "type_name": message.type_name, "priority": message.priority,
        "steering_type": message.steering_type, "direction": message.direction,
        "due_date": format_date(message.due_date) if message.due_date else None,
        "business_type": message.business.type.value,
        "business_document_id": message.business.document_id,
        "response_for": [_reply(r) for r in message.response_for],
        "trace": [{"organ_id": hop.organ_id,
                   "timestamp": format_timestamp(hop.timestamp, "TraceHeader/Timestamp")}
                  for hop in message.trace],
        "signature": len(message.signature) > 0,
    }


def _attachment(position: int, item: Any) -> dict[str, Any]:
    return {"position": position, "content_id": item.content_id, "name": item.name,
            "declared_name": item.wire_name, "detected_type": item.detected_type,
            "size": item.size, "sha256": item.sha256, "zipped": item.zipped,
            "content_type": item.content_type,
            "manifest_type": item.manifest_type or item.content_type,
            "description": item.description}


def _organ(organ: Organisation) -> dict[str, str]:
    return {"organ_id": organ.organ_id, "name": organ.name}


def _reply(reply: ResponseFor) -> dict[str, str | None]:
    return {"organ_id": reply.organ_id, "code": reply.code, "document_id": reply.document_id,
            "promulgation_date": (format_date(reply.promulgation_date)
                                  if reply.promulgation_date else None)}


def render(report: dict[str, Any]) -> str:
    """The report as text lines for a terminal (labels in Vietnamese / English)."""
    if not report["readable"]:
        error = report["error"]
        return (f"Không đọc được / refused [{error['code']}]\n  {error['vi']}\n"
                f"  {error['en']}")
    lines = [f"{'Văn bản / document' if report['kind'] == 'edoc' else 'Trạng thái / status'}"
             f" ({report['size']} bytes)"]
    skip = {"readable", "kind", "size", "attachments", "warnings"}
    for key, value in report.items():
        if key not in skip:
            lines.append(f"  {key}: {_text(value)}")
    for item in report.get("attachments", []):
        lines.append(f"  tệp / attachment #{item['position']}: {item['name']}")
        lines.append(f"    detected_type: {item['detected_type']}  size: {item['size']}  "
                     f"zipped: {'yes' if item['zipped'] else 'no'}")
        lines.append(f"    sha256: {item['sha256']}")
        lines.append(f"    declared: {item['content_type']} (manifest {item['manifest_type']})")
    warnings = report.get("warnings", [])
    lines.append(f"  cảnh báo / warnings: {len(warnings)}")
    lines.extend(f"    - {w}" for w in warnings)
    return "\n".join(lines)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in ("", None))
    if isinstance(value, list):
        return "; ".join(_text(v) for v in value) or "-"
    return "-" if value in ("", None) else str(value)
