"""What the OpenAPI schema documents: the integrators' API under ``/api/`` only, told truly.

The federation door (``/exchange/federation/messages/``) is a DRF view too, but it speaks
signed edXML between installations, not JSON to integrators; it has its own description in
``docs/operator-guide.md``.

:func:`document_problems` (a postprocessing hook) adds what every operation shares and the
generator cannot infer: the RFC 9457 ``Problem`` body and the 4xx answers each kind of
operation can give, one tag per app, and a summary from the view's docstring.
"""

from __future__ import annotations

from typing import Any

API_PREFIX = "/api/"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, with the message in Vietnamese and English.",
    "required": ["type", "title", "status", "detail", "detail_vi", "detail_en", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "In the request's language"},
        "detail_vi": {"type": "string"},
        "detail_en": {"type": "string"},
        "code": {"type": "string", "description": "Stable machine-readable reason"},
        "errors": {"type": "object", "additionalProperties": True,
                   "description": "Per-field messages of a validation_failed problem"},
    },
    "additionalProperties": True,
    "example": {
        "type": "https://vanban.invalid/problems/wrong_state", "title": "wrong state",
        "status": 409, "code": "wrong_state",
        "detail": "Thao tác không thực hiện được khi văn bản ở trạng thái “Đã cấp số”.",
        "detail_vi": "Thao tác không thực hiện được khi văn bản ở trạng thái “Đã cấp số”.",
        "detail_en": "Not possible while the document is “Registered”."},
}
_ANSWERS: dict[str, str] = {
    "400": "Dữ liệu không hợp lệ / Invalid input (validation_failed, bad_paging, …)",
    "401": "Thiếu hoặc sai khóa API / Missing, invalid, expired or revoked token",
    "403": "Không có quyền / Authenticated, but not allowed",
    "404": "Không tìm thấy (hoặc của cơ quan khác) / Not found, or another agency's (R1.1)",
    "409": "Xung đột với trạng thái hiện tại / Conflicts with the stored state (wrong_state, …)",
    "422": "Bị quy tắc nghiệp vụ từ chối / Refused by a business rule (classified, no_file)",
    "429": "Quá nhiều yêu cầu / Too many requests (see Retry-After)",
}
# First path segment after /api/v1/ -> the app that owns it (one tag per app).
_TAGS: dict[str, str] = {
    "agencies": "directory", "units": "directory", "staff": "accounts", "me": "accounts",
    "auth": "accounts", "role-requests": "accounts", "audit": "audit", "documents": "registry",
    "exchange": "exchange", "incoming": "incoming", "workflow": "workflow",
    "evidence": "evidence",
}
_WRITES = frozenset({"post", "put", "patch", "delete"})


def only_api_endpoints(endpoints: list[tuple[str, str, str, Any]],
                       **kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular preprocessing hook: keep the endpoints under ``/api/``."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]


def _codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    """The 4xx statuses this kind of operation can answer."""
    public = operation.get("security") == [] or {} in operation.get("security", [])
    codes = ["400"] if method in _WRITES or operation.get("parameters") else []
    if not public or path.endswith("/auth/token/"):
        codes += ["401", "403"]
    if "{" in path or method in _WRITES or operation.get("x-may-be-missing"):
        # A path id, an id in a body (``document_id``…) or a looked-up query value that
        # names nothing the caller may see.
        codes.append("404")
    if method in _WRITES:
        codes += ["409", "422"]
    if not public:
        codes.append("429")  # per-token rate limit
    return codes


def _summary(operation: dict[str, Any]) -> str:
    """The first sentence of the description (the view's docstring)."""
    text = " ".join(str(operation.get("description", "")).split())
    first = text.split(". ")[0].split(": ")[0].strip().rstrip(".")
    return (first[:117] + "…") if len(first) > 120 else first


def _operation(path: str, method: str, operation: dict[str, Any]) -> None:
    segment = path.removeprefix("/api/v1/").split("/", 1)[0]
    operation["tags"] = [_TAGS.get(segment, "api")]
    if not operation.get("summary") and (summary := _summary(operation)):
        operation["summary"] = summary
    responses = operation.setdefault("responses", {})
    codes = _codes(path, method, operation)
    operation.pop("x-may-be-missing", None)
    for code in codes:
        responses.setdefault(code, {"description": _ANSWERS[code],
                                    "content": {"application/problem+json": {
                                        "schema": PROBLEM_REF}}})


def _fix_components(schemas: dict[str, Any]) -> None:
    """Defaults that break the schema's own rules (a blank default of an email field), and
    read-only email fields, which answer "" for an account or agency without a mailbox."""
    for schema in schemas.values():
        for name, prop in list(schema.get("properties", {}).items()):
            if prop.get("format") == "email" and prop.get("readOnly"):
                schema["properties"][name] = {
                    "readOnly": True, "description": prop.get("description", ""),
                    "anyOf": [{"type": "string", "format": "email"},
                              {"type": "string", "maxLength": 0}]}
            for branch in prop.get("oneOf", []):
                if branch.get("format") == "email" and branch.get("default") == "":
                    del branch["default"]
                    prop["default"] = ""


def document_problems(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: problems, tags and summaries on every operation."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    _fix_components(schemas)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                _operation(path, method, operation)
    result["tags"] = [{"name": name} for name in sorted(set(_TAGS.values()))]
    return result
