"""The SDK's zip wrapper around each attachment: recognised by content, undone with limits.

The VNPT SDK zips every attachment into a one-entry archive before base64; the manifest's and
the attachment's content types may say ``application/zip`` or the inner type, so neither is
trusted. An attachment whose bytes are a zip with exactly one file entry is unwrapped; a zip
with several entries (or an OOXML document, which is a zip too) is kept as it is. Expansion is
bounded by the attachment size limit, a compression ratio and an entry count, checked while
inflating (the sizes a zip declares are not believed), so a zip bomb costs no memory.

Pure Python: no Django import.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from vanban.exchange.core.filetype import is_zip
from vanban.exchange.core.notes import Notes
from vanban.exchange.core.xmlsafe import EdxmlZipBomb

__all__ = [
    "DEFAULT_MAX_ENTRIES", "DEFAULT_MAX_RATIO", "Unwrapped", "ZipLimits", "unwrap", "wrap",
]

DEFAULT_MAX_RATIO = 200
DEFAULT_MAX_ENTRIES = 1000
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How far one zipped attachment may expand."""

    max_bytes: int
    max_ratio: int = DEFAULT_MAX_RATIO
    max_entries: int = DEFAULT_MAX_ENTRIES


@dataclass(frozen=True)
class Unwrapped:
    """An attachment's bytes after the wrapper; ``entry`` is the inner file's name."""

    data: bytes
    zipped: bool
    entry: str = ""


def unwrap(data: bytes, *, name: str, limits: ZipLimits, notes: Notes) -> Unwrapped:
    """Undo a one-entry zip wrapper; anything else comes back unchanged (``zipped=False``)."""
    if not is_zip(data):
        return Unwrapped(data=data, zipped=False)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        notes.add("zip_unreadable", f"Attachment “{name[:80]}” looks zipped but cannot be "
                  "read as a zip; kept as received",
                  f"Tệp “{name[:80]}” có dạng zip nhưng không đọc được; giữ nguyên như đã nhận")
        return Unwrapped(data=data, zipped=False)
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise _bomb(name, f"{len(infos)} mục (tối đa {limits.max_entries})",
                        f"{len(infos)} entries (at most {limits.max_entries})")
        files = [info for info in infos if not info.is_dir()]
        if len(files) != 1 or len(infos) != 1:
            return Unwrapped(data=data, zipped=False)
        inner = _inflate(archive, files[0], len(data), name, (limits, notes))
    if inner is None:
        return Unwrapped(data=data, zipped=False)
    return Unwrapped(data=inner, zipped=True, entry=files[0].filename)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, packed: int, name: str,
             how: tuple[ZipLimits, Notes]) -> bytes | None:
    """Read the one entry in chunks, stopping as soon as a limit is passed (None: cannot)."""
    limits, notes = how
    ceiling = min(limits.max_bytes, max(packed, 1) * limits.max_ratio)
    out = io.BytesIO()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                if out.tell() > ceiling:
                    raise _too_far(name, out.tell(), packed, limits)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, zlib.error, OSError,
            EOFError, ValueError) as exc:
        # Encrypted, unknown method, or damaged: keep the zip itself rather than lose it.
        notes.add("zip_unreadable", f"Attachment “{name[:80]}” is a zip that cannot be "
                  f"unpacked ({type(exc).__name__}); kept as received",
                  f"Không giải nén được tệp “{name[:80]}”; giữ nguyên như đã nhận")
        return None
    return out.getvalue()


def _too_far(name: str, size: int, packed: int, limits: ZipLimits) -> EdxmlZipBomb:
    if size > limits.max_bytes:
        return _bomb(name, f"hơn {limits.max_bytes} byte khi giải nén",
                     f"over {limits.max_bytes} bytes unpacked")
    return _bomb(name, f"tỉ lệ nén hơn {limits.max_ratio}:1 ({packed} byte nén)",
                 f"a compression ratio over {limits.max_ratio}:1 ({packed} bytes packed)")


def _bomb(name: str, vi: str, en: str) -> EdxmlZipBomb:
    return EdxmlZipBomb(
        f"Tệp đính kèm nén “{name[:80]}” bị từ chối: {vi}.",
        f"Zipped attachment “{name[:80]}” refused: {en}.",
    )


def wrap(data: bytes, entry: str) -> bytes:
    """A one-entry zip of ``data`` as the SDK writes it (deflated; fixed time: same bytes)."""
    info = zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(info, data)
    return out.getvalue()
