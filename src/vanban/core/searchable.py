"""A folded search text kept on the row by the row's own save (issue 13, ADR 0017).

A model that one search box must find (outgoing documents, incoming register lines, work files)
inherits :class:`Searchable` and says which of its values are searched; every save — a
create, an edit, a save with ``update_fields`` — writes the folded text (:mod:`vanban.core.fold`)
in the same statement, so the column is never stale and the search is a plain
``LIKE '%word%'`` (a trigram index serves it on PostgreSQL). Writers that bypass ``save()``
(``QuerySet.update``, raw SQL) must call :meth:`Searchable.search_text_refresh` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import QuerySet

from vanban.core.fold import fold_join, words

M = TypeVar("M", bound=models.Model)

# Shown in the admin and the schema: where the column comes from.
SEARCH_TEXT_HELP = "Folded (vanban.core.fold) searched values, written by save()"


class Searchable(models.Model):
    """Abstract: a ``search_text`` column filled from ``search_parts`` at every save."""

    search_text = models.TextField(blank=True, default="", editable=False,
                                   help_text=SEARCH_TEXT_HELP)
    # The function giving a row's searched values (also used by the backfilling migration).
    search_parts: ClassVar[Callable[[Any], list[object]]]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save with the search text of the values being saved."""
        self.search_text = self.search_text_compute()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def search_text_compute(self) -> str:
        """The folded text of this row as it is now."""
        return fold_join(type(self).search_parts(self))

    def search_text_refresh(self) -> None:
        """For a writer that changed searched values without ``save()`` (raw SQL)."""
        self.search_text = self.search_text_compute()
        type(self)._default_manager.filter(pk=self.pk).update(search_text=self.search_text)


# --- for the migrations that add the column ----------------------------------------------------

BACKFILL_BATCH = 2000


def search_text_backfill(model: type[models.Model], parts: Callable[[Any], list[object]]) -> int:
    """Fill ``search_text`` of every existing row of ``model`` (a historical model: no save
    override) from ``parts``, a batch at a time; how many rows."""
    done = 0
    batch: list[Any] = []
    for row in model._default_manager.order_by("pk").iterator(chunk_size=BACKFILL_BATCH):
        row.search_text = fold_join(parts(row))  # type: ignore[attr-defined]
        batch.append(row)
        if len(batch) >= BACKFILL_BATCH:
            model._default_manager.bulk_update(batch, ["search_text"])
            done, batch = done + len(batch), []
    if batch:
        model._default_manager.bulk_update(batch, ["search_text"])
    return done + len(batch)


def trigram_index_create(connection: Any, *, table: str, name: str) -> None:
    """On PostgreSQL, a trigram GIN index on ``table.search_text``, so ``LIKE '%word%'`` does
    not read the whole table (pg_trgm is a trusted extension since PostgreSQL 13). SQLite: none,
    a plain LIKE over the agency's rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Names are constants of the migrations, never input.
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                       "USING gin (search_text gin_trgm_ops)")


def trigram_index_drop(connection: Any, *, name: str) -> None:
    """Undo :func:`trigram_index_create` (the extension stays: others may use it)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")


def search_matching(rows: QuerySet[M], query: str | None, *,
                    field: str = "search_text") -> QuerySet[M]:
    """The rows whose folded text holds every folded word of ``query`` (any order): one
    ``LIKE '%word%'`` per word, on the folded column (``field`` may cross a relation)."""
    for word in words(query):
        rows = rows.filter(**{f"{field}__contains": word})
    return rows
