"""edXML attachments: the manifest inside the envelope and base64 content outside it (§1.2).

On output ``ContentId`` is ``cid:<id>`` in both places, as the VNPT SDK and Bkav eDoc write it;
on input an optional ``cid:`` (and MIME angle brackets) is stripped before matching. Sizes are
checked on the base64 text before decoding, so an oversized attachment costs no memory.

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from vanban.exchange.core.xmlsafe import (
    EdxmlAttachmentTooLarge,
    EdxmlBadBase64,
    EdxmlBadValue,
    Element,
    child,
    children,
    code_text,
    path_child,
    strip_cid,
    sub,
    text,
)

_B64_WS = re.compile(rb"[\t\n\r ]+")
_B64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")


@dataclass(frozen=True)
class Attachment:
    """One file carried in the message. ``content_id`` is stored bare (without ``cid:``)."""

    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_id", strip_cid(self.content_id))


def build_manifest(body: Element, attachments: tuple[Attachment, ...]) -> None:
    """Write ``edXMLBody/edXMLManifest`` with one ``Reference`` per attachment."""
    manifest = sub(body, "edXMLManifest")
    manifest.set("version", "1.0")
    seen: set[str] = set()
    for item in attachments:
        if not item.content_id or item.content_id in seen:
            raise EdxmlBadValue(
                f"Mã tệp đính kèm “{item.content_id}” rỗng hoặc trùng.",
                f"Attachment content id “{item.content_id}” is empty or repeated.",
                field="Reference/ContentId",
            )
        seen.add(item.content_id)
        ref = sub(manifest, "Reference")
        sub(ref, "ContentId", f"cid:{item.content_id}", path="Reference/ContentId")
        sub(ref, "ContentType", item.content_type, path="Reference/ContentType")
        sub(ref, "Description", item.description, path="Reference/Description")
        sub(ref, "AttachmentName", item.name, path="Reference/AttachmentName")


def build_encoded(root: Element, attachments: tuple[Attachment, ...]) -> None:
    """Write ``AttachmentEncoded`` after the envelope (default namespace, SDK layout)."""
    if not attachments:
        return
    encoded = sub(root, "AttachmentEncoded")
    for item in attachments:
        el = sub(encoded, "Attachment")
        sub(el, "ContentId", f"cid:{item.content_id}", path="Attachment/ContentId")
        sub(el, "AttachmentName", item.name, path="Attachment/AttachmentName")
        sub(el, "Description", item.description, path="Attachment/Description")
        sub(el, "ContentType", item.content_type, path="Attachment/ContentType")
        # Prefixed and bound locally, exactly as in the SDK sample.
        data = sub(el, "ContentTransferEncoded", declare=True)
        data.text = base64.b64encode(item.data).decode("ascii")


def _decode(raw: str, name: str, limit: int) -> bytes:
    """Base64 → bytes with the size checked first; whitespace and line breaks are allowed."""
    compact = _B64_WS.sub(b"", raw.encode("utf-8", "replace"))
    if len(compact) // 4 * 3 > limit + 3:
        raise _too_large(name, len(compact) // 4 * 3, limit)
    if len(compact) % 4 or not _B64.match(compact):
        raise _bad_base64(name)
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise _bad_base64(name) from None
    if len(data) > limit:
        raise _too_large(name, len(data), limit)
    return data


def _too_large(name: str, size: int, limit: int) -> EdxmlAttachmentTooLarge:
    return EdxmlAttachmentTooLarge(
        f"Tệp đính kèm “{name[:80]}” dài khoảng {size} byte, vượt giới hạn {limit} byte.",
        f"Attachment “{name[:80]}” is about {size} bytes, over the limit of {limit} bytes.",
        size=size, limit=limit,
    )


def _bad_base64(name: str) -> EdxmlBadBase64:
    return EdxmlBadBase64(
        f"Nội dung tệp đính kèm “{name[:80]}” không phải base64 hợp lệ.",
        f"The content of attachment “{name[:80]}” is not valid base64.",
    )


def read_attachments(root: Element, envelope: Element, *, limit: int) -> tuple[Attachment, ...]:
    """Attachments from ``AttachmentEncoded`` with metadata completed from the manifest.

    ``AttachmentEncoded`` may also be found inside the envelope or body (seen in some
    implementations). An attachment without a content id gets its position as id.
    """
    manifest: dict[str, Element] = {}
    for ref in children(path_child(envelope, "edXMLBody", "edXMLManifest"), "Reference"):
        manifest.setdefault(strip_cid(code_text(ref, "ContentId")), ref)
    holders = [
        *children(root, "AttachmentEncoded"),
        *children(envelope, "AttachmentEncoded"),
        *children(child(envelope, "edXMLBody"), "AttachmentEncoded"),
    ]
    found: list[Attachment] = []
    for holder in holders:
        for el in children(holder, "Attachment"):
            content_id = strip_cid(code_text(el, "ContentId")) or str(len(found) + 1)
            ref = manifest.get(content_id)
            name = text(el, "AttachmentName") or text(ref, "AttachmentName")
            found.append(Attachment(
                content_id=content_id,
                name=name,
                content_type=(code_text(el, "ContentType") or code_text(ref, "ContentType")),
                description=(text(el, "Description") or text(ref, "Description")),
                data=_decode(text(el, "ContentTransferEncoded"), name or content_id, limit),
            ))
    return tuple(found)
