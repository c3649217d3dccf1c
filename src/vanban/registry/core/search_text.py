"""What the one search box finds an outgoing document by (issue 13, ADR 0017): its number as
printed, notation, subject, type, signer and issue date. Pure: reads attributes only, so the
model's save and the backfilling migration (a historical model) share it."""

from __future__ import annotations

from typing import Any

from vanban.registry.core.numbering import TYPES_BY_CODE, DocumentNumber, format_number

DAY = "%d/%m/%Y"


def document_search_parts(document: Any) -> list[object]:
    """The searched values of an outgoing document (folded by the caller)."""
    number = ""
    if document.code_number:
        year = (document.issued_date.year
                if document.legal_normative and document.issued_date else None)
        number = format_number(DocumentNumber(number=document.code_number,
                                              notation=document.code_notation, year=year))
    kind = TYPES_BY_CODE.get(document.type_code)
    issued = document.issued_date.strftime(DAY) if document.issued_date else ""
    return [number, document.code_notation, document.subject, kind.name if kind else "",
            document.position, document.full_name, issued]
