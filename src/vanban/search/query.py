"""What one search asks: words, a kind, a date range, an issuer, a register, a type. Read from
the address (a GET form), so a search can be bookmarked, paged and exported as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vanban.core.dayinput import parse_day
from vanban.core.errors import ValidationFailed
from vanban.core.text import clean_text

OUTGOING = "outgoing"
INCOMING = "incoming"
WORK = "work"
FILES = "files"
KINDS: tuple[str, ...] = (OUTGOING, INCOMING, WORK, FILES)
MAX_QUERY = 200


@dataclass(frozen=True)
class SearchQuery:
    """One search. ``kind`` empty: every kind (a few rows of each); the dates bound the issue
    date of an outgoing document, the arrival date of an incoming one, the deadline of a work
    line and the start date of a work file."""

    text: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    issuer_id: int | None = None
    register_id: int | None = None
    type_code: str = ""

    @property
    def empty(self) -> bool:
        """Nothing asked: the page shows only the form."""
        return self == SearchQuery(kind=self.kind)

    @property
    def narrowing_documents_only(self) -> bool:
        """An issuer, register or type is asked: work files (which have none) are left out."""
        return bool(self.issuer_id or self.register_id or self.type_code)


def _id(raw: Any, vi: str, en: str) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValidationFailed(f"{vi} không hợp lệ.", f"Invalid {en}.", code="bad_filter")
    return int(text)


def query_from(params: Any, type_codes: frozenset[str]) -> SearchQuery:
    """The search in ``params`` (a QueryDict); a bad value is refused in both languages."""
    kind = str(params.get("kind") or "")
    if kind and kind not in KINDS:
        raise ValidationFailed("Loại kết quả không hợp lệ.", "Invalid kind of result.",
                               code="bad_filter")
    type_code = str(params.get("type") or "")
    if type_code and type_code not in type_codes:
        raise ValidationFailed("Loại văn bản không hợp lệ.", "Invalid document type.",
                               code="bad_filter")
    query = SearchQuery(
        text=clean_text(str(params.get("q") or ""), MAX_QUERY, "nội dung tìm", "search text"),
        kind=kind, date_from=parse_day(str(params.get("from") or "")),
        date_to=parse_day(str(params.get("to") or "")),
        issuer_id=_id(params.get("issuer"), "Cơ quan ban hành", "issuer"),
        register_id=_id(params.get("register"), "Sổ", "register"), type_code=type_code)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ValidationFailed("“Từ ngày” phải trước hoặc bằng “Đến ngày”.",
                               "The start date must not be after the end date.",
                               code="bad_date_range")
    return query
