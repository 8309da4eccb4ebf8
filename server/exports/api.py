"""The provincial system's reads (issue 13 item 3), with a bearer token (an `api_client` account, or a person's):

    GET /api/v1/records?since=CURSOR&limit=N&year=YEAR&unit=CODE&purpose=TEXT
        The household records changed after the cursor, as JSON Lines (application/x-ndjson), streamed; one line
        per form (server.exports.records). The answer's headers `RaSoat-Cursor` (resume from it) and
        `RaSoat-More` ("true" when more changes follow) are known before the body. Personal data: `purpose` is
        required and each answer is audited (`records.exported`). A cursor from before a restore is 409
        `cursor_reset`.
    GET /api/v1/reports/<table>?year=YEAR&unit=CODE&basis=BASIS
        A §5.3 report table as XLSX (server.exports.tables): the figures of GET /api/v1/indicators.

Roles: officer, admin and api_client read records in their area; supervisors and those read the report tables.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, request, stream_with_context

from server.audit.operations import record_event
from server.core.auth import current_actor, requires
from server.core.db import writes_on_get
from server.core.errors import Problem, field_error
from server.exports import operations, records, writers
from server.indicators.operations import find_unit
from server.submissions.history import format_cursor, parse_cursor

bp = Blueprint("exports_api", __name__, url_prefix="/api/v1")


def _int_arg(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or not lo <= int(text) <= hi:
        raise Problem("validation_failed", fields=[field_error(
            name, f"Phải là số nguyên {lo}…{hi}.", f"Must be a whole number {lo}…{hi}.")])
    return int(text)


@bp.get("/records")
@requires("officer", "admin", "api_client")
@writes_on_get  # each answer is audited
def get_records():
    """The household records changed after `since`, as JSON Lines, oldest change first."""
    actor = current_actor()
    since = parse_cursor(request.args.get("since"))
    limit = _int_arg("limit", records.LIMIT_DEFAULT, 1, records.LIMIT_MAX)
    year = _int_arg("year", None, 2001, 2100)
    purpose = operations.check_purpose(request.args.get("purpose"))
    unit = find_unit(request.args["unit"], actor) if request.args.get("unit") else None
    page = records.page(actor, since, limit, year, unit)
    record_event("records.exported", actor, target_type="unit", target_id=unit.code if unit else actor.unit_code,
                 unit_code=unit.code if unit else actor.unit_code, count=len(page.ids), since=since, year=year,
                 purpose=purpose)
    body = writers.iter_jsonl(records.lines(actor, page))
    response = Response(stream_with_context(body), mimetype="application/x-ndjson")
    response.headers["RaSoat-Cursor"] = format_cursor(page.cursor)
    response.headers["RaSoat-More"] = "true" if page.more else "false"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports/<table>")
@requires("supervisor", "officer", "admin", "api_client")
def get_report(table: str):
    """A report table as XLSX, for `year`, `unit` (default: the caller's) and `basis`."""
    if table not in operations.tables.TABLES:
        raise Problem("not_found")
    year = request.args.get("year")
    if not year:
        raise Problem("validation_failed", fields=[field_error(
            "year", "Cần tham số year (năm rà soát).", "The year parameter (review year) is required.")])
    actor = current_actor()
    made = operations.report(table, year, request.args.get("unit") or actor.unit_code,
                             request.args.get("basis", "approved"), actor)
    buffer = io.BytesIO()  # a report table is one row per commune: small
    operations.write(made, buffer)
    return Response(buffer.getvalue(), mimetype=made.content_type, headers={
        "Content-Disposition": f'attachment; filename="{made.file_name}"', "Cache-Control": "no-store"})
