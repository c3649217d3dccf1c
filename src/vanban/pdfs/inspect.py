"""Inspect a PDF before it enters the system and refuse what must not (issue 3, R3.1 entry
points; R16.1 at every door): empty, not a PDF, too large, encrypted, damaged, a decompression
bomb (:mod:`.streams`), or carrying active content: JavaScript, actions that launch programs,
send form data out (SubmitForm), open or read other files (GoToR, ImportData), embedded files
(GoToE, attachments), or a web address opened without a click (a URI action run on opening or
by an automatic ``/AA`` trigger; an ordinary link the reader clicks is allowed). Never raises
anything but :class:`PdfRejected` for bad input.

Free of Django except for the default limits, read lazily from ``VANBAN_MAX_UPLOAD_BYTES``,
``VANBAN_PDF_MAX_STREAM_BYTES`` and ``VANBAN_PDF_MAX_DECODED_BYTES``.
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
from vanban.pdfs.streams import DEFAULT_MAX_STREAM_BYTES, DEFAULT_MAX_TOTAL_BYTES, find_bomb

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
_AUTOMATIC = {"/OpenAction", "/AA"}  # actions under these keys run without a click
_OUTSIDE = {"/GoToR": "GoToR", "/ImportData": "ImportData"}
_SERIOUSNESS = (Reason.LAUNCH_ACTION, Reason.JAVASCRIPT, Reason.SUBMIT_FORM, Reason.OUTSIDE_FILE,
                Reason.AUTOMATIC_URI, Reason.EMBEDDED_FILE)


@dataclass(frozen=True)
class PdfInfo:
    """What intake learnt about an accepted PDF."""

    page_count: int
    pdf_version: str  # header version, e.g. "1.7"
    has_signatures: bool  # carries at least one signed signature field (PAdES or older)
    sha256: str  # of the bytes inspected, hex
    size: int = 0  # bytes


def _setting(name: str, default: int) -> int:
    """An integer setting when Django is configured, else the documented default."""
    try:
        from django.conf import settings

        return int(getattr(settings, name, default))
    except Exception:  # no Django or no settings: a library user gets the documented default
        return default


def default_max_bytes() -> int:
    """``settings.VANBAN_MAX_UPLOAD_BYTES`` when Django is configured, else 50 MB."""
    return _setting("VANBAN_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def inspect_pdf(data: bytes, *, max_bytes: int | None = None, max_stream_bytes: int | None = None,
                max_decoded_bytes: int | None = None) -> PdfInfo:
    """Check ``data`` and describe it, or raise :class:`PdfRejected` with the reason.

    ``max_stream_bytes`` / ``max_decoded_bytes``: how far one stream, and all streams together,
    may decode (defaults from the settings, 256 MB and 1 GB)."""
    limit = default_max_bytes() if max_bytes is None else max_bytes
    stream_limit = (_setting("VANBAN_PDF_MAX_STREAM_BYTES", DEFAULT_MAX_STREAM_BYTES)
                    if max_stream_bytes is None else max_stream_bytes)
    total_limit = (_setting("VANBAN_PDF_MAX_DECODED_BYTES", DEFAULT_MAX_TOTAL_BYTES)
                   if max_decoded_bytes is None else max_decoded_bytes)
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
            bomb = find_bomb(pdf, data, max_stream=stream_limit, max_total=total_limit)
            if bomb is not None:  # before the walk: qpdf unpacks object streams as it goes
                raise PdfRejected(Reason.DECOMPRESSION_BOMB, limit=human_size(bomb.limit),
                                  detail=bomb.describe())
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
    action: str = ""  # the action named in OUTSIDE_FILE's message (GoToR, ImportData)

    def note(self, reason: Reason, place: str) -> None:
        self.found.setdefault(reason, place)

    def raise_first(self) -> None:
        """Raise for the most serious finding: launching programs, then scripts, sending data
        out, other files, addresses opened by themselves, then embedded files."""
        for reason in _SERIOUSNESS:
            if reason in self.found:
                where_vi, where_en = _PLACES.get(self.found[reason], _ELSEWHERE)
                raise PdfRejected(reason, where_vi=where_vi, where_en=where_en,
                                  action=self.action, detail=self.found[reason])


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
    if action == "/SubmitForm":
        scan.note(Reason.SUBMIT_FORM, place)
    if action in _OUTSIDE:
        scan.action = scan.action or _OUTSIDE[action]
        scan.note(Reason.OUTSIDE_FILE, place)
    for key in _AUTOMATIC.intersection(keys):
        if any(str(run.get("/S")) == "/URI" for run in _actions_run_by(obj[key], key)):
            scan.note(Reason.AUTOMATIC_URI, place or key)
    if action == "/GoToE" or "/EF" in keys or "/EmbeddedFiles" in keys:
        scan.note(Reason.EMBEDDED_FILE, place)
    if "/ByteRange" in keys and "/Contents" in keys:
        scan.signed = True


def _actions_run_by(value: pikepdf.Object, key: str) -> Iterator[pikepdf.Dictionary]:
    """The action dictionaries run without a click from an ``/OpenAction`` value (an action;
    a destination array runs none) or an ``/AA`` dictionary (an action per trigger), following
    each ``/Next`` chain; a destination's page is not entered, its links are clicked."""
    if key == "/AA":
        pending = list(value.values()) if isinstance(value, pikepdf.Dictionary) else []
    else:
        pending = [value] if isinstance(value, pikepdf.Dictionary) else []
    seen: set[tuple[int, int]] = set()
    while pending and len(seen) < 10_000:  # hostile chains end too
        item = pending.pop()
        if isinstance(item, pikepdf.Array):
            pending.extend(item)
            continue
        if not isinstance(item, pikepdf.Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        yield item
        if "/Next" in item:
            pending.append(item.Next)
