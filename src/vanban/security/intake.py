"""One intake for every door (R16.1, R3.1): the counter's and clerk's uploads, paper scanned on
arrival, federation, and later mail and the one-stop portal all call :func:`intake_files`.

In order, for each group of files (a document, an appendix):

1. **type by content**, not by name (:func:`~vanban.pdfs.sniff.sniff`): one PDF, or page images
   (JPEG, PNG, TIFF) converted losslessly where the door allows images; anything else (a
   program, an HTML page, an archive) is refused with its real kind named;
2. **the PDF intake rules** (:func:`~vanban.pdfs.inspect.inspect_pdf`): size, encryption,
   damage, JavaScript, launch actions, embedded files…;
3. **the malware scanner** (:mod:`vanban.security.scanner`) over every file as it arrived.

Malware is refused and audited with the door, SHA-256 and signature; nothing is stored. When the
scanner cannot be reached the files are never accepted: with a :class:`Hold` they wait in
quarantine (:class:`~vanban.security.errors.HeldForScanning`), without one the caller is told
to come back (:class:`~vanban.security.errors.ScannerUnavailable`, 503 with Retry-After).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings

from vanban.audit.services import audit_append
from vanban.core.errors import DomainError, ValidationFailed
from vanban.core.roles import Actor
from vanban.pdfs.convert import ACCEPTED, images_to_pdf
from vanban.pdfs.errors import PdfRejected
from vanban.pdfs.inspect import PdfInfo, inspect_pdf
from vanban.pdfs.sniff import sniff
from vanban.security.cleared import cleared, cleared_now
from vanban.security.errors import (
    HeldForScanning,
    MalwareFound,
    ScannerUnavailable,
    Unscannable,
)
from vanban.security.scanner import get_scanner

OBJECT_TYPE = "security.file"


class Door(StrEnum):
    """Where a file comes in. Values are stored (audit events, quarantine rows)."""

    UPLOAD = "upload"  # a clerk's or counter officer's upload of a document and appendices
    PAPER = "paper"  # a paper document scanned on arrival
    FEDERATION = "federation"  # a peer installation
    MAIL = "mail"  # the mail gateway
    ONESTOP = "onestop"  # the citizen portal and the one-stop counter


# Doors whose sender is outside the installation: every refusal there is audited, not only
# malware (a peer or a stranger probing the intake leaves a trace).
EXTERNAL = frozenset({Door.FEDERATION, Door.MAIL, Door.ONESTOP})


@dataclass(frozen=True)
class FileGroup:
    """Files that become one PDF: one PDF, or the page images of one scan."""

    parts: Sequence[bytes]
    what_vi: str  # how the user calls it: "văn bản", "phụ lục"…
    what_en: str
    images: bool = True  # whether page images are accepted (and converted)
    names: Sequence[str] = ()  # file names as given, for messages and the audit log


@dataclass(frozen=True)
class Accepted:
    """One group as accepted: the PDF to store and what inspection learnt about it."""

    data: bytes
    info: PdfInfo


@dataclass(frozen=True)
class Hold:
    """How to finish the action later if the files must wait for the scanner: the dotted path of
    a release function (``vanban.<app>....:function``) and the JSON it needs."""

    action: str
    data: Mapping[str, Any] = field(default_factory=dict)




def intake_files(*, door: Door, groups: Sequence[FileGroup], actor: Actor | None = None,
                 agency_code: str = "", hold: Hold | None = None,
                 context: Mapping[str, Any] | None = None) -> list[Accepted]:
    """Check, convert and scan ``groups``; the accepted PDFs in the same order, or a refusal.

    ``context`` is added to audit events (e.g. the peer). Call it outside the action's
    transaction: refusals are audited in their own, which must survive the action's failure.
    """
    try:
        accepted = [intake_pdf_rules(group) for group in groups]
    except DomainError as err:
        if door in EXTERNAL:
            _audit_refusal(door, err, groups, actor=actor, agency_code=agency_code,
                           context=context)
        raise
    _scan_all(door=door, groups=groups, actor=actor, agency_code=agency_code, hold=hold,
              context=context)
    return accepted


def intake_pdf_rules(group: FileGroup) -> Accepted:
    """One PDF from one PDF or, where allowed, from page images; then the PDF intake rules."""
    limit = int(settings.VANBAN_MAX_UPLOAD_BYTES)
    parts = list(group.parts)
    if not parts or not any(parts):
        raise ValidationFailed(f"Chưa chọn tệp {group.what_vi}.",
                               f"No {group.what_en} file was given.", code="no_file")
    if group.images and all(sniff(p).code in ACCEPTED for p in parts):
        if sum(len(p) for p in parts) > limit:
            raise ValidationFailed(
                f"Tệp {group.what_vi} quá lớn (tối đa {limit // (1024 * 1024)} MB).",
                f"The {group.what_en} file is too large (at most {limit // (1024 * 1024)} MB).",
                code="too_large")
        data = images_to_pdf(parts)
    elif len(parts) == 1:
        data = parts[0]
    elif group.images:
        raise ValidationFailed(
            f"Tệp {group.what_vi}: chỉ chọn một tệp PDF, hoặc nhiều ảnh trang (JPEG, PNG, TIFF).",
            f"{group.what_en.capitalize()}: choose one PDF, or several page images "
            "(JPEG, PNG, TIFF).", code="mixed_files")
    else:
        raise ValidationFailed(f"Tệp {group.what_vi}: chỉ nhận một tệp PDF.",
                               f"{group.what_en.capitalize()}: only one PDF is accepted.",
                               code="mixed_files")
    return Accepted(data=data, info=inspect_pdf(data, max_bytes=limit))


def _scan_all(*, door: Door, groups: Sequence[FileGroup], actor: Actor | None,
              agency_code: str, hold: Hold | None, context: Mapping[str, Any] | None) -> None:
    """Scan every part as it arrived; refuse malware, hold or refuse when the scanner is down."""
    scanner = get_scanner()
    if scanner is None:  # embedded default without a scanner: `check --deploy` warns
        return
    done = cleared_now()
    named = [(p, _name(g, i)) for g in groups for i, p in enumerate(g.parts)]
    for data, name in named:
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in done:
            continue
        try:
            verdict = scanner.scan(data)
        except Unscannable as err:  # over the scanner's limit: refused, and said so
            _audit(door, "security.unscannable", actor=actor, agency_code=agency_code,
                   sha256=sha256, data={"name": name, "detail": err.detail[:300],
                                        **(context or {})})
            err.audited = True
            raise
        except ScannerUnavailable as err:
            if hold is None:
                _audit(door, "security.scan_unavailable", actor=actor, agency_code=agency_code,
                       sha256=sha256,
                       data={"name": name, "detail": err.detail[:300], **(context or {})})
                raise
            from vanban.security.quarantine import quarantine_hold

            held = quarantine_hold(door=door, hold=hold, actor=actor, agency_code=agency_code,
                                   files=named, detail=err.detail)
            raise HeldForScanning(quarantine=str(held.uid)) from err
        if verdict.infected:
            _audit(door, "security.malware_found", actor=actor, agency_code=agency_code,
                   sha256=sha256,
                   data={"name": name, "signature": verdict.signature,
                         "engine": verdict.engine, **(context or {})})
            found = MalwareFound(signature=verdict.signature, sha256=sha256, name=name)
            found.audited = True
            raise found


def _name(group: FileGroup, index: int) -> str:
    return group.names[index][:200] if index < len(group.names) else ""


def _audit(door: Door, action: str, *, actor: Actor | None, agency_code: str, sha256: str,
           data: Mapping[str, Any]) -> None:
    """An intake event in its own transaction (the refused action rolls back, this stays)."""
    audit_append(actor=actor, action=action, object_type=OBJECT_TYPE, object_id=sha256,
                 agency_code=agency_code, data={"door": str(door), "sha256": sha256, **data})


def _audit_refusal(door: Door, err: DomainError, groups: Sequence[FileGroup], *,
                   actor: Actor | None, agency_code: str,
                   context: Mapping[str, Any] | None) -> None:
    """A file refused by the type or PDF rules at an external door."""
    first = next((p for g in groups for p in g.parts if p), b"")
    sha256 = hashlib.sha256(first).hexdigest()
    reason = err.reason.value if isinstance(err, PdfRejected) else err.code
    kind = sniff(first).code if first else ""
    _audit(door, "security.intake_refused", actor=actor, agency_code=agency_code,
           sha256=sha256, data={"reason": reason, "kind": kind, **(context or {})})
    err.audited = True


__all__ = ["EXTERNAL", "Accepted", "Door", "FileGroup", "Hold", "cleared", "intake_files",
           "intake_pdf_rules"]
