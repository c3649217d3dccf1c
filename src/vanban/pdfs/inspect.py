"""Inspect a PDF before it enters the system and refuse what must not (issue 3, R3.1 entry
points): empty, not a PDF, too large, encrypted, damaged, or carrying active content (JavaScript,
Launch actions, embedded files). Never raises anything but :class:`PdfRejected` for bad input.

Free of Django except for the default size limit, read lazily from ``VANBAN_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from vanban.pdfs.errors import PdfRejected, Reason, human_size
from vanban.pdfs.sniff import sniff

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_HEADER = re.compile(rb"^%PDF-[12]\.\d")
_EOF_WINDOW = 1024  # readers look for %%EOF in the last KB; a file cut short has none
_PLACES = {  # where active content was found, by the first key on the path from the catalog
    "/OpenAction": ("khi mở tệp", "run on opening"),
    "/AA": ("trong hành động tự động", "in automatic actions"),
    "/Annots": ("trong chú thích hoặc liên kết của trang", "in a page annotation or link"),
    "/Names": ("trong danh mục tên của tài liệu", "in the document names tree"),
    "/AcroForm": ("trong biểu mẫu", "in a form"),
}
_ELSEWHERE = ("trong nội dung tài liệu", "in the document")


@dataclass(frozen=True)
class PdfInfo:
    """What intake learnt about an accepted PDF."""

    page_count: int
    pdf_version: str  # header version, e.g. "1.7"
    has_signatures: bool  # carries at least one signed signature field (PAdES or older)
    sha256: str  # of the bytes inspected, hex
    size: int = 0  # bytes


def default_max_bytes() -> int:
    """``settings.VANBAN_MAX_UPLOAD_BYTES`` when Django is configured, else 50 MB."""
    try:
        from django.conf import settings

        return int(getattr(settings, "VANBAN_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))
    except Exception:  # no Django or no settings: a library user gets the documented default
        return DEFAULT_MAX_BYTES


def inspect_pdf(data: bytes, *, max_bytes: int | None = None) -> PdfInfo:
    """Check ``data`` and describe it, or raise :class:`PdfRejected` with the reason."""
    limit = default_max_bytes() if max_bytes is None else max_bytes
    _check_envelope(data, limit)
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as err:
        raise PdfRejected(Reason.ENCRYPTED, detail=str(err)) from err
    except Exception as err:  # qpdf raises several types on hostile input; all mean "damaged"
        raise PdfRejected(Reason.BROKEN, detail=str(err)) from err
    with pdf:
        if pdf.is_encrypted:  # opened with the empty user password: still encrypted, refused
            raise PdfRejected(Reason.ENCRYPTED, detail="owner password only")
        try:
            scan = _scan(pdf)
            page_count = len(pdf.pages)
            warnings = list(pdf.get_warnings())
        except PdfRejected:
            raise
        except Exception as err:  # damaged objects surface lazily, while walking
            raise PdfRejected(Reason.BROKEN, detail=str(err)) from err
        version = str(pdf.pdf_version)
    scan.raise_first()
    if warnings:  # qpdf had to repair the file: a damaged file is not signed as if it were whole
        raise PdfRejected(Reason.BROKEN, detail="; ".join(str(w) for w in warnings[:3]))
    if page_count == 0:
        raise PdfRejected(Reason.EMPTY, detail="no pages")
    return PdfInfo(page_count=page_count, pdf_version=version,
                   has_signatures=scan.signed, sha256=hashlib.sha256(data).hexdigest(),
                   size=len(data))


def _check_envelope(data: bytes, limit: int) -> None:
    """Refusals decided from the raw bytes, before any parsing."""
    if not data:
        raise PdfRejected(Reason.EMPTY)
    if len(data) > limit:
        raise PdfRejected(Reason.TOO_LARGE, size=human_size(len(data)), limit=human_size(limit))
    if not _HEADER.match(data):
        kind = sniff(data)
        if kind.code == "pdf":  # "%PDF-" but no valid version: a damaged header
            raise PdfRejected(Reason.BROKEN, detail="bad header")
        raise PdfRejected(Reason.NOT_PDF, kind_vi=kind.vi, kind_en=kind.en, detail=kind.code)
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise PdfRejected(Reason.BROKEN, detail="no %%EOF at the end: truncated")


@dataclass
class _Scan:
    """Findings of one walk over every object reachable from the trailer."""

    signed: bool = False
    found: dict[Reason, str] = field(default_factory=dict)  # reason -> place key

    def note(self, reason: Reason, place: str) -> None:
        self.found.setdefault(reason, place)

    def raise_first(self) -> None:
        """Raise for the most serious finding: launching programs, then scripts, then files."""
        for reason in (Reason.LAUNCH_ACTION, Reason.JAVASCRIPT, Reason.EMBEDDED_FILE):
            if reason in self.found:
                where_vi, where_en = _PLACES.get(self.found[reason], _ELSEWHERE)
                raise PdfRejected(reason, where_vi=where_vi, where_en=where_en,
                                  detail=self.found[reason])


def _scan(pdf: pikepdf.Pdf) -> _Scan:
    """Walk the object graph once (iteratively: hostile nesting must not exhaust the stack)."""
    scan = _Scan()
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[pikepdf.Object, str]] = [(pdf.trailer, "")]
    while stack:
        obj, place = stack.pop()
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            _check_dictionary(obj, place, scan)
            children: Iterator[tuple[str, pikepdf.Object]] = (
                (key, obj[key]) for key in obj.keys())  # noqa: SIM118 (pikepdf API)
        elif isinstance(obj, pikepdf.Array):
            children = ((place, item) for item in obj)
        else:
            continue
        for key, child in children:
            if not isinstance(child, pikepdf.Object):  # numbers, booleans: nothing inside
                continue
            if child.is_indirect:
                if child.objgen in seen:
                    continue
                seen.add(child.objgen)
            stack.append((child, place or (key if key in _PLACES else "")))
    return scan


def _check_dictionary(obj: pikepdf.Object, place: str, scan: _Scan) -> None:
    """Note active content and signatures carried by one dictionary (or stream dictionary)."""
    keys = set(obj.keys())
    action = str(obj.get("/S")) if "/S" in keys else ""
    if "/JS" in keys or action == "/JavaScript" or "/XFA" in keys:
        scan.note(Reason.JAVASCRIPT, place)
    if action == "/Launch":
        scan.note(Reason.LAUNCH_ACTION, place)
    if action == "/GoToE" or "/EF" in keys or "/EmbeddedFiles" in keys:
        scan.note(Reason.EMBEDDED_FILE, place)
    if "/ByteRange" in keys and "/Contents" in keys:
        scan.signed = True
