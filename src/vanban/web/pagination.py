"""One page size rule for every API list (R14.3: no single request reads a whole table).

``?limit=`` chooses the page size up to ``VANBAN_API_MAX_PAGE_SIZE`` (200 by default); a larger
value is lowered to it, as DRF does with ``max_limit``, and the ``next`` link carries the
lowered value, so a client that pages by ``next`` sees every row. The default page is
``REST_FRAMEWORK["PAGE_SIZE"]``. A ``limit`` or ``offset`` that is not a whole number (or is
out of range: a limit below 1, a negative offset, an offset beyond
``VANBAN_API_MAX_OFFSET``) is a 400 problem and never reaches the database (issue 15).
A query parameter the list does not take (its view's ``list_parameters``, besides the paging
ones) is a 400 ``bad_filter`` problem: a misspelt filter must not silently widen the answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from vanban.core.errors import ValidationFailed
from vanban.core.pathids import unknown_parameters

# Far beyond any register, far below PostgreSQL's bigint OFFSET limit.
DEFAULT_MAX_OFFSET = 1_000_000_000


def max_page_size() -> int:
    """The documented largest page (``VANBAN_API_MAX_PAGE_SIZE``)."""
    return int(settings.VANBAN_API_MAX_PAGE_SIZE)


def _whole(request: Request, name: str, *, low: int, high: int | None) -> int | None:
    """The query parameter ``name`` as an int in [low, high], None when absent; else 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < low or (
            high is not None and int(text) > high):
        limit = f" (≤ {high})" if high is not None else ""
        raise ValidationFailed(
            f"Tham số “{name}” phải là số nguyên ≥ {low}{limit}.",
            f"The “{name}” parameter must be a whole number ≥ {low}{limit}.",
            code="bad_paging", parameter=name)
    return int(text)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit``/``offset`` paging whose ``limit`` never exceeds the configured maximum."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        """Read the maximum from ``settings.VANBAN_API_MAX_PAGE_SIZE`` for each request (DRF
        keeps it as a class attribute; tests and operators change the setting)."""
        self.max_limit = max_page_size()
        known = frozenset(getattr(view, "list_parameters", frozenset()))
        if unknown := unknown_parameters(request.query_params.keys(), known):
            raise ValidationFailed(
                f"Danh sách này không nhận tham số “{unknown[0]}”.",
                f"This list does not take the “{unknown[0]}” parameter.",
                code="bad_filter", parameter=unknown[0])
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request: Request) -> int | None:
        """The page size: the default, or ``?limit=`` lowered to the maximum; junk is a 400."""
        limit = _whole(request, self.limit_query_param, low=1, high=None)
        if limit is None:
            return self.default_limit
        return min(limit, self.max_limit or limit)

    def get_offset(self, request: Request) -> int:
        """Rows skipped: ``?offset=`` (0 by default); junk or beyond the maximum is a 400."""
        high = int(getattr(settings, "VANBAN_API_MAX_OFFSET", DEFAULT_MAX_OFFSET))
        offset = _whole(request, self.offset_query_param, low=0, high=high)
        return offset or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """Document the maximum in the OpenAPI schema."""
        parameters = super().get_schema_operation_parameters(view)
        maximum = max_page_size()
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=maximum)
                parameter["description"] = (
                    f"Số dòng mỗi trang, tối đa {maximum} / Rows per page, at most {maximum} "
                    "(a larger value is lowered to it).")
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0, maximum=int(getattr(
                    settings, "VANBAN_API_MAX_OFFSET", DEFAULT_MAX_OFFSET)))
        return parameters
