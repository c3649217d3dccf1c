"""What a path id of the API may look like, checked by the URL map before any view runs.

A malformed id (letters where a number is expected, a number too large for the database's
``bigint``, something that is not a UUID) matches no route, so the caller gets the API's 404
problem and no view, query or conversion ever sees it (issue 15: no 500 on any input). The
routers take these as ``lookup_value_regex``; actions with a second id use them in ``url_path``.

Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Iterable

# At most 18 digits: always below 2**63, so no database integer column overflows.
ID_PATTERN = r"[0-9]{1,18}"
# A UUID in its usual spelling, with or without dashes (as Django's UUIDField reads it).
UUID_PATTERN = (r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                r"[0-9a-fA-F]{12}")
# An agency's identifier code (at most 35 characters in the directory; looked up, not parsed).
CODE_PATTERN = r"[^/]{1,64}"


def is_id(text: str) -> bool:
    """Whether ``text`` is a database id the routes would accept (query parameters too)."""
    return text.isascii() and text.isdigit() and 0 < len(text) <= 18


# Taken by every list: the page and DRF's ``format`` override.
PAGING_PARAMETERS = frozenset({"limit", "cursor", "format"})


def unknown_parameters(given: Iterable[str], known: frozenset[str]) -> list[str]:
    """The query parameter names in ``given`` a list does not take, so a misspelt filter is
    refused instead of silently widening the answer."""
    return sorted(name for name in given if name not in known | PAGING_PARAMETERS)
