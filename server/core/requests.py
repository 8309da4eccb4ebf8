"""One request, one transaction: commit after the view, roll back on any error; errors as JSON or pages."""

from __future__ import annotations

import logging

from flask import g, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from server.core.auth import is_api_request
from server.core.errors import Problem, field_error
from server.core.jsontext import CONTROL_MESSAGE, has_control_characters
from server.extensions import db

log = logging.getLogger("rasoat")

_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 500: "internal_error"}


def init_app(app) -> None:
    """Install the CSRF check, the unit of work and the error handlers."""
    from server.extensions import csrf

    # Every form is CSRF-checked; the API is not, because it authenticates with bearer tokens only, never with
    # the session cookie a forged cross-site request would carry. Checked by path so no API route can forget.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _csrf_check():
        if (app.config["WTF_CSRF_ENABLED"] and request.method in app.config.get(
                "WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")) and not is_api_request()):
            csrf.protect()

    @app.before_request
    def _refuse_control_characters():
        # No text a person types holds one, and PostgreSQL refuses NUL: refused for every backend alike, by name.
        bad = [name for name, value in _request_texts() if has_control_characters(value)]
        if bad:
            vi, en = CONTROL_MESSAGE
            raise Problem("validation_failed", fields=[field_error(name, vi, en) for name in bad])

    @app.after_request
    def _commit(response):
        if g.get("rolled_back"):
            return response
        try:
            db.session.commit()
        except Exception:  # noqa: BLE001 - whatever failed, the client must not be told it succeeded
            log.exception("commit failed on %s %s", request.method, request.path)
            return _render_problem(Problem("internal_error"))
        return response

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        return _render_problem(problem)

    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return _render_problem(Problem("csrf_failed"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = _HTTP_CODES.get(exc.code or 500)
        if code is None:
            _rollback()
            return exc
        problem = Problem(code, status=exc.code)
        response = _render_problem(problem)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render_problem(Problem("internal_error"))


def _request_texts():
    """(name, text) of every text of the request a view may read: URL parts, query and form fields."""
    yield from ((k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str))
    yield from ((k or "", v) for k, v in request.args.items(multi=True))  # a part may have no name: "" names it
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from ((k or "", v) for k, v in request.form.items(multi=True))


def undo_request_work() -> None:
    """Undo everything the request (or command) has written so far; what it writes afterwards is committed as usual.

    The one way to roll back: a view that shows a refused form again, an operation that lost a race to an
    identical post, a command that fails. The unit of work itself calls it on any error.
    """
    db.session.rollback()


def _rollback() -> None:
    """Undo everything the request wrote, and commit nothing more."""
    undo_request_work()
    g.rolled_back = True


def _render_problem(problem: Problem, *, rollback: bool = True):
    """Roll back, then answer with the problem: JSON on the API, a friendly page elsewhere."""
    if rollback:
        _rollback()
    if is_api_request():
        response = jsonify({"error": problem.to_dict()})
    else:
        response = make_response(render_template("error.html", error=problem.to_dict(),
                                                 lang=str(get_locale() or "vi")))
    response.status_code = problem.status
    if "retry_after" in problem.params:
        response.headers["Retry-After"] = str(int(problem.params["retry_after"]))
    return response


def problem_response(problem: Problem):
    """Answer with a problem but keep (commit) what the request recorded, e.g. an audited failed login."""
    return _render_problem(problem, rollback=False)


def fail_command(problem: Problem) -> None:
    """End a command on a refusal: undo its work, print the problem in both languages with its field errors, and
    exit with status 1 (the commands' counterpart of a 4xx answer)."""
    import sys

    import click

    undo_request_work()
    body = problem.to_dict()
    click.echo(f"{body['message']['vi']} / {body['message']['en']}", err=True)
    for f in body.get("fields", []):
        where = f"{f['path']}: " if f.get("path") else ""
        click.echo(f"  {where}{f['message']['vi']} / {f['message']['en']}", err=True)
    sys.exit(1)
