"""GET /api/v1/indicators?year=YEAR&unit=CODE&basis=BASIS: the indicator table, scoped to the caller.

Roles: supervisor (their commune and its villages), officer, admin and api_client (the provincial system's machine):
their area, the province. Enumerators are refused (403 `forbidden`): a village's figures over a handful of
households tell who is poor, and their work is their own forms. A unit outside the caller's area is 403
`out_of_scope` (as everywhere in the API), an unknown unit 404, a bad parameter 422 naming it. `unit` defaults to
the caller's own unit.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from server.core.auth import current_actor, requires
from server.core.errors import Problem, field_error
from server.indicators.operations import indicator_table

bp = Blueprint("indicators_api", __name__, url_prefix="/api/v1")


@bp.get("/indicators")
@requires("supervisor", "officer", "admin", "api_client")
def get_indicators():
    """The table of `unit` (default: the caller's unit) and its children for `year` under `basis`."""
    year = request.args.get("year")
    if not year:
        raise Problem("validation_failed", fields=[field_error(
            "year", "Cần tham số year (năm rà soát).", "The year parameter (review year) is required.")])
    actor = current_actor()
    table = indicator_table(year, request.args.get("unit") or actor.unit_code,
                            request.args.get("basis", "approved"), actor=actor)
    return jsonify(table)
