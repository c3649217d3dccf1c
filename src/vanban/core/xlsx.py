"""Rows into an openpyxl sheet with every text cell kept as text.

openpyxl turns a string starting with ``=`` into a live formula; document data (subjects from
other agencies, names typed by citizens) must never run as one in the reader's spreadsheet
(CSV/formula injection), so text cells are written as strings, whatever their first character.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def append_text_safe(sheet: Any, values: Iterable[object]) -> None:
    """Append ``values`` as the sheet's next row; each text cell is a literal string."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
