"""The OpenAPI 3.1 document at /api/v1/openapi.json (issue 13 item 4): valid, and the same routes as the URL map.

The document is read as a client reads it (GET, no token), and compared with the app's URL map and permission
rules, and with the household record's marshmallow schema (server/poverty/schema.py), field by field.
"""

from __future__ import annotations

import copy
import json
import re

import jsonschema_rs
import pytest
import schemathesis

from server.core.auth import permission_of
from server.core.errors import CATALOGUE
from server.poverty.schema import MAX_MEMBERS, NEWEST_REVIEW_YEAR, OLDEST_REVIEW_YEAR, Member, Record

PREFIX = "/api/v1/"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def doc(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200, "register the blueprint server.exports.openapi.bp"
    assert response.mimetype == "application/json"
    return response.get_json()


def url_map_operations(app) -> set[tuple[str, str]]:
    """(METHOD, /api/v1/path/{param}) of every rule under /api/v1/, written as OpenAPI writes a path."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            out |= {(method, path) for method in rule.methods - SKIPPED_METHODS}
    return out


def documented_operations(doc) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item
            if method in ("get", "put", "post", "delete", "patch")}


def resolve(doc, ref: str) -> dict:
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def validator(doc, name: str):
    """A JSON Schema 2020-12 validator of one component, its references resolved inside the document."""
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                               "components": doc["components"]})


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(doc).validate()  # the OpenAPI 3.1 meta-schema
    broken = copy.deepcopy(doc)
    broken["paths"]["/api/v1/me"]["get"]["responses"] = "none"
    with pytest.raises(jsonschema_rs.ValidationError):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_api_route_is_documented_and_every_documented_operation_is_a_route(app, doc):
    live, documented = url_map_operations(app), documented_operations(doc)
    assert live - documented == set(), "routes of the URL map missing from the document (server/exports/openapi.py)"
    assert documented - live == set(), "operations of the document that are no route"
    assert ("PUT", "/api/v1/submissions/{version_id}/attachments/{name}") in documented  # <path:name> too


def test_no_operation_is_described_for_a_route_that_does_not_exist(app):
    from server.exports.openapi import OPERATIONS

    live = {f"{method} {path}" for method, path in url_map_operations(app)}
    assert set(OPERATIONS) - live == set()


def test_each_path_parameter_is_declared_as_the_rule_reads_it(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
            assert set(declared) == set(re.findall(r"{(\w+)}", path)), (method, path)
            assert all(p["required"] for p in declared.values())
    put = doc["paths"]["/api/v1/submissions/{version_id}/attachments/{name}"]["put"]
    schemas = {p["name"]: p["schema"] for p in put["parameters"] if p["in"] == "path"}
    assert schemas["version_id"]["pattern"] == "^[^/]+$"  # one segment
    assert "pattern" not in schemas["name"]  # <path:name> may hold slashes


def test_security_and_refusals_follow_each_routes_permission_rule(app, doc):
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            rules.update({(m.lower(), path): permission_of(app, rule.endpoint) for m in rule.methods})
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/token."}
    publics = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            rule = rules[(method, path)]
            if rule.public:
                publics.add(f"{method.upper()} {path}")
                assert op["security"] == []
            else:
                assert op["security"] == [{"bearer": []}], (method, path)
                assert op["x-roles"] == sorted(rule.roles)
                assert {"401", "403"} <= set(op["responses"]), (method, path)
    assert {"POST /api/v1/token", "GET /api/v1/forms", "GET /api/v1/openapi.json"} <= publics
    assert "GET /api/v1/me" not in publics


def test_every_refusal_is_the_error_envelope_and_names_its_codes(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, status)
                    codes = re.findall(r"`(\w+)`", response["description"])
                    assert codes and all(CATALOGUE[c].status == int(status) for c in codes), (method, path, status)
    body = resolve(doc, "#/components/schemas/ErrorBody")
    assert body["properties"]["code"]["enum"] == sorted(CATALOGUE)
    assert set(body["required"]) == {"code", "status", "message"}


def test_a_real_refusal_matches_the_documented_envelope(client, doc):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "401" in doc["paths"]["/api/v1/me"]["get"]["responses"]
    envelope = validator(doc, "ErrorEnvelope")
    assert envelope.is_valid(response.get_json())
    assert not envelope.is_valid({"error": {"code": "no_such_code", "status": 401, "message": {"vi": "", "en": ""}}})


def test_the_record_schema_is_the_household_records(doc):
    schemas = doc["components"]["schemas"]
    for name, schema_cls in (("Record", Record), ("Member", Member)):
        declared = schema_cls._declared_fields
        component = schemas[name]
        assert set(component["properties"]) == {f.data_key or k for k, f in declared.items()}, name
        assert set(component["required"]) == {f.data_key or k for k, f in declared.items() if f.required}, name
        assert component["additionalProperties"] is False  # Strict: unknown keys are refused
    record = schemas["Record"]["properties"]
    assert record["review_year"] == {"type": "integer", "minimum": OLDEST_REVIEW_YEAR, "maximum": NEWEST_REVIEW_YEAR}
    assert record["members"]["maxItems"] == MAX_MEMBERS and record["members"]["minItems"] == 1
    assert record["commune_code"]["pattern"] == r"^(?:\d{5})$"
    assert record["interview"] == {"$ref": "#/components/schemas/Interview"}
    assert "kinh" in schemas["Member"]["properties"]["ethnicity"]["enum"]
    post = doc["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/Record"} in post["anyOf"]


def test_the_documented_record_accepts_a_valid_record_and_refuses_a_broken_one(doc, household):
    record = validator(doc, "Record")
    good = household()
    assert record.is_valid(good), list(record.iter_errors(good))[:3]
    assert not record.is_valid({**good, "surprise": 1})
    assert not record.is_valid({**good, "commune_code": "6529"})
    assert not record.is_valid({**good, "members": []})


def answer_validator(doc, method: str, path: str, status: int, media: str = "application/json", key="schema"):
    """A validator of the documented body (or, key="x-line-schema", of each line) of one answer."""
    content = doc["paths"][path][method.lower()]["responses"][str(status)]["content"][media]
    return jsonschema_rs.Draft202012Validator({**content[key], "components": doc["components"]})


def test_real_answers_with_data_match_the_documented_schemas(client, doc, enumerator, supervisor, make_user,
                                                               bearer, post, household):
    record = household()
    posted = post(record, enumerator)
    assert posted.status_code == 201
    assert answer_validator(doc, "POST", "/api/v1/submissions", 201).is_valid(posted.get_json())
    officer = make_user("officer", "20")
    as_supervisor, as_officer = bearer(supervisor), bearer(officer)
    reads = [
        (as_supervisor, "/api/v1/submissions?include=record", "/api/v1/submissions"),
        (as_supervisor, f"/api/v1/submissions/{record['id']}", "/api/v1/submissions/{version_id}"),
        (as_supervisor, f"/api/v1/households/previous?village={record['village_code']}&year=2026",
         "/api/v1/households/previous"),
        (as_officer, "/api/v1/indicators?year=2025", "/api/v1/indicators"),
        (as_officer, "/api/v1/me", "/api/v1/me"),
        (as_officer, "/api/v1/places", "/api/v1/places"),
        ({}, "/api/v1/rule-sets", "/api/v1/rule-sets"),
        ({}, "/api/v1/forms", "/api/v1/forms"),
        ({}, "/api/v1/forms/household", "/api/v1/forms/{form_name}"),
    ]
    for headers, url, path in reads:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        body = response.get_json()
        errors = [str(e) for e in answer_validator(doc, "GET", path, 200).iter_errors(body)][:3]
        assert errors == [], url
    report = client.get("/api/v1/reports/results?year=2025", headers=as_officer)
    assert report.status_code == 200
    assert set(doc["paths"]["/api/v1/reports/{table}"]["get"]["responses"]["200"]["content"]) == {report.mimetype}
    listed = client.get("/api/v1/submissions?include=record", headers=as_supervisor).get_json()
    assert listed["items"] and listed["items"][0]["record"]["id"] == record["id"]  # the record was validated too


def test_each_json_line_of_the_records_stream_matches_the_documented_line(client, doc, enumerator, make_user,
                                                                          bearer, post, household):
    for _ in range(2):
        assert post(household(), enumerator).status_code == 201
    officer = make_user("officer", "20")
    response = client.get("/api/v1/records?purpose=openapi%20test", headers=bearer(officer))
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    documented = doc["paths"]["/api/v1/records"]["get"]["responses"]["200"]
    assert set(documented["headers"]) <= set(response.headers.keys())
    line = answer_validator(doc, "GET", "/api/v1/records", 200, "application/x-ndjson", key="x-line-schema")
    lines = [json.loads(text) for text in response.get_data(as_text=True).splitlines() if text]
    assert len(lines) == 2
    for item in lines:
        assert [str(e) for e in line.iter_errors(item)][:3] == []
    assert not line.is_valid({**lines[0], "state": "lost"})
