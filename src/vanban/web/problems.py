"""RFC 9457 problem details for the API, with Vietnamese and English messages.

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``
(in the request's language), and ``detail_vi`` / ``detail_en`` so integrators get both.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from vanban.core.errors import DomainError
from vanban.web.errors import record_refusal

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://vanban.invalid/problems/"
API_PREFIX = "/api/"
# RFC 9457 answers for a missing or refused credential name both schemes the API accepts.
WWW_AUTHENTICATE = 'Token realm="vanban", Bearer realm="vanban"'

# Business refusals: the request is well formed, but what it asks breaks a rule of the stored
# object (a classified document, no file yet). Services raise them as ValidationFailed (pages
# show the message either way); the API answers 422 so integrators tell them from bad input.
UNPROCESSABLE_CODES = frozenset({"classified", "no_file"})

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


def problem_body(
    *, status_code: int, code: str, vi: str, en: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The problem-details object in the active language (both texts always there)."""
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
    return body


def problem(
    *, status_code: int, code: str, vi: str, en: str, extra: dict[str, Any] | None = None
) -> Response:
    """Build a problem-details response in the active language."""
    body = problem_body(status_code=status_code, code=code, vi=vi, en=en, extra=extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _plain(status_code: int, code: str, vi: str, en: str) -> HttpResponse:
    """A problem answered outside DRF (no route matched, an unexpected error)."""
    body = problem_body(status_code=status_code, code=code, vi=vi, en=en)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """The last route under ``/api/v1/``: an address no operation has is a 404 problem."""
    return _plain(404, "not_found", *_FRAMEWORK_MESSAGES["not_found"])


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: inside ``/api/`` an unexpected error is a 500 problem (the error itself is
    logged by Django as usual and never shown); elsewhere the ordinary error page."""
    if request.path.startswith(API_PREFIX):
        return _plain(500, "server_error", "Lỗi máy chủ ngoài dự kiến; đã được ghi lại.",
                      "Unexpected server error; it has been logged.")
    return defaults.server_error(request)


def _domain_status(exc: DomainError) -> int:
    """The HTTP status of a domain error: its class's, or 422 for a business refusal."""
    if exc.status == 400 and exc.code in UNPROCESSABLE_CODES:
        return 422
    return exc.status


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
        status_code = _domain_status(exc)
        _record(exc, context, status_code)
        response = problem(status_code=status_code, code=exc.code, vi=exc.vi, en=exc.en,
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
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        exc.status_code = status.HTTP_401_UNAUTHORIZED  # never 403 for a missing credential
        exc.auth_header = WWW_AUTHENTICATE  # type: ignore[union-attr]
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
