"""One paging style for every API list (issue 15 §4, R14.3): keyset pages behind an opaque
``cursor``, with a documented maximum page size and no ``COUNT(*)``.

A page is ``?limit=`` rows (``REST_FRAMEWORK["PAGE_SIZE"]`` by default, at most
``VANBAN_API_MAX_PAGE_SIZE``; a larger value is lowered to it and ``next`` carries the lowered
value). The rows are ordered by a unique key of the list (its view's ``page_ordering``, newest
first by default); ``next`` / ``previous`` hold a cursor naming the key the next page starts
after, so a page costs one index range scan on page 1 and on page 20,000 alike, and rows
arriving meanwhile neither shift nor repeat a page. A ``limit`` that is not a whole number ≥ 1,
or a cursor this server did not write, is a 400 ``bad_paging`` problem that never reaches the
database. A query parameter the list does not take (its view's ``list_parameters``) is a 400
``bad_filter`` problem: a misspelt filter must not silently widen the answer.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import Any
from urllib import parse

from django.conf import settings
from django.db import models
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from vanban.core.errors import ValidationFailed
from vanban.core.pathids import unknown_parameters

DEFAULT_ORDERING = "-pk"
MAX_POSITION_LENGTH = 200  # a key written by this server is far shorter


def max_page_size() -> int:
    """The documented largest page (``VANBAN_API_MAX_PAGE_SIZE``)."""
    return int(settings.VANBAN_API_MAX_PAGE_SIZE)


def bad_paging(name: str, vi: str, en: str) -> ValidationFailed:
    """The 400 problem for a paging parameter that cannot be read."""
    return ValidationFailed(vi, en, code="bad_paging", parameter=name)


def refuse_unknown(request: Request, view: Any) -> None:
    """A 400 ``bad_filter`` for the first query parameter the view's list does not take."""
    known = frozenset(getattr(view, "list_parameters", frozenset()))
    if unknown := unknown_parameters(request.query_params.keys(), known):
        raise ValidationFailed(
            f"Danh sách này không nhận tham số “{unknown[0]}”.",
            f"This list does not take the “{unknown[0]}” parameter.",
            code="bad_filter", parameter=unknown[0])


def _numeric_key(model: type[models.Model], name: str) -> bool:
    """Whether the list's key column holds numbers (its cursor key must then be digits)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return isinstance(field, models.IntegerField | models.AutoField)


class KeysetCursorPagination(CursorPagination):
    """DRF's cursor paging, made strict: bounded ``limit``, checked cursors, unknown
    parameters refused, the ordering chosen by the view (a unique key, so no offsets)."""

    page_size_query_param = "limit"
    cursor_query_description = ("Trang tiếp theo: giá trị ``cursor`` trong ``next`` / "
                                "``previous`` (không tự tạo) / the page to read: copy it "
                                "from ``next`` or ``previous``, never build it.")
    ordering = DEFAULT_ORDERING

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        """Refuse unknown parameters, then page (the maximum read per request: tests and
        operators change the setting)."""
        self.max_page_size = max_page_size()
        refuse_unknown(request, view)
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        """The view's ``page_ordering`` (a unique key), newest first by default."""
        return (str(getattr(view, "page_ordering", DEFAULT_ORDERING)),)

    def get_page_size(self, request: Any) -> int:
        """The page size: the default, or ``?limit=`` lowered to the maximum; junk is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return int(self.page_size or 50)
        text = raw.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < 1:
            raise bad_paging("limit", "Tham số “limit” phải là số nguyên ≥ 1.",
                             "The “limit” parameter must be a whole number ≥ 1.")
        return min(int(text), self.max_page_size or int(text))

    def decode_cursor(self, request: Any) -> Cursor | None:
        """The cursor of ``next``/``previous``; anything else is a 400 (never a query)."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        refused = bad_paging("cursor", "Tham số “cursor” không hợp lệ: hãy dùng liên kết "
                             "“next” hoặc “previous”.", "Invalid “cursor”: follow the “next” "
                             "or “previous” link.")
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        except (UnicodeError, binascii.Error, ValueError):
            raise refused from None
        tokens = parse.parse_qs(text, keep_blank_values=True)
        if set(tokens) - {"r", "p"} or any(len(v) != 1 for v in tokens.values()):
            raise refused
        reverse = tokens.get("r", ["0"])[0]
        position = tokens.get("p", [None])[0]
        if reverse not in {"0", "1"} or not self._position_valid(position):
            raise refused
        # DRF's Cursor is typed with an int position; it carries the key's text.
        return Cursor(offset=0, reverse=reverse == "1", position=position)  # type: ignore[arg-type]

    def encode_cursor(self, cursor: Cursor) -> str:
        """The link, carrying the lowered ``limit`` when one was given (so following
        ``next`` reads pages of the size actually served)."""
        link = str(super().encode_cursor(cursor))
        request: Request = self.request  # type: ignore[attr-defined]  # set by DRF's paging
        if self.page_size_query_param in request.query_params:
            link = replace_query_param(link, self.page_size_query_param, self.page_size)
        return link

    def _position_valid(self, position: str | None) -> bool:
        """A key the ordering field can hold: digits (≤ 18) for a number, short text else."""
        if position is None:
            return True
        if _numeric_key(self._model, self.ordering[0].lstrip("-")):
            return position.isascii() and position.isdigit() and len(position) <= 18
        return 0 < len(position) <= MAX_POSITION_LENGTH and position.isprintable()

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """Document the maximum in the OpenAPI schema."""
        parameters = super().get_schema_operation_parameters(view)
        maximum = max_page_size()
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=maximum)
                parameter["description"] = (
                    f"Số dòng mỗi trang, tối đa {maximum} / Rows per page, at most {maximum} "
                    "(a larger value is lowered to it).")
        return parameters
