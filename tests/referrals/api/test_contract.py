"""Contract tests generated from the OpenAPI schema (schemathesis): whatever a
client sends, the API answers without a server error and with JSON."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conftest import submit, token_for


@pytest.fixture(autouse=True)
def _keep_the_test_database_open():
    # Calling the WSGI app directly would close the test's connection at the
    # end of each request; Django's own test client avoids it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world) -> str:
    submit(world.gp)  # something for the reads to find
    key: str = token_for(world.gp)
    return key


def test_no_input_makes_the_api_fail(token):
    """Every operation in the schema, fed generated input by schemathesis."""
    api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result  # an operation the schema describes in full
        operations.append(result.ok())
    assert len(operations) >= 13

    for operation in operations:
        check_operation(operation, token)


def check_operation(operation, token: str) -> None:  # noqa: ANN001 - a schemathesis APIOperation
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def no_server_error(case):  # noqa: ANN001 - a schemathesis Case
        response = case.call(headers={"Authorization": f"Token {token}"})
        case.validate_response(
            response,
            checks=(not_a_server_error, content_type_conformance, response_schema_conformance),
        )
        headers = {name.lower(): value for name, value in response.headers.items()}
        kind = headers.get("content-type", "")
        kind = kind[0] if isinstance(kind, list) else kind
        assert kind.startswith("application/json"), f"{label}: {kind} {response.text[:200]}"

    no_server_error()
