"""One request, one transaction: commit after the view, roll back on any error; errors as JSON or pages."""

from __future__ import annotations

import logging

from flask import g, jsonify, make_response, render_template, request, session
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from server.core.auth import is_api_request
from server.core.errors import Problem, field_error
from server.core.jsontext import has_control_characters, refusal_message, replace_control_characters
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
        bad = [(part, name, value) for part, name, value in _request_texts() if has_control_characters(value)]
        if not bad:
            return
        if is_api_request() or any(part != "form" for part, _name, _value in bad):
            raise Problem("validation_failed", fields=[field_error(name, *refusal_message(value))
                                                       for _part, name, value in bad])
        _refuse_at_the_fields({name: value for _part, name, value in bad})

    @app.after_request
    def _commit(response):
        if g.get("rolled_back"):
            return response
        unread = [name for name in g.get("refused_texts", {}) if name not in g.get("texts_told", set())]
        if unread:  # a field no form of the view read: refused as a page, nothing the view did is kept
            _keep_only_earlier_flashes()
            return _render_problem(Problem("validation_failed", fields=[
                field_error(name, *g.refused_texts[name]) for name in unread]))
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
    """(part, name, text) of every text of the request a view may read: URL parts ("path"), query ("query") and form
    fields ("form")."""
    yield from (("path", k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str))
    # A part may have no name: "" names it.
    yield from (("query", k or "", v) for k, v in request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from (("form", k or "", v) for k, v in request.form.items(multi=True))


def _refuse_at_the_fields(bad: dict[str, str]) -> None:
    """Let a web form refuse its fields that hold a control character, each at its field, in the page's language.

    The view runs with each such character replaced (U+FFFD), so nothing it reads can reach a database or fail to
    render; the form (server.core.forms.Form, or a view reading request.form through `refuse_form_texts`) says
    what is wrong under the field, and shows the text again. A field that nothing told of is refused after the
    view, as a page, and whatever the view did is undone (`_commit`).
    """
    g.refused_texts = {name: refusal_message(text) for name, text in bad.items()}
    g.flashes_before = list(session.get("_flashes", []))
    request.form = ImmutableMultiDict(
        [(k, replace_control_characters(v)) for k, v in request.form.items(multi=True)])


def _keep_only_earlier_flashes() -> None:
    """Forget the messages the view flashed (it said it did what is undone), keep those of earlier requests."""
    if g.flashes_before:
        session["_flashes"] = g.flashes_before
    else:
        session.pop("_flashes", None)


def refused_texts(names) -> dict[str, tuple[str, str]]:
    """The message (vi, en) of each of these form fields whose text held a control character; the request's unit
    of work then counts it as told to the user (a form shows it at the field)."""
    refused = g.get("refused_texts", {})
    found = {name: refused[name] for name in names if name in refused}
    g.texts_told = g.get("texts_told", set()) | set(found)
    return found


def refuse_form_texts() -> None:
    """For a view that reads request.form itself: refuse (422, each field named) a post whose text held a control
    character, so that the view shows its refusal as it shows any other."""
    refused = refused_texts(g.get("refused_texts", {}))
    if refused:
        raise Problem("validation_failed", fields=[field_error(name, *message) for name, message in refused.items()])


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
