"""Keyset paging for the long lists (issue 13, observed 6): a page of rows newest first and a
visible link to the next page, never a list cut silently at a few hundred rows.

The page is asked with ``?after=<id>``: the rows with a smaller id, so a page costs the same
on page 1 and on page 2,000 (no ``OFFSET``), and rows arriving meanwhile do not shift it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

PAGE_SIZE = 50
T = TypeVar("T", bound=Model)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its rows, the id the next page starts after (None: this is the last page),
    and whether this is the first page."""

    items: list[T]
    next_after: int | None
    first: bool

    def __len__(self) -> int:
        return len(self.items)


def after_of(raw: Any) -> int | None:
    """The ``after`` parameter as an id (anything else: the first page)."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() else None


def keyset_page(rows: QuerySet[T], *, after: int | None, size: int = PAGE_SIZE) -> Page[T]:
    """Rows ordered by id descending, ``size`` of them after ``after``; one more row is read
    to know whether a next page exists."""
    ordered = rows.order_by("-pk")
    if after is not None:
        ordered = ordered.filter(pk__lt=after)
    items = list(ordered[:size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items=items, next_after=int(items[-1].pk) if more else None,
                first=after is None)
