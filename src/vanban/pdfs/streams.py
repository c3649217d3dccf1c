"""Decompression bombs: a PDF whose compressed streams decode to far more than they weigh
(R16.1: a file arriving at any door must not exhaust the server that opens, renders or signs it).

Flate compresses up to about 1000:1, and filters can be chained, so a 1 MB upload can decode to
gigabytes. Every stream is decoded here with a cap, a megabyte at a time, never whole into
memory (pikepdf's ``read_bytes`` would): ``zlib.decompressobj`` with ``max_length`` for each
``/FlateDecode`` stage, the ASCII stages that may come before it in Python. The ``/DL``
(decoded length) a stream declares is checked first, so an honest bomb is refused unread.

Streams are reached as top-level objects (a stream never lives inside an object stream), found
in the raw bytes, so that object streams themselves are measured before qpdf unpacks them.

Pure Python with pikepdf; no Django.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pikepdf

DEFAULT_MAX_STREAM_BYTES = 256 * 1024 * 1024  # a 600 dpi A4 colour page is about 105 MB
DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
CHUNK = 1024 * 1024
_OBJECT = re.compile(rb"(?<![0-9])(\d{1,9})\s+(\d{1,5})\s+obj\b")  # PDF: < 2**23 objects
_ASCII = {"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
_FLATE = {"/FlateDecode", "/Fl"}


@dataclass(frozen=True)
class Bomb:
    """A stream that decodes past a limit: which object, how far it got, and the limit."""

    objgen: tuple[int, int]
    decoded: int  # bytes decoded (or declared by /DL) when the limit was passed
    encoded: int  # bytes stored in the file
    limit: int

    def describe(self) -> str:
        """For logs: ``object 12 0: 268435457 bytes from 260112 (limit 268435456)``."""
        return (f"object {self.objgen[0]} {self.objgen[1]}: {self.decoded} bytes from "
                f"{self.encoded} (limit {self.limit})")


def find_bomb(pdf: pikepdf.Pdf, data: bytes, *, max_stream: int = DEFAULT_MAX_STREAM_BYTES,
              max_total: int = DEFAULT_MAX_TOTAL_BYTES) -> Bomb | None:
    """The first stream of ``pdf`` (opened from ``data``) that decodes past ``max_stream``
    bytes, or that brings the whole file past ``max_total``; None when all stay within."""
    total = 0
    for objgen in _objects(data):
        stream = pdf.get_object(objgen)
        if not isinstance(stream, pikepdf.Stream):
            continue
        filters = _filters(stream)
        if not _FLATE.intersection(filters):
            continue
        raw = stream.read_raw_bytes()
        declared = stream.get("/DL")
        limit = min(max_stream, max_total - total)
        if isinstance(declared, int) and int(declared) > limit:
            return Bomb(objgen, int(declared), len(raw), limit)
        size = _decoded_size(raw, filters, limit)
        if size > limit:
            return Bomb(objgen, size, len(raw), limit)
        total += size
    return None


def _objects(data: bytes) -> Iterator[tuple[int, int]]:
    """Object numbers of every ``N G obj`` in the file, once each."""
    seen: set[tuple[int, int]] = set()
    for match in _OBJECT.finditer(data):
        objgen = (int(match.group(1)), int(match.group(2)))
        if objgen not in seen:
            seen.add(objgen)
            yield objgen


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    if isinstance(value, pikepdf.Name):
        return [str(value)]
    if isinstance(value, pikepdf.Array):
        return [str(item) for item in value]
    return []


def _decoded_size(raw: bytes, filters: list[str], limit: int) -> int:
    """Bytes after the leading ASCII and Flate stages, stopping just past ``limit``. Stages
    after the first other filter (images: DCT, JBIG2…) are not expanded further: their output
    is what a reader holds."""
    first_other = next((i for i, f in enumerate(filters) if f not in _ASCII | _FLATE),
                       len(filters))
    if _FLATE.intersection(filters[first_other:]):
        # Flate behind a stage we do not expand (LZW, RunLength…): its size cannot be bounded
        # without decoding the stage before it, and no ordinary producer writes such a chain.
        return limit + 1
    size = 0
    try:
        chunks: Iterable[bytes] = (raw,)
        inflating = False
        for filter_name in filters:
            if filter_name in _ASCII and not inflating:  # before any inflation: safe whole
                chunks = (_ascii_decode(b"".join(chunks), filter_name),)
            elif filter_name in _FLATE:
                chunks = _inflate(chunks)
                inflating = True
            else:
                break
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                break
    except (zlib.error, ValueError, binascii.Error):
        pass  # a damaged stream: what decoded counts; viewers stop there too
    return size


def _ascii_decode(data: bytes, filter_name: str) -> bytes:
    if filter_name in {"/ASCIIHexDecode", "/AHx"}:
        text = re.sub(rb"\s", b"", data).split(b">")[0]
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    text = data.strip()
    text = text.removeprefix(b"<~")
    text = text.split(b"~>")[0]
    return base64.a85decode(text, ignorechars=b" \t\r\n\x0b\x0c")


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Decode a zlib stream a megabyte at a time (``max_length``), whatever its ratio."""
    engine = zlib.decompressobj()
    for chunk in chunks:
        pending = chunk
        while pending:
            out = engine.decompress(pending, CHUNK)
            pending = engine.unconsumed_tail
            if out:
                yield out
            if engine.eof:
                return
    tail = engine.flush()
    if tail:
        yield tail
