"""Issue 15, done means: the whole API tried as an integrator would, from its own schema.

Schemathesis reads ``/api/schema/`` through the WSGI application (no server), generates
requests for every operation (path ids, query filters, bodies: valid ones and edge cases) and
sends them with a real, hashed and expiring API token of a clerk, of an agency head and of
the province administrator, in a small agency with a document, a unit and a work file.
Each answer must: not be a server error, carry a status code the operation documents, and
have the body the schema says for that status.

Examples per operation: ``VANBAN_SCHEMATHESIS_EXAMPLES`` (50 by default, as CI runs it) as the
clerk, a tenth of that (at least 2) as the head and as the administrator; no shrinking (a
failure prints the request that made it); a fixed seed (``derandomize``), so a run is
repeatable. Measured on the shared, loaded 2-core machine (about 70 operations): the clerk's
50 per operation take 6.5 minutes, 5 / 3 / 3 for the three roles 4 minutes with the database
set-up; ``VANBAN_SCHEMATHESIS_EXAMPLES=5`` is the quick local pass.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from vanban.accounts.services.tokens import api_token_create
from vanban.core import clock
from vanban.core.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore")]

EXAMPLES = int(os.environ.get("VANBAN_SCHEMATHESIS_EXAMPLES", "50"))
OTHERS = max(2, EXAMPLES // 10)
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_in_the_test_transaction() -> Iterator[None]:
    """Django's WSGI handler closes the database connection after each request, which would
    close the test's transaction; the test client keeps it open the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(make_agency: Callable[..., Any], make_user: Callable[..., Any], settings: Any,
          wsgi_in_the_test_transaction: None) -> dict[str, Any]:
    """An agency with a unit and a draft, and a user per role (tokens not throttled: the
    run is one integration calling far faster than any real one)."""
    from vanban.directory.models import Unit
    from vanban.registry.models import Document

    settings.VANBAN_API_TOKEN_RATE = ""
    agency = make_agency(short_name="STTTT")
    now = clock.now()
    Unit.objects.create(agency=agency, code="VP", name="Văn phòng", created_at=now)
    Document.objects.create(agency=agency, type_code="cong_van", subject="Công văn thử",
                            created_at=now, updated_at=now)
    return {"clerk": make_user(agency, roles=[Role.CLERK]),
            "head": make_user(agency, roles=[Role.HEAD]),
            "admin": make_user(agency, roles=[Role.PROVINCE_ADMIN])}


def _run(world: dict[str, Any], role: str, examples: int) -> None:
    """Every operation of the served schema, ``examples`` generated requests each, each with
    a fresh token (a generated ``DELETE /me/tokens/{id}/`` may revoke the previous one); all
    failures are gathered, so one run shows every operation that breaks."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                            get_wsgi_application())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation the schema describes wrongly
            failures.append(str(result.err()))
            continue
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, phases=[Phase.explicit, Phase.generate],
                  derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def one(case: Any) -> None:
            token = api_token_create(user=world[role], ip="127.0.0.1").clear
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

        try:
            one()
        except BaseException as failure:  # gathered, and reported together below
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert operations > 50
    assert not failures, "\n\n".join(failures)


def test_api_as_a_clerk(world: dict[str, Any]) -> None:
    """Issue 15: every operation, 50 examples each, as the agency's clerk: no 5xx,
    documented status codes, bodies as the schema says."""
    _run(world, "clerk", EXAMPLES)


def test_api_as_a_head(world: dict[str, Any]) -> None:
    """Issue 15: the same as the agency head (a tenth of the examples)."""
    _run(world, "head", OTHERS)


def test_api_as_the_province_administrator(world: dict[str, Any]) -> None:
    """Issue 15: the same as the province administrator (a tenth of the examples)."""
    _run(world, "admin", OTHERS)


def test_the_schema_passes_openapi_spec_validator(client: Any) -> None:
    """Issue 15 §2: the served schema is valid OpenAPI (``openapi-spec-validator``)."""
    served = client.get("/api/schema/?format=json")
    assert served.status_code == 200
    validate(served.json())
