"""The OpenAPI 3.1 document of /api/v1/ (issue 13 item 4), built by apispec from the code's own marshmallow schemas.

The paths are the app's URL map under /api/v1/, so the document cannot list a route that does not exist; each
route's operation comes from OPERATIONS below ("METHOD /api/v1/path/{param}" → what it reads, answers and refuses),
whose schemas are the domains' (server/*/schemas.py, the household record of server/poverty/schema.py). The
security of an operation follows the route's own rule (server.core.auth): a bearer token for `@requires`, none for
`@public`, and the refusals that rule can give (401, 403, 403 `out_of_scope` for an area rule) are added to it.
Every other refusal is named by its catalogue code (server.core.errors), whose status gives the response code.

A test (tests/exports/test_exports_openapi.py) checks that every route×method of the URL map is in the document and
the reverse; another fuzzes the API from the document (no 5xx, every refusal a documented 4xx).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify
from marshmallow import INCLUDE, Schema, fields, validate

from server.accounts import schemas as accounts
from server.core.auth import permission_of, public
from server.core.errors import CATALOGUE, MAX_FIELD_ERRORS
from server.exports import operations as export_operations
from server.exports import records as export_records
from server.exports import tables as export_tables
from server.indicators import schemas as indicators
from server.indicators.queries import BASES
from server.places.models import LEVELS
from server.poverty import fields as record_fields
from server.poverty.schema import B1Items, Record, StoppedRecord
from server.poverty.village import VillageRecord
from server.submissions import schemas as submissions
from server.surveys import schemas as surveys

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
PREFIX = "/api/v1/"
JSON = "application/json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# <converter(args):name> or <name> in a Werkzeug rule.
RULE_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


# The error envelope of server.core.requests (Problem.to_dict under "error").

class FieldError(Schema):
    """One field's error (server.core.errors.field_error)."""

    path = fields.String(required=True, metadata={
        "description": "the field's path, as members[2].birth_date; empty for a form part sent without a name."})
    message = fields.Nested(surveys.Text, required=True)


class ErrorBody(Schema):
    """A coded problem: its code (server.core.errors.CATALOGUE), status, message and any field errors."""

    code = fields.String(required=True, validate=validate.OneOf(sorted(CATALOGUE)))
    status = fields.Integer(required=True)
    message = fields.Nested(surveys.Text, required=True)
    fields_ = fields.List(fields.Nested(FieldError), data_key="fields",
                          validate=validate.Length(max=MAX_FIELD_ERRORS))
    fields_omitted = fields.Integer(validate=validate.Range(min=1))


class ErrorEnvelope(Schema):
    """Every refusal of the API."""

    error = fields.Nested(ErrorBody, required=True)


# GET /api/v1/places (server.places.views.api_places); places has no schemas module of its own yet.

class PlaceUnit(Schema):
    """A commune or village in the caller's area."""

    code = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    kind = fields.String(required=True)
    name = fields.String(required=True)
    parent_code = fields.String(required=True, allow_none=True)
    area = fields.String(required=True, allow_none=True, validate=validate.OneOf(("rural", "urban")))


class Places(Schema):
    """The communes and villages in the caller's area, by code."""

    units = fields.List(fields.Nested(PlaceUnit), required=True)


class OpenApiDocument(Schema):
    """This document."""

    class Meta:
        unknown = INCLUDE

    openapi = fields.String(required=True)


@dataclass(frozen=True)
class Answer:
    """One successful answer: status, what it is, its body's schema (None: no body) and media type, headers."""

    status: int
    description: str
    schema: object = None
    media: str = JSON
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """What a route reads (query schema, path parameter fields, body), answers and refuses (catalogue codes)."""

    summary: str
    answers: tuple[Answer, ...]
    refusals: tuple[str, ...] = ()
    query: type[Schema] | None = None
    path: dict = field(default_factory=dict)
    body: dict | None = None  # media type → a Schema class, a tuple of them (any of), or a JSON schema
    headers: tuple[dict, ...] = ()


BINARY = {"type": "string", "format": "binary"}
IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                 "description": "The ETag of the copy the client keeps: 304 when it is current."}
ETAG = {"ETag": {"description": "The content's tag.", "schema": {"type": "string"}}}
NOT_MODIFIED = Answer(304, "The client's copy is current (If-None-Match).", headers=ETAG)
POST_REFUSALS = ("invalid_json", "validation_failed", "submission_conflict", "stale_version", "submission_locked",
                 "payload_too_large")

OPERATIONS: dict[str, Operation] = {
    "POST /api/v1/token": Operation(
        "Exchange a username and password for a bearer token",
        (Answer(201, "The token, when it expires, and whose it is.", accounts.TokenAnswer),),
        ("invalid_json", "validation_failed", "invalid_credentials", "too_many_attempts", "account_locked",
         "password_change_required", "payload_too_large"),
        body={JSON: accounts.TokenRequest}),
    "DELETE /api/v1/token": Operation("Revoke the token of this request", (Answer(204, "Revoked."),)),
    "GET /api/v1/me": Operation("Who the token belongs to: role and area",
                                (Answer(200, "The user.", accounts.UserAnswer),)),
    "GET /api/v1/places": Operation("The communes and villages in the caller's area",
                                    (Answer(200, "The units.", Places),)),
    "POST /api/v1/submissions": Operation(
        "Store a record (idempotent by its id)",
        (Answer(201, "Stored: a new form or a new version.", submissions.PostAnswer),
         Answer(200, "A retry of content already stored.", submissions.PostAnswer)),
        POST_REFUSALS + ("out_of_scope",),
        body={JSON: submissions.RECORDS, "multipart/form-data": {
            "type": "object", "required": ["record"],
            "properties": {"record": {"type": "string", "description": "The record as JSON."}},
            "additionalProperties": BINARY}}),
    "POST /api/v1/submissions/batch": Operation(
        "Store several records in one transaction, one result per record",
        (Answer(200, "One result per record, in order.", submissions.BatchAnswer),),
        ("invalid_json", "validation_failed", "payload_too_large"),
        body={JSON: submissions.BatchRequest}),
    "PUT /api/v1/submissions/{version_id}/attachments/{name}": Operation(
        "Store a photo declared by a stored record",
        (Answer(201, "Stored.", submissions.AttachmentAnswer),
         Answer(200, "Already stored.", submissions.AttachmentAnswer)),
        ("not_found", "validation_failed", "payload_too_large"),
        body={"application/octet-stream": BINARY, "image/jpeg": BINARY, "image/png": BINARY}),
    "GET /api/v1/submissions": Operation(
        "Forms the caller may see changed since a cursor, oldest change first",
        (Answer(200, "A page of forms and the cursor to ask from next.", submissions.ListAnswer),),
        ("validation_failed", "cursor_reset"), query=submissions.ListQuery),
    "GET /api/v1/submissions/{version_id}": Operation(
        "One stored version with the comments a returned form is fixed from",
        (Answer(200, "The form.", submissions.StoredForm),), ("not_found",)),
    "GET /api/v1/households/previous": Operation(
        "The village's households of the previous review year (a re-survey's start)",
        (Answer(200, "The households.", submissions.PreviousHouseholds),),
        ("validation_failed",), query=submissions.PreviousQuery),
    "GET /api/v1/rule-sets": Operation("The rule sets and the review years each applies to",
                                       (Answer(200, "The rule sets.", surveys.RuleSetListing),)),
    "GET /api/v1/rule-sets/{rule_set}": Operation(
        "One rule set for the phone's rule engine",
        (Answer(200, "The rule set.", surveys.RuleSetDocument, headers=ETAG), NOT_MODIFIED), ("not_found",),
        headers=(IF_NONE_MATCH,)),
    "GET /api/v1/forms": Operation("The forms with their versions", (Answer(200, "The forms.", surveys.FormListing),)),
    "GET /api/v1/forms/{form_name}": Operation(
        "One form definition, ready for the collector",
        (Answer(200, "The definition.", surveys.FormDefinition, headers=ETAG), NOT_MODIFIED), ("not_found",),
        headers=(IF_NONE_MATCH,)),
    "GET /api/v1/indicators": Operation(
        "The indicator table of a unit and its children",
        (Answer(200, "The table.", indicators.IndicatorTable),), ("validation_failed", "not_found", "out_of_scope"),
        query=indicators.IndicatorsQuery),
    "GET /api/v1/openapi.json": Operation("This document", (Answer(200, "The OpenAPI document.", OpenApiDocument),)),
}


# The exports' routes (server/exports/api.py: issue 13 item 3 and the report tables), kept together here.

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NDJSON = "application/x-ndjson"


class RecordsQuery(Schema):
    """GET /api/v1/records: the cursor, the page size, the year and unit, and why the records are exported."""

    since = fields.String(metadata={"description": "The RaSoat-Cursor of a previous answer; empty: from the start."})
    limit = fields.Integer(validate=validate.Range(1, export_records.LIMIT_MAX),
                           metadata={"default": export_records.LIMIT_DEFAULT})
    year = fields.Integer(validate=validate.Range(2001, 2100), metadata={"description": "Only this review year."})
    unit = fields.String(metadata={"description": "Only the forms of this unit (in the caller's area)."})
    purpose = fields.String(required=True, validate=validate.Length(min=3, max=export_operations.PURPOSE_MAX),
                            metadata={"description": "Why this export (written to the audit trail); at least 3 "
                                                     "printable characters once spaces are collapsed."})


class ReportQuery(Schema):
    """GET /api/v1/reports/<table>: the review year (required), the unit and the basis."""

    year = fields.Integer(required=True, metadata={"description": "The review year; it must have a rule set."})
    unit = fields.String(metadata={"description": "A unit code in the caller's area (default: the caller's unit)."})
    basis = fields.String(validate=validate.OneOf(BASES), metadata={"default": "approved"})


EXPORT_OPERATIONS: dict[str, Operation] = {
    "GET /api/v1/records": Operation(
        "The household records with their classification and review state, as JSON Lines, by cursor",
        (Answer(200, "One JSON object per line: the form's summary with its comments and `record`, the household "
                     "record as stored (x-line-schema).", {"type": "string"}, media=NDJSON, headers={
                         "RaSoat-Cursor": {"description": "The cursor to resume from.", "schema": {"type": "string"}},
                         "RaSoat-More": {"description": "Whether more changes follow.",
                                         "schema": {"type": "string", "enum": ["true", "false"]}}}),),
        ("validation_failed", "cursor_reset", "not_found", "out_of_scope"), query=RecordsQuery),
    "GET /api/v1/reports/{table}": Operation(
        "One report table of §5.3 as an XLSX file",
        (Answer(200, "The table.", BINARY, media=XLSX, headers={
            "Content-Disposition": {"description": "attachment; the file name says table, unit, year and basis.",
                                    "schema": {"type": "string"}}}),),
        ("validation_failed", "not_found", "out_of_scope"), query=ReportQuery,
        path={"table": fields.String(required=True, validate=validate.OneOf(export_tables.TABLES))}),
}
# The schema of each line of a JSON Lines answer (OpenAPI 3.1 has no item schema for a stream).
LINE_SCHEMAS = {"GET /api/v1/records": submissions.Summary}
OPERATIONS.update(EXPORT_OPERATIONS)


def operation_keys(app) -> list[tuple[str, str, object]]:
    """(key, method, rule) of every route×method of the URL map under /api/v1/, the key as OPERATIONS has it."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        path = RULE_ARG.sub(lambda m: "{" + m["name"] + "}", rule.rule)
        out += [(f"{method} {path}", method, rule) for method in METHODS if method in (rule.methods or ())]
    return sorted(out, key=lambda item: item[0])


def document(app) -> dict:
    """The OpenAPI document of the app, built once and kept."""
    kept = app.extensions.get("rasoat_openapi")
    if kept is None:
        kept = app.extensions["rasoat_openapi"] = build(app)
    return kept


def build(app) -> dict:
    """Build the document: the URL map's /api/v1/ routes, each with its operation from OPERATIONS."""
    plugin = MarshmallowPlugin(schema_name_resolver=_name_resolver())
    spec = APISpec(title="RaSoat API", version="1", openapi_version="3.1.0", plugins=[plugin], info={
        "description": "Rà soát hộ nghèo, hộ cận nghèo: the API of the phones, the scripts and the provincial system."
                       " Every refusal is an error envelope {\"error\": {code, status, message, fields}}."})
    _teach_record_fields(plugin)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A token from POST /api/v1/token."})
    for name, schema in (("Record", Record), ("StoppedRecord", StoppedRecord), ("VillageRecord", VillageRecord),
                         ("ErrorEnvelope", ErrorEnvelope)):
        spec.components.schema(name, schema=schema)
    paths: dict[str, dict] = {}
    for key, method, rule in operation_keys(app):
        op = OPERATIONS.get(key)
        if op is None:
            continue  # tests/exports/test_exports_openapi.py names every route without an operation
        path = key.split(" ", 1)[1]
        rule_of_view = permission_of(app, rule.endpoint)
        paths.setdefault(path, {})[method.lower()] = _operation(plugin, key, op, rule_of_view, rule)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(plugin, key: str, op: Operation, permission, rule) -> dict:
    """The OpenAPI operation of one route: parameters, body, answers and refusals, security from its rule."""
    refusals = ["validation_failed", *op.refusals]  # any text sent with a control character is a 422
    out: dict = {"summary": op.summary, "operationId": rule.endpoint}
    if permission is None or not permission.public:
        roles = sorted(permission.roles) if permission is not None else []
        out["security"] = [{"bearer": []}]
        out["description"] = "Roles: " + ", ".join(roles) + "." + (
            f" `{permission.area}` must lie in the caller's area." if permission and permission.area else "")
        out["x-roles"] = roles
        refusals += ["unauthenticated", "token_invalid", "forbidden"]
        if permission is not None and permission.area:
            refusals.append("out_of_scope")
    else:
        out["security"] = []
    parameters = [_path_parameter(plugin, m["name"], m["converter"], op.path.get(m["name"]))
                  for m in RULE_ARG.finditer(rule.rule)]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    parameters += [dict(h) for h in op.headers]
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {media: {"schema": _any_of(plugin, schema)}
                                                           for media, schema in op.body.items()}}
    responses: dict = {}
    for answer in op.answers:
        response: dict = {"description": answer.description}
        if answer.schema is not None:
            response["content"] = {answer.media: {"schema": answer.schema}}
            line = LINE_SCHEMAS.get(key) if answer.status < 300 else None
            if line is not None:
                response["content"][answer.media]["x-line-schema"] = plugin.converter.resolve_nested_schema(line)
        if answer.headers:
            response["headers"] = answer.headers
        responses[str(answer.status)] = response
    by_status: dict[int, list[str]] = {}
    for code in dict.fromkeys(refusals):
        by_status.setdefault(CATALOGUE[code].status, []).append(code)
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = {
            "description": " ".join(f"`{c}`: {CATALOGUE[c].en}" for c in codes),
            "content": {JSON: {"schema": ErrorEnvelope}}}
        if "too_many_attempts" in codes:
            responses[str(status)]["headers"] = {"Retry-After": {"description": "Seconds to wait.",
                                                                 "schema": {"type": "integer"}}}
    out["responses"] = responses
    return out


def _any_of(plugin, schema):
    """A tuple of Schema classes as "any of" their references; anything else as it is."""
    if isinstance(schema, tuple):
        return {"anyOf": [plugin.converter.resolve_nested_schema(cls) for cls in schema]}
    return schema


def _path_parameter(plugin, name: str, converter: str | None, declared) -> dict:
    """A path parameter as the rule's converter reads it (Flask's default: one segment; `path`: slashes too)."""
    if declared is not None:
        schema = plugin.converter.field2property(declared)
    elif converter == "int":
        schema = {"type": "integer", "minimum": 0}
    elif converter == "path":
        schema = {"type": "string", "minLength": 1}
    else:
        schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _name_resolver():
    """Component names: the class's name, prefixed with its module's when another class has it already."""
    owners: dict[str, type] = {}

    def resolve(schema) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        name = cls.__name__.removesuffix("Schema") or cls.__name__
        if owners.setdefault(name, cls) is not cls:
            parts = cls.__module__.split(".")
            name = (parts[-2] if parts[-1] == "schemas" else parts[-1]).title().replace("_", "") + name
            if owners.setdefault(name, cls) is not cls:
                name = cls.__module__.replace(".", "_") + "_" + cls.__name__
        return name

    return resolve


def _teach_record_fields(plugin) -> None:
    """The record's own fields (server.poverty.fields): their JSON types, bounds, patterns and codes."""
    converter = plugin.converter
    converter.field_mapping = dict(converter.field_mapping)  # apispec's mapping is shared by every converter
    rf = record_fields
    for cls, type_format in ((B1Items, ("object", None)), (rf.Str, ("string", None)), (rf.Choice, ("string", None)),
                             (rf.Num, ("number", None)), (rf.Int, ("integer", None)), (rf.Bool, ("boolean", None)),
                             (rf.Uuid, ("string", "uuid")), (rf.DateStr, ("string", "date")),
                             (rf.DateTimeStr, ("string", "date-time")), (rf.CodeList, ("array", None))):
        converter.map_to_openapi_type(cls, *type_format)

    def record_field_properties(self, field, ret) -> dict:
        out: dict = {}
        if isinstance(field, B1Items):
            code = {"type": "string", "pattern": _anchored(rf.CODE_RE)}
            return {"propertyNames": code, "additionalProperties": code}
        if isinstance(field, rf.Str):
            out.update(minLength=1, maxLength=field.max_len)
            if field.pattern is not None:
                out["pattern"] = _anchored(field.pattern)
            if isinstance(field, rf.Ident):
                out["type"] = ["string", "integer"] + (["null"] if field.allow_none else [])
                out["minimum"] = 1
        elif isinstance(field, rf.Choice):
            out["enum"] = _choices(field) + ([None] if field.allow_none else [])
        elif isinstance(field, rf.Int):
            if field.lo is not None:
                out["minimum"] = field.lo
            if field.hi is not None:
                out["maximum"] = field.hi
        elif isinstance(field, rf.Uuid):
            out["pattern"] = _anchored(rf.UUID_RE)
        elif isinstance(field, rf.DateStr):
            out["pattern"] = _anchored(rf.DATE_RE)
        elif isinstance(field, rf.CodeList):
            item = field.item
            out.update(maxItems=field.max_items, uniqueItems=True, items={"type": "string", **(
                {"enum": _choices(item)} if isinstance(item, rf.Choice) else
                {"pattern": _anchored(rf.CODE_RE), "minLength": 1, "maxLength": 64})})
        elif isinstance(field, rf.BoundedList):
            out.update(minItems=field.lo, maxItems=field.hi)
        records = field.metadata.get("records")
        if records:
            out["anyOf"] = [self.resolve_nested_schema(cls) for cls in records]
        return out

    converter.add_attribute_function(record_field_properties)


def _anchored(pattern) -> str:
    """A Python pattern that the code applies with fullmatch, as a JSON Schema pattern (which searches)."""
    return f"^(?:{pattern.pattern})$"


def _choices(field) -> list:
    choices = field.choices
    return sorted(choices) if isinstance(choices, (set, frozenset)) else list(choices)


@bp.get("/openapi.json")
@public
def openapi_json():
    """The OpenAPI 3.1 document of /api/v1/ (built once per app)."""
    return jsonify(document(current_app))
