"""What a tolerant read let through: each note is ``code: English | Vietnamese``, kept on the
parsed message (``warnings``) so an operator can see why a message still arrived.

Pure Python: no Django import.
"""

from __future__ import annotations

__all__ = ["Notes"]


class Notes:
    """An ordered collector of warnings for one message read."""

    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, code: str, en: str, vi: str) -> None:
        """Record one tolerated deviation (duplicates are kept once)."""
        item = f"{code}: {en} | {vi}"
        if item not in self._items:
            self._items.append(item)

    def items(self) -> tuple[str, ...]:
        """The notes, in the order they were met."""
        return tuple(self._items)
