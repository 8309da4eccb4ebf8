"""The accounts API: bearer tokens for phones and scripts."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from server.accounts import operations as ops
from server.core.auth import current_actor, permission_of, public, requires
from server.core.errors import Problem, field_error
from server.core.jsontext import parse_body
from server.core.requests import problem_response
from server.core.roles import ROLES

bp = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


def json_body() -> dict:
    """The request's JSON object, or a coded problem."""
    try:
        data = parse_body(request.get_data())
    except Problem as problem:
        if problem.fields:  # the text or the nesting: say which
            raise
        data = None  # not JSON at all
    if not isinstance(data, dict):
        raise Problem("invalid_json", fields=[field_error(
            "body", 'Nội dung phải là một đối tượng JSON, ví dụ {"username": "...", "password": "..."}.',
            'The body must be a JSON object, e.g. {"username": "...", "password": "..."}.')])
    return data


@bp.post("/token")
@public
def create_token():
    """Exchange a username and password for a bearer token: {"token", "expires_at"}."""
    data = json_body()
    missing = [k for k in ("username", "password") if not isinstance(data.get(k), str) or not data.get(k)]
    if missing:
        raise Problem("validation_failed", fields=[
            field_error(k, "Bắt buộc, là một chuỗi ký tự không rỗng.", "Required, a non-empty string.")
            for k in missing])
    try:
        user = ops.authenticate(data["username"], data["password"], request.remote_addr or "")
    except Problem as problem:
        return problem_response(problem)  # keep the recorded failure
    if user.must_change_password:
        raise Problem("password_change_required")
    token, row = ops.issue_token(user, label=str(data.get("label") or request.user_agent.string or "")[:100])
    return jsonify({"token": token, "expires_at": row.expires_at.isoformat(),
                    "user": _user_json(user)}), 201


@bp.delete("/token")
@requires(*ROLES)
def delete_token():
    """Revoke the token this request was made with."""
    ops.revoke_token(current_actor(), g.api_token)
    return "", 204


@bp.get("/me")
@requires(*ROLES)
def me():
    """Who the token belongs to: role and area."""
    return jsonify(_user_json(current_actor()))


def _user_json(user) -> dict:
    """The public description of a user for their own client."""
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "unit": {"code": user.unit.code, "level": user.unit.level, "name": user.unit.name}}


def load_bearer_user() -> None:
    """Authenticate an API request from its `Authorization: Bearer` header (never from the session cookie)."""
    g.api_user = g.api_token = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    found = ops.user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if found is None:
        # A phone whose token expired still sends it when it signs in again: a public route ignores it.
        rule = permission_of(current_app, request.endpoint) if request.endpoint else None
        if rule is not None and rule.public:
            return
        raise Problem("token_invalid")
    g.api_user, g.api_token = found
