"""Which of our sent deliveries a status from another system is about (issue 10, observed 7).

A status names the document by its edXML ``DocumentId``; some receivers rebuild that id
themselves (another date format, a zero-padded number, other case or spaces), so an exact
match can miss. Then the document is found by what the id and the status's ``ResponseFor``
say: the issuing agency's code, the number and notation, and the date issued, compared the way
a clerk would (numbers as numbers, notations without case or spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from vanban.directory.models import Agency
from vanban.exchange.core.organisation import ResponseFor
from vanban.exchange.models import Delivery

_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d", "%Y.%m.%d",
                 "%d.%m.%Y")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class DocumentKey:
    """What identifies a sent document besides its id: issuer, number, notation, date."""

    organ_id: str
    issued: date
    number: str
    notation: str


def parse_date(text: str) -> date | None:
    """A date in any of the forms receivers write (``2026/03/02``, ``02/03/2026``…)."""
    text = text.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def split_code(code: str) -> tuple[str, str]:
    """``05/QĐ-UBND`` → (``05``, ``QĐ-UBND``); a code without ``/`` is all number."""
    number, _sep, notation = code.strip().partition("/")
    return number.strip(), notation.strip()


def key_from_document_id(document_id: str) -> DocumentKey | None:
    """``<OrganId>,<date>,<number>/<notation>`` read leniently; None when it is not one."""
    parts = document_id.split(",", 2)
    if len(parts) != 3:
        return None
    issued = parse_date(parts[1])
    number, notation = split_code(parts[2])
    if not parts[0].strip() or issued is None or not (number or notation):
        return None
    return DocumentKey(parts[0].strip(), issued, number, notation)


def keys_of(response_for: ResponseFor) -> list[DocumentKey]:
    """The keys a status gives: its ``ResponseFor`` fields, then its ``DocumentId``."""
    keys: list[DocumentKey] = []
    if response_for.organ_id and response_for.promulgation_date and response_for.code:
        number, notation = split_code(response_for.code)
        keys.append(DocumentKey(response_for.organ_id.strip(), response_for.promulgation_date,
                                number, notation))
    from_id = key_from_document_id(response_for.document_id)
    if from_id is not None and from_id not in keys:
        keys.append(from_id)
    return keys


def _same_number(a: str, b: str) -> bool:
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return _SPACES.sub("", a).casefold() == _SPACES.sub("", b).casefold()


def _same_notation(a: str, b: str) -> bool:
    return _SPACES.sub("", a).casefold() == _SPACES.sub("", b).casefold()


def sent_deliveries(response_for: ResponseFor, recipient: Agency) -> QuerySet[Delivery]:
    """Our sent deliveries to ``recipient`` that a status about ``response_for`` is about:
    by the exact ``DocumentId``, else by issuer, number, notation and date (for update
    under the row lock, with the transmission's sender and the recipient read)."""
    base = (Delivery.objects.select_for_update(of=("self",))
            .select_related("transmission__sender", "recipient")
            .filter(transmission__origin="", recipient=recipient))
    exact = base.filter(transmission__edxml_document_id=response_for.document_id)
    if response_for.document_id and exact.exists():
        return exact
    for key in keys_of(response_for):
        candidates = list(Delivery.objects.filter(
            transmission__origin="", recipient=recipient,
            transmission__sender__code__iexact=key.organ_id,
            transmission__issued_date=key.issued).values_list(
                "pk", "transmission__code_number", "transmission__code_notation"))
        found = [pk for pk, number, notation in candidates
                 if _same_number(number, key.number) and _same_notation(notation, key.notation)]
        if found:
            return base.filter(pk__in=found)
    return base.none()
