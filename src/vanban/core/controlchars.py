"""Control characters in text a caller sends (issue 15 §5): NUL, escape, bell and the like
have no place in a subject, a name or a note; they break exports, registers printed on paper
and the edXML other installations read. Tabs and line breaks are ordinary text.

Pure Python: no Django import.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

_ALLOWED = frozenset("\t\n\r")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (Unicode category Cc) other than tab and
    line breaks."""
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED for ch in text)


def fields_with_control(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """The names (dotted for nested bodies, ``recipients.0.name``) of the text values in
    ``data`` that hold a control character."""
    for name, value in data.items():
        where = f"{prefix}{name}"
        if isinstance(value, str) and has_control(value):
            yield where
        elif isinstance(value, Mapping):
            yield from fields_with_control(value, where + ".")
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from fields_with_control(item, f"{where}.{index}.")
                elif isinstance(item, str) and has_control(item):
                    yield f"{where}.{index}"
