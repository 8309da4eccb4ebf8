"""The form definitions for the collector: public (forms hold no personal data), cached by ETag.

    GET /api/v1/forms          {"forms": [{"name", "version", "title", "etag", "url"}]}
    GET /api/v1/forms/<form_name>   the definition as served (server.surveys.definitions.served): choices_from lists
                               filled in and rule-set facts resolved; ETag from the content, If-None-Match → 304

The current review year (what a new form starts with, and which rule set's Phiếu A items are listed) is the
REVIEW_YEAR setting, or the calendar year of today's date in Vietnam when it is 0.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from server.core.auth import public
from server.core.errors import Problem
from server.surveys import definitions

bp = Blueprint("forms_api", __name__, url_prefix="/api/v1")


def facts() -> definitions.Facts:
    """What the served definitions read: the rule sets and the current review year of this installation."""
    return definitions.Facts(definitions.current_review_year(current_app.config["REVIEW_YEAR"]))


def _cached(response, etag):
    # Every API answer is Cache-Control: no-store (server/core/security.py); the collector's service worker keeps
    # the definition itself and revalidates with the ETag (If-None-Match → 304).
    response.set_etag(etag)
    return response


@bp.get("/forms")
@public
def index():
    """The forms with their versions."""
    items = [item | {"url": url_for("forms_api.one", form_name=item["name"])} for item in definitions.listing(facts())]
    return jsonify({"forms": items})


@bp.get("/forms/<form_name>")
@public
def one(form_name: str):
    """One form definition, ready for the collector to render."""
    try:
        body, etag = definitions.served(form_name, facts())
    except definitions.UnknownForm:
        raise Problem("not_found") from None
    if etag in request.if_none_match:
        return _cached(current_app.response_class(status=304), etag)
    return _cached(jsonify(body), etag)
