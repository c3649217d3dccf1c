"""Vietnamese folding for search (issue 13): "Ha Noi" finds "Hà Nội", "dong" finds "Đông".

One rule for every search of the installation: the text stored at write time (each owner's
``search_text`` column) and the words typed in a search box go through :func:`fold`, so a
plain ``LIKE '%word%'`` matches on SQLite and on PostgreSQL (where a trigram index serves it).
Pure Python: no Django import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# đ/Đ are letters of their own in Unicode (no decomposition to d + a mark), so NFD leaves them.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
# How many words of a query are used (a pasted paragraph must not become 200 LIKEs).
MAX_WORDS = 10


def fold(text: str | None) -> str:
    """``text`` without diacritics, đ as d, case-folded, whitespace collapsed to one space."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold().translate(_LETTERS))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def fold_join(parts: Iterable[object]) -> str:
    """The folded search text of a row: its non-empty parts, one space between."""
    return fold(" ".join(str(part) for part in parts if part not in (None, "")))


def words(query: str | None) -> list[str]:
    """The folded words of a query, at most :data:`MAX_WORDS`, each matched on its own."""
    return fold(query).split()[:MAX_WORDS]
