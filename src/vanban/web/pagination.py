"""One page size rule for every API list (R14.3: no single request reads a whole table).

``?limit=`` chooses the page size up to ``VANBAN_API_MAX_PAGE_SIZE`` (200 by default); a larger
value is lowered to it, as DRF does with ``max_limit``, and the ``next`` link carries the
lowered value, so a client that pages by ``next`` sees every row. The default page is
``REST_FRAMEWORK["PAGE_SIZE"]``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit``/``offset`` paging whose ``limit`` never exceeds the configured maximum."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        """Read the maximum from ``settings.VANBAN_API_MAX_PAGE_SIZE`` for each request (DRF
        keeps it as a class attribute; tests and operators change the setting)."""
        self.max_limit = int(settings.VANBAN_API_MAX_PAGE_SIZE)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """Document the maximum in the OpenAPI schema."""
        parameters = super().get_schema_operation_parameters(view)
        maximum = int(settings.VANBAN_API_MAX_PAGE_SIZE)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["maximum"] = maximum
                parameter["description"] = (
                    f"Số dòng mỗi trang, tối đa {maximum} / Rows per page, at most {maximum} "
                    "(a larger value is lowered to it).")
        return parameters
