"""Issue 15 §2: real answers conform to the schema the integrators generate clients from.

A document's life through the API, a work file's, and the lists of each app, each answer
validated (``jsonschema``) against the response the schema documents for its status and
content type, problems included.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from vanban.directory.models import Agency
from vanban.registry.tests.conftest import (  # noqa: F401  (fixtures)
    clerk,
    finance,
    make_pdf,
    province,
    sender,
    specialist,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The schema as /api/schema/ serves it."""
    generated: dict[str, Any] = SchemaGenerator().get_schema(  # type: ignore[no-untyped-call]
        request=None, public=True)
    return generated


def _json_schema(node: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: refs inlined, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [_json_schema(item, components, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(copy.deepcopy(components[node["$ref"].rsplit("/", 1)[-1]]),
                            components, depth + 1)
    out = {key: _json_schema(value, components, depth) for key, value in node.items()}
    if out.pop("nullable", False):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _operation(schema: dict[str, Any], method: str, url: str) -> dict[str, Any]:
    path = url.split("?", 1)[0]
    for template, operations in schema["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in operations:
            return dict(operations[method])
    raise AssertionError(f"no operation for {method.upper()} {path}")


def check(schema: dict[str, Any], response: Any, method: str, url: str) -> None:
    """The answer's status is documented and its body matches the documented schema."""
    operation = _operation(schema, method, url)
    status = str(response.status_code)
    assert status in operation["responses"], (method, url, status, response.content[:200])
    content = operation["responses"][status].get("content", {})
    media = response["Content-Type"].split(";")[0] if response.content else ""
    if not content or media not in content:
        assert not response.content or media not in ("application/json",
                                                     "application/problem+json"), (url, media)
        return
    body_schema = _json_schema(content[media]["schema"], schema["components"]["schemas"])
    jsonschema.validate(response.json(), body_schema)


def _call(client: APIClient, schema: dict[str, Any], method: str, url: str,
          data: Any = None, *, fmt: str = "json") -> Any:
    response = getattr(client, method)(url, data, format=fmt)
    check(schema, response, method, url)
    return response


def test_a_document_and_a_work_file_conform(schema: dict[str, Any], clerk: Any,  # noqa: F811
                                            finance: Agency) -> None:  # noqa: F811
    """Issue 15 §2: every answer of a document's life and a work file's matches the schema."""
    api = APIClient()
    api.force_authenticate(clerk)
    created = _call(api, schema, "post", "/api/v1/documents/", {
        "type_code": "ke_hoach", "subject": "Kế hoạch",
        "recipients": [{"agency_code": finance.code}]})
    base = f"/api/v1/documents/{created.json()['id']}"
    _call(api, schema, "post", f"{base}/mark-ready/")  # 409 wrong_state
    _call(api, schema, "post", f"{base}/register/")
    _call(api, schema, "post", f"{base}/mark-ready/")  # 422 no_file
    _call(api, schema, "post", f"{base}/upload/",
          {"main": SimpleUploadedFile("kh.pdf", make_pdf(1))}, fmt="multipart")
    for url in (f"{base}/", f"{base}/plan/", "/api/v1/documents/", "/api/v1/documents/?limit=x",
                "/api/v1/documents/999999/", "/api/v1/units/", "/api/v1/agencies/",
                "/api/v1/staff/", "/api/v1/me/", "/api/v1/me/tokens/",
                "/api/v1/exchange/transmissions/", "/api/v1/exchange/deliveries/",
                "/api/v1/incoming/deliveries/", "/api/v1/incoming/register/",
                "/api/v1/workflow/incoming/", "/api/v1/workflow/tasks/",
                "/api/v1/workflow/files/", "/api/v1/evidence/deliveries/",
                "/api/v1/evidence/head/"):
        _call(api, schema, "get", url)
    _call(api, schema, "post", f"{base}/mark-ready/")
    _call(api, schema, "post", f"{base}/cancel/", {"reason": "Sai sót"})
    work_file = _call(api, schema, "post", "/api/v1/workflow/files/", {
        "notation": "01.VP", "title": "Hồ sơ thử"})
    _call(api, schema, "get", f"/api/v1/workflow/files/{work_file.json()['id']}/")
    _call(api, schema, "post", f"/api/v1/workflow/files/{work_file.json()['id']}/close/", {})
    anonymous = APIClient()
    _call(anonymous, schema, "get", "/api/v1/documents/")
