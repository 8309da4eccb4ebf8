"""The push page for officers and administrators: where the data goes, what is queued, what was sent.

    GET  /exports/push              the endpoint (host only), the outbox by kind and state, the newest batches
                                    and their import summaries; ?dry_run=1 adds what the next push would send
    POST /exports/push              "Push now": make the batches and send each once (no retry wait in a request;
                                    a batch that fails keeps its backoff for the command, or the next click)

The page shows counts, ids and the endpoint's messages, never the records themselves. The outbox is the whole
installation's, so only users of the province's own level see it or push (a commune's administrator gets 403).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request

from server.core.auth import current_actor, requires
from server.core.errors import Problem
from server.core.forms import ConfirmForm
from server.core.requests import undo_request_work
from server.exports import push as ops

bp = Blueprint("exports_push", __name__, template_folder="templates")
ROLES = ("officer", "admin")


def _province_level() -> None:
    if current_actor().unit.level != "province":
        raise Problem("forbidden")


def _page(*, plan=None, reports=None, problem: Problem | None = None, status: int = 200):
    url = current_app.config.get("PUSH_URL") or ""
    return render_template("exports/push.html", form=ConfirmForm(), host=urlsplit(url).hostname if url else None,
                           overview=ops.overview(), plan=plan, reports=reports,
                           totals=ops.totals(reports) if reports is not None else None,
                           problem=problem.to_dict() if problem is not None else None), status


@bp.get("/exports/push")
@requires(*ROLES)
def page():
    """The push's state; with ?dry_run=1, what the next push would send (nothing is written)."""
    _province_level()
    if request.args.get("dry_run"):
        try:
            return _page(plan=ops.dry_run())
        except Problem as problem:
            return _page(problem=problem, status=problem.status)
    return _page()


@bp.post("/exports/push")
@requires(*ROLES)
def push_now():
    """Make the batches of what is pending and send each unacknowledged batch once; show the import summaries."""
    _province_level()
    try:  # the CSRF token was checked before the view (server.core.requests)
        reports = ops.push(actor=current_actor(), one_attempt=True)
    except Problem as problem:
        undo_request_work()
        return _page(problem=problem, status=problem.status)
    return _page(reports=reports)


def register(app) -> None:
    """Register the page (the exports package's init_app calls it)."""
    app.register_blueprint(bp)
