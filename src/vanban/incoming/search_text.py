"""What the one search box finds an incoming register line by (issue 13, ADR 0017): arrival
number, the issuer's number and notation, issuer, subject, type, note, issue and arrival dates.
Pure: reads attributes only, so the model's save and the backfilling migration share it."""

from __future__ import annotations

from typing import Any

DAY = "%d/%m/%Y"


def incoming_search_parts(entry: Any) -> list[object]:
    """The searched values of an incoming register line (folded by the caller)."""
    number = entry.code_number or ""
    # As printed ("05/QĐ-UBND") and as the issuer typed it ("5"), so either is found.
    printed = f"{int(number):02d}" if number.isdigit() else number
    if number and entry.code_notation:
        number, printed = f"{number}/{entry.code_notation}", f"{printed}/{entry.code_notation}"
    return [entry.arrival_number, number, printed if printed != number else "",
            entry.code_notation, entry.issuer_name, entry.subject,
            entry.type_name, entry.note,
            entry.issued_date.strftime(DAY) if entry.issued_date else "",
            entry.arrival_date.strftime(DAY) if entry.arrival_date else ""]
