"""Issue 15 §2, §3, §5: the OpenAPI schema tells the truth.

It validates against the OpenAPI 3 meta-schema (drf-spectacular's own validator, with the
installed ``jsonschema``); every operation documents its 4xx answers as RFC 9457 problems, has a
summary and its app's tag; responses are response bodies, not the input serializers.
"""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from vanban.core.apipaths import LOOKUP_URL_KWARG, NESTED_IDS
from vanban.web.schema import PROBLEM_SCHEMA

APPS = {"accounts", "audit", "directory", "evidence", "exchange", "incoming", "registry",
        "workflow"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    """The schema as /api/schema/ serves it."""
    generated: dict[str, Any] = SchemaGenerator().get_schema(  # type: ignore[no-untyped-call]
        request=None, public=True)
    return generated


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in schema["paths"].items()
            for method, op in ops.items() if isinstance(op, dict)]


def _body(op: dict[str, Any], status: str) -> dict[str, Any]:
    return dict(op["responses"][status]["content"]["application/json"]["schema"])


def _component(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return dict(schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]])


def test_schema_is_valid_openapi(schema: dict[str, Any]) -> None:
    """Issue 15 §2: the schema passes the OpenAPI 3.0 meta-schema (the check
    ``openapi-spec-validator`` would make; that tool is not a dependency)."""
    validate_schema(schema)  # type: ignore[no-untyped-call]
    assert len(_operations(schema)) >= 60


def test_every_operation_documents_problems_tags_and_summary(schema: dict[str, Any]) -> None:
    """Issue 15 §3, §5: 4xx answers documented as problem+json (401 wherever a token is
    needed, 404 wherever the path has an id), one app tag, a summary."""
    assert schema["components"]["schemas"]["Problem"] == PROBLEM_SCHEMA
    for path, method, op in _operations(schema):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op["tags"], where
        assert set(op["tags"]) <= APPS, where
        problems = {code for code, answer in op["responses"].items() if code.startswith("4")
                    and "application/problem+json" in answer.get("content", {})}
        assert "401" in problems or not op.get("security", [{}])[0], where
        if "{" in path:
            assert "404" in problems, where
        if method in ("post", "put", "patch"):
            assert {"400", "409", "422"} <= problems, where


@pytest.mark.parametrize(("path", "method", "wrong"), [
    ("/api/v1/documents/{id}/register/", "post", "DocumentInput"),
    ("/api/v1/documents/{id}/mark-ready/", "post", "DocumentInput"),
    ("/api/v1/documents/{id}/cancel/", "post", "DocumentInput"),
    ("/api/v1/documents/{id}/sign/", "post", "DocumentInput"),
    ("/api/v1/documents/{id}/", "get", "DocumentInput"),
    ("/api/v1/incoming/register/{id}/", "get", "PaperInput"),
    ("/api/v1/incoming/deliveries/{id}/", "get", "RegisterInput"),
    ("/api/v1/workflow/incoming/{id}/", "get", "Assign"),
    ("/api/v1/workflow/incoming/{id}/start/", "post", "Assign"),
    ("/api/v1/workflow/files/{id}/close/", "post", "Close"),
    ("/api/v1/exchange/transmissions/{id}/", "get", "Send"),
    ("/api/v1/exchange/deliveries/{id}/", "get", "Status"),
])
def test_responses_are_not_the_input_serializers(schema: dict[str, Any], path: str,
                                                 method: str, wrong: str) -> None:
    """Issue 15 §2: an action documents what it returns, not what it reads."""
    op = schema["paths"][path][method]
    status = "201" if "201" in op["responses"] else "200"
    ref = _body(op, status).get("$ref", "")
    assert ref, path
    assert not ref.endswith("/" + wrong), (path, ref)


def test_lists_and_bodies_have_their_true_shapes(schema: dict[str, Any]) -> None:
    """Issue 15 §2: opinions are a bare array, my tasks a page of them (one paging style);
    upload names its file fields;
    cancel requires a reason; a line's unit may be null; no invalid defaults."""
    paths = schema["paths"]
    opinions = paths["/api/v1/workflow/incoming/{id}/opinions/"]["get"]
    assert _body(opinions, "200")["type"] == "array"
    tasks = paths["/api/v1/workflow/tasks/"]["get"]
    assert _component(schema, _body(tasks, "200"))["properties"]["results"]["type"] == "array"
    upload = paths["/api/v1/documents/{id}/upload/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    form = _component(schema, upload["multipart/form-data"]["schema"])
    assert form["properties"]["main"]["items"]["format"] == "binary"
    assert "main" in form["required"]
    cancel = paths["/api/v1/documents/{id}/cancel/"]["post"]["requestBody"]["content"]
    assert "reason" in _component(schema, cancel["application/json"]["schema"])["required"]
    line = schema["components"]["schemas"]["Line"]["properties"]
    assert line["unit_id"]["nullable"] is True
    mailbox = schema["components"]["schemas"]["StaffCreate"]["properties"]["mailbox"]
    assert all("default" not in branch for branch in mailbox.get("oneOf", []))


def test_paging_parameters_document_their_bounds(schema: dict[str, Any]) -> None:
    """R14.3, issue 15 §4: ``limit`` documents the maximum page size; the only other paging
    parameter is the opaque ``cursor`` (no ``offset``)."""
    params = {p["name"]: p for p in schema["paths"]["/api/v1/documents/"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] >= 1
    assert params["cursor"]["schema"]["type"] == "string"
    assert "offset" not in params


def test_main_operations_carry_examples_and_every_one_a_summary_and_tag(
        schema: dict[str, Any]) -> None:
    """Issue 15 §5: drafting, cancelling, assigning and sending show a request example; every
    operation has a summary and its app's tag; every list documents 429 and its filters."""
    paths = schema["paths"]
    for path, method in [("/api/v1/documents/", "post"),
                         ("/api/v1/documents/{id}/cancel/", "post"),
                         ("/api/v1/workflow/incoming/{id}/assign/", "post"),
                         ("/api/v1/exchange/transmissions/", "post")]:
        body = paths[path][method]["requestBody"]["content"]["application/json"]
        assert body.get("examples"), (path, method)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (path, method)
            assert operation["tags"] != ["api"], (path, method)
    names = {p["name"] for p in paths["/api/v1/incoming/register/"]["get"]["parameters"]}
    assert {"cursor", "limit", "state", "date_from", "date_to", "agency", "year"} <= names


def test_every_path_parameter_is_named_id(schema: dict[str, Any]) -> None:
    """Issue 15 §4: one name for a resource's path parameter, ``{id}``, whatever its key (a
    number, a UUID, an agency's code, an evidence log key), with its type and a description;
    the only other names are the second ids of :data:`NESTED_IDS`, each with its reason."""
    seen: set[str] = set()
    for path, method, op in _operations(schema):
        for parameter in op.get("parameters", []):
            if parameter["in"] != "path":
                continue
            name, where = parameter["name"], f"{method.upper()} {path} {{{parameter['name']}}}"
            seen.add(name)
            assert name == LOOKUP_URL_KWARG or name in NESTED_IDS, where
            assert f"{{{name}}}" in path, where
            assert parameter.get("description"), where
            kind = parameter["schema"]
            assert kind["type"] == "integer" or kind.get("format") == "uuid" or kind.get(
                "pattern"), where
            if kind["type"] == "integer":
                assert kind["minimum"] == 0, where
                assert kind["maximum"] == 10**18 - 1, where
        assert "{pk}" not in path
    assert seen == {LOOKUP_URL_KWARG, *NESTED_IDS}


@pytest.mark.parametrize(("path", "kind"), [
    ("/api/v1/audit/events/{id}/", "integer"), ("/api/v1/agencies/{id}/", "string"),
    ("/api/v1/exchange/deliveries/{id}/", "uuid"), ("/api/v1/exchange/transmissions/{id}/",
                                                     "uuid"),
    ("/api/v1/incoming/deliveries/{id}/", "uuid"), ("/api/v1/documents/{id}/", "integer"),
    ("/api/v1/evidence/deliveries/{id}/bundle/", "string")])
def test_renamed_path_ids_keep_their_types(schema: dict[str, Any], path: str,
                                           kind: str) -> None:
    """Issue 15 §4: the former ``{seq}``, ``{code}``, ``{uid}``, ``{message_id}`` and
    ``{delivery_id}`` are ``{id}`` with the type of the key they stand for."""
    parameter = next(p for p in schema["paths"][path]["get"]["parameters"]
                     if p["in"] == "path")
    assert parameter["name"] == "id"
    assert (parameter["schema"].get("format") == "uuid" if kind == "uuid"
            else parameter["schema"]["type"] == kind)
