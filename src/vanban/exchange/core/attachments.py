"""edXML attachments: the manifest inside the envelope and base64 content outside it (§1.2).

On output ``ContentId`` is ``cid:<id>`` in both places, as the VNPT SDK and Bkav eDoc write it;
on input an optional ``cid:`` (and MIME angle brackets) is stripped before matching. Sizes are
checked on the base64 text before decoding, so an oversized attachment costs no memory, and the
text is decoded without intermediate copies (a 10 MB message stays near its own size).

Each attachment keeps both declared content types (the manifest's and its own) and whether it
arrived in the SDK's one-entry zip wrapper (``zipped``); ``data`` is always the file itself,
and ``detected_type`` says what the bytes are. The writer puts the wrapper back for an
attachment marked ``zipped``, so a forward leaves as it came.

Pure Python + lxml: no Django import.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass, replace
from functools import cached_property

from vanban.exchange.core.filetype import detect_type
from vanban.exchange.core.notes import Notes
from vanban.exchange.core.unzip import ZipLimits, unwrap, wrap
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

# The zip entry name used when an attachment has no name at all.
DEFAULT_ENTRY = "file"
_B64_TEXT = re.compile(r"[A-Za-z0-9+/\t\n\r ]*(?:=[\t\n\r ]*){0,2}")


@dataclass(frozen=True)
class Attachment:
    """One file carried in the message. ``content_id`` is stored bare (without ``cid:``).

    ``content_type``: the attachment's own declared type; ``manifest_type``: the manifest
    ``Reference``'s (``""``: the same); ``zipped``: the file travels in a one-entry zip whose
    entry is named ``zip_entry`` (``""``: ``name``); ``declared_name``: the name on the wire
    when it differs from ``name`` (an ``x.zip`` wrapper around ``y.pdf`` is named ``y.pdf``).
    """

    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""
    manifest_type: str = ""
    zipped: bool = False
    zip_entry: str = ""
    declared_name: str = ""
    manifest_name: str = ""

    def __post_init__(self) -> None:
        # One canonical form, so that what is read and what is written compare equal.
        object.__setattr__(self, "content_id", strip_cid(self.content_id))
        if not self.content_type:
            object.__setattr__(self, "content_type", self.manifest_type)
        if self.manifest_type == self.content_type:
            object.__setattr__(self, "manifest_type", "")
        if self.declared_name == self.name:
            object.__setattr__(self, "declared_name", "")
        if self.manifest_name == self.wire_name:
            object.__setattr__(self, "manifest_name", "")
        if not self.zipped or self.zip_entry == entry_for(self.name):
            object.__setattr__(self, "zip_entry", "")

    @cached_property
    def detected_type(self) -> str:
        """The MIME type the bytes show (``filetype.detect_type``)."""
        return detect_type(self.data)

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of the file itself (after unzipping), hex."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        """Size of the file itself in bytes."""
        return len(self.data)

    @property
    def wire_name(self) -> str:
        """``AttachmentName`` as written in ``AttachmentEncoded``."""
        return self.declared_name or self.name


def entry_for(name: str) -> str:
    """The zip entry an attachment called ``name`` is wrapped in (a usable file name)."""
    if not name or name.endswith(("/", "\\")) or "\x00" in name:
        return DEFAULT_ENTRY
    return name


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
        sub(ref, "ContentType", item.manifest_type or item.content_type,
            path="Reference/ContentType")
        sub(ref, "Description", item.description, path="Reference/Description")
        sub(ref, "AttachmentName", item.manifest_name or item.wire_name,
            path="Reference/AttachmentName")


def build_encoded(root: Element, attachments: tuple[Attachment, ...], *,
                  limit: int | None = None) -> None:
    """Write ``AttachmentEncoded`` after the envelope (default namespace, SDK layout);
    ``limit`` bounds each payload as written (a zipped one is checked after zipping)."""
    if not attachments:
        return
    encoded = sub(root, "AttachmentEncoded")
    for item in attachments:
        el = sub(encoded, "Attachment")
        sub(el, "ContentId", f"cid:{item.content_id}", path="Attachment/ContentId")
        sub(el, "AttachmentName", item.wire_name, path="Attachment/AttachmentName")
        sub(el, "Description", item.description, path="Attachment/Description")
        sub(el, "ContentType", item.content_type, path="Attachment/ContentType")
        # Prefixed and bound locally, exactly as in the SDK sample.
        data = sub(el, "ContentTransferEncoded", declare=True)
        payload = (wrap(item.data, item.zip_entry or entry_for(item.name))
                   if item.zipped else item.data)
        if limit is not None and len(payload) > limit:
            raise _too_large(item.name, len(payload), limit)
        data.text = binascii.b2a_base64(payload, newline=False).decode("ascii")


def encoded_size(attachments: tuple[Attachment, ...]) -> int:
    """Base64 characters the attachments take (unzipped size: an upper bound when zipped)."""
    return sum((len(item.data) + 2) // 3 * 4 for item in attachments)


def _decode(raw: str, name: str, limit: int) -> bytes:
    """Base64 → bytes with the size checked first; whitespace and line breaks are allowed.

    The text is checked in place and decoded straight from the ``str`` (no compacted copy)."""
    if len(raw) // 4 * 3 > limit + 3:
        size = _decoded_size(raw)
        if size > limit + 3:
            raise _too_large(name, size, limit)
    try:  # the common case, one line of base64: strict decoding checks every character
        data = binascii.a2b_base64(raw, strict_mode=True)
    except (binascii.Error, ValueError):
        data = _decode_lines(raw, name)
    if len(data) > limit:
        raise _too_large(name, len(data), limit)
    return data


def _decode_lines(raw: str, name: str) -> bytes:
    """Base64 broken into lines (MIME style): only the alphabet and whitespace are allowed."""
    if _B64_TEXT.fullmatch(raw) is None:
        raise _bad_base64(name)
    try:
        return binascii.a2b_base64(raw)
    except (binascii.Error, ValueError):
        raise _bad_base64(name) from None


def _decoded_size(raw: str) -> int:
    spaces = sum(raw.count(ch) for ch in "\t\n\r ")
    return (len(raw) - spaces) // 4 * 3


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


def read_attachments(root: Element, envelope: Element, *, limit: int,
                     notes: Notes | None = None, zip_limits: ZipLimits | None = None,
                     ) -> tuple[Attachment, ...]:
    """Attachments from ``AttachmentEncoded`` with metadata completed from the manifest.

    ``AttachmentEncoded`` may also be found inside the envelope or body (seen in some
    implementations). An attachment without a content id gets its position as id.
    """
    notes = notes if notes is not None else Notes()
    zip_limits = zip_limits or ZipLimits(max_bytes=limit)
    manifest: dict[str, Element] = {}
    for ref in children(path_child(envelope, "edXMLBody", "edXMLManifest"), "Reference"):
        manifest.setdefault(strip_cid(code_text(ref, "ContentId")), ref)
    holders = [
        *children(root, "AttachmentEncoded"),
        *children(envelope, "AttachmentEncoded"),
        *children(child(envelope, "edXMLBody"), "AttachmentEncoded"),
    ]
    found: list[Attachment] = []
    used: set[str] = set()
    for holder in holders:
        for el in children(holder, "Attachment"):
            item = _read_one(el, manifest, len(found) + 1, _Reading(limit, zip_limits, notes))
            if item.content_id in used:  # kept under a new id: the writer needs unique ones
                fresh = f"{item.content_id}.{len(found) + 1}"
                notes.add("repeated_content_id", f"Content id “{item.content_id[:80]}” "
                          f"repeated; the later file is kept as “{fresh[:90]}”",
                          f"Mã tệp “{item.content_id[:80]}” bị lặp; tệp sau giữ với mã "
                          f"“{fresh[:90]}”")
                item = replace(item, content_id=fresh)
            used.add(item.content_id)
            found.append(item)
    for content_id in manifest:
        if content_id not in used:
            notes.add("manifest_without_content", f"Manifest reference “{content_id[:80]}” "
                      "has no attachment content; ignored",
                      f"Mục “{content_id[:80]}” trong danh mục không có nội dung tệp; bỏ qua")
    return tuple(found)


@dataclass(frozen=True)
class _Reading:
    limit: int
    zip_limits: ZipLimits
    notes: Notes


def _read_one(el: Element, manifest: dict[str, Element], position: int,
              reading: _Reading) -> Attachment:
    content_id = strip_cid(code_text(el, "ContentId")) or str(position)
    ref = manifest.get(content_id)
    declared = text(el, "AttachmentName") or text(ref, "AttachmentName")
    own_type = code_text(el, "ContentType")
    manifest_type = code_text(ref, "ContentType")
    payload = _decode(_raw_text(el), declared or content_id, reading.limit)
    inner = unwrap(payload, name=declared or content_id, limits=reading.zip_limits,
                   notes=reading.notes)
    del payload
    name = declared
    if inner.zipped and declared.lower().endswith(".zip"):
        name = inner.entry.rsplit("/", 1)[-1] or declared
    return Attachment(
        content_id=content_id, name=name, content_type=own_type,
        manifest_type=manifest_type,
        description=(text(el, "Description") or text(ref, "Description")),
        data=inner.data, zipped=inner.zipped, zip_entry=inner.entry, declared_name=declared,
        manifest_name=text(ref, "AttachmentName") or declared,
    )


def _raw_text(el: Element) -> str:
    """The base64 text of ``ContentTransferEncoded`` (no NFC pass: it is ASCII or garbage)."""
    found = child(el, "ContentTransferEncoded")
    if found is None:
        return ""
    value = found.text or ""
    if len(found):
        value = "".join(found.itertext())
    return str(value)
