"""The filters of the API lists, read one way (issue 15 §4): the same names as the pages'
filters (``state``, ``date_from``/``date_to``, ``agency``, ``year``, ``type``), each checked
before any query, a value that cannot be one a 400 ``bad_filter`` problem naming it.

A view declares its filters as :class:`ListFilter` rows: they give the schema's parameters
and the names the paginator lets through (:func:`names`); :func:`read` turns the query
string into plain values the view hands to its selector.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter

from vanban.core import clock
from vanban.core.errors import ValidationFailed

EARLIEST_YEAR = 1945
CODE_MAX = 35  # an agency's identifier code in the directory
TEXT_MAX = 200


@dataclass(frozen=True)
class ListFilter:
    """One filter: its name, kind (``choice``, ``day``, ``year``, ``code``, ``text``), the
    values a ``choice`` takes, and its description for the schema."""

    name: str
    kind: str
    description: str
    choices: Sequence[str] = ()

    def parameter(self) -> OpenApiParameter:
        """The OpenAPI query parameter."""
        kinds: dict[str, Any] = {"day": date, "year": int}
        return OpenApiParameter(self.name, kinds.get(self.kind, str), OpenApiParameter.QUERY,
                                description=self.description,
                                enum=list(self.choices) or None)


def bad_filter(name: str) -> ValidationFailed:
    """The 400 problem for a filter whose value cannot be one."""
    return ValidationFailed(f"Bộ lọc “{name}” không hợp lệ.", f"Invalid filter “{name}”.",
                            code="bad_filter", parameter=name)


def names(filters: Iterable[ListFilter]) -> frozenset[str]:
    """The parameter names a list takes (its ``list_parameters``)."""
    return frozenset(f.name for f in filters)


def parameters(filters: Iterable[ListFilter]) -> list[OpenApiParameter]:
    """The schema's parameters for the filters."""
    return [f.parameter() for f in filters]


def _value(item: ListFilter, text: str) -> Any:
    if item.kind == "choice":
        if text not in item.choices:
            raise bad_filter(item.name)
        return text
    if item.kind == "day":
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None or not EARLIEST_YEAR <= day.year <= clock.now().year + 10:
            raise bad_filter(item.name)
        return day
    if item.kind == "year":
        if not (text.isascii() and text.isdigit() and len(text) == 4
                and EARLIEST_YEAR <= int(text) <= clock.now().year + 10):
            raise bad_filter(item.name)
        return int(text)
    limit = CODE_MAX if item.kind == "code" else TEXT_MAX
    if len(text) > limit or not text.isprintable():
        raise bad_filter(item.name)
    return text.upper() if item.kind == "code" else text


def read(params: Mapping[str, Any], filters: Iterable[ListFilter]) -> dict[str, Any]:
    """The given filters' values (absent or empty ones left out); a bad value is a 400."""
    values: dict[str, Any] = {}
    for item in filters:
        text = str(params.get(item.name, "") or "").strip()
        if text:
            values[item.name] = _value(item, text)
    if (start := values.get("date_from")) and (end := values.get("date_to")) and start > end:
        raise bad_filter("date_to")
    return values


def state_filter(choices: Iterable[str], description: str = "") -> ListFilter:
    """``state``: one of the list's states."""
    return ListFilter("state", "choice", description or "Trạng thái / state", tuple(choices))


DATE_FROM = ListFilter("date_from", "day", "Từ ngày (giờ Việt Nam) / from this local day")
DATE_TO = ListFilter("date_to", "day", "Đến ngày (giờ Việt Nam) / up to this local day")
YEAR = ListFilter("year", "year", "Năm / year")


def agency_filter(description: str) -> ListFilter:
    """``agency``: an agency's identifier code (the other party of the list's rows)."""
    return ListFilter("agency", "code", description)


def narrow(rows: Any, values: Mapping[str, Any], lookups: Mapping[str, str]) -> Any:
    """``rows`` (a queryset) narrowed by each given filter through its ORM lookup."""
    given = {lookups[name]: value for name, value in values.items() if name in lookups}
    return rows.filter(**given) if given else rows
