"""Property-based fuzzing of /api/v1/ from its own OpenAPI document (issue 13 item 4), with schemathesis.

Every operation of the document gets requests generated from its parameters and body schemas, each sent with the
token of a commune supervisor and of a provincial officer (and once with none), in-process on the test database
(SQLite and PostgreSQL, the test's transaction rolled back after it). Checks: no 5xx; every status is one the
document lists for the operation; a body is the documented schema; the content type is the documented one.
Bounded and reproducible: a fixed number of examples per operation, derandomized.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from server.exports.openapi import OPERATIONS


# Per operation and backend; each example is sent three times (two tokens and none). Measured on the project's
# 2-core machine: the whole file runs in about 25 s per backend (the bound is 60 s).
MAX_EXAMPLES = 100
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def api_schema(app, client):
    """The document as a client loads it, from the app in-process."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def tokens(enumerator, supervisor, make_user, bearer, post, household):
    """Authorization headers of a commune supervisor, of a provincial officer and none; a stored form to find."""
    assert post(household(), enumerator).status_code == 201
    officer = make_user("officer", "20")
    return {"supervisor": bearer(supervisor), "officer": bearer(officer), "anonymous": {}}


def strategy(operation):
    """Requests valid by the document, and (where the operation reads anything) requests that break it."""
    valid = operation.as_strategy(GenerationMode.POSITIVE)
    if not (operation.query or operation.path_parameters or operation.body):
        return valid
    return st.one_of(valid, operation.as_strategy(GenerationMode.NEGATIVE))


# The operations as the document lists them (an operation missing from it fails test_exports_openapi.py).
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_the_api_answers_every_generated_request_as_documented(label, api_schema, client, tokens):
    operation = api_schema.find_operation_by_label(label)
    if operation is None:
        pytest.fail(f"{label} is not in the document: no such route (see test_exports_openapi.py)")

    @given(case=strategy(operation))
    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
    def answers_as_documented(case):
        for token in tokens.values():
            headers = {**token, "Accept-Encoding": "identity"}  # the app gzips for a client that asks; these don't
            response = case.call(session=client, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

    answers_as_documented()


HUGE_NUMBER = "9" * 5000  # past Python's 4,300-digit limit of int(str): a parser must refuse it, not crash


def query_parameters():
    """(label, name) of every query parameter of the document's operations."""
    return sorted((label, f.data_key or name) for label, op in OPERATIONS.items() if op.query is not None
                  for name, f in op.query().fields.items())


@pytest.mark.parametrize("label, name", query_parameters())
def test_a_huge_number_in_any_query_parameter_is_a_documented_refusal(label, name, api_schema, client, tokens):
    operation = api_schema.find_operation_by_label(label)

    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    @settings(max_examples=1, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def refused_as_documented(case):
        case.query = {**(case.query or {}), name: HUGE_NUMBER}
        for who in ("supervisor", "officer"):  # one of them passes the route's role check
            headers = {**tokens[who], "Accept-Encoding": "identity"}
            response = case.call(session=client, headers=headers)
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance], headers=headers)

    refused_as_documented()
