"""The rule sets for the phone's rule engine (static/js/poverty/classify.js): public, law, no personal data.

    GET /api/v1/rule-sets          {"rule_sets": [{"name", "title", "review_years", "provisional", "url"}]}
    GET /api/v1/rule-sets/<rule_set> everything the engine needs (server.surveys.rule_sets.document), with an ETag
                                   derived from the content; If-None-Match with it answers 304
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from server.core.auth import public
from server.core.errors import Problem
from server.surveys import rule_sets

bp = Blueprint("rule_sets_api", __name__, url_prefix="/api/v1")


@bp.get("/rule-sets")
@public
def index():
    """The rule sets and the review years each applies to."""
    items = [item | {"url": url_for("rule_sets_api.one", rule_set=item["name"])} for item in rule_sets.listing()]
    return jsonify({"rule_sets": items})


@bp.get("/rule-sets/<rule_set>")
@public
def one(rule_set: str):
    """One rule set with its Phiếu A, its B1 point tables and the installation's commune facts."""
    try:
        body, etag = rule_sets.document(rule_set, current_app.config["PROVINCE_CODE"])
    except rule_sets.UnknownRuleSet:
        raise Problem("not_found") from None
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = jsonify(body)
    response.set_etag(etag)
    return response
