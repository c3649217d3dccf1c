"""RFC 9457 problem details for the API, with Vietnamese and English messages.

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``
(in the request's language), and ``detail_vi`` / ``detail_en`` so integrators get both.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, status
from rest_framework.response import Response

from vanban.core.errors import DomainError
from vanban.web.errors import record_refusal

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://vanban.invalid/problems/"

# Messages for the framework's own exceptions, keyed by DRF's error code.
_FRAMEWORK_MESSAGES: dict[str, tuple[str, str]] = {
    "not_authenticated": (
        "Bạn cần đăng nhập để sử dụng chức năng này.",
        "Authentication credentials were not provided.",
    ),
    "authentication_failed": ("Xác thực không thành công.", "Authentication failed."),
    "permission_denied": (
        "Bạn không có quyền thực hiện thao tác này.",
        "You do not have permission to perform this action.",
    ),
    "not_found": ("Không tìm thấy đối tượng yêu cầu.", "The requested object was not found."),
    "method_not_allowed": ("Phương thức không được hỗ trợ.", "Method not allowed."),
    "not_acceptable": ("Không thể trả về định dạng yêu cầu.", "Not acceptable."),
    "unsupported_media_type": ("Định dạng dữ liệu không được hỗ trợ.", "Unsupported media type."),
    "throttled": ("Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests; retry later."),
    "parse_error": ("Dữ liệu gửi lên không đọc được.", "Malformed request body."),
    "invalid": ("Dữ liệu không hợp lệ.", "Invalid input."),
}


def problem(
    *, status_code: int, code: str, vi: str, en: str, extra: dict[str, Any] | None = None
) -> Response:
    """Build a problem-details response in the active language."""
    english = (translation.get_language() or "vi").startswith("en")
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": code.replace("_", " "),
        "status": status_code,
        "detail": en if english else vi,
        "detail_vi": vi,
        "detail_en": en,
        "code": code,
    }
    if extra:
        body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _record(exc: Exception, context: dict[str, Any], status_code: int) -> None:
    """Audit a refused API call of a signed-in user unless the service already did (R16.2)."""
    request = context.get("request")
    if request is None or status_code not in (403, 404) or getattr(exc, "audited", False):
        return
    action = "access.denied" if status_code == 403 else "access.not_found"
    record_refusal(request._request, action=action, reason=type(exc).__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: domain errors and framework errors become problem details."""
    if isinstance(exc, DomainError):
        _record(exc, context, exc.status)
        response = problem(status_code=exc.status, code=exc.code, vi=exc.vi, en=exc.en,
                           extra=exc.extra or None)
        if exc.extra.get("retry_after"):  # e.g. the malware scanner is down: 503, come back
            response["Retry-After"] = str(int(exc.extra["retry_after"]))
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "invalid"
    vi, en = _FRAMEWORK_MESSAGES.get(code, (str(exc.detail), str(exc.detail)))
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["errors"] = exc.detail
        code = "validation_failed"
    elif code not in _FRAMEWORK_MESSAGES and isinstance(exc.detail, str):
        vi = en = str(exc.detail)
    _record(exc, context, exc.status_code)
    response = problem(status_code=exc.status_code, code=code, vi=vi, en=en, extra=extra)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if exc.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    return response
