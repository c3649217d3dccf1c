"""What the OpenAPI schema documents: the integrators' API under ``/api/`` only.

The federation door (``/exchange/federation/messages/``) is a DRF view too, but it speaks
signed edXML between installations, not JSON to integrators; it has its own description in
``docs/operator-guide.md``.
"""

from __future__ import annotations

from typing import Any


def only_api_endpoints(endpoints: list[tuple[str, str, str, Any]],
                       **kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular preprocessing hook: keep the endpoints under ``/api/``."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
