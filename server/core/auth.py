"""Permission rules on views: every route declares who may use it, and for which area.

`@public` for pages anyone may open (login, language choice); `@requires(*roles, area="param")` for everything
else, where `area` names the URL parameter holding a unit code that must lie in the user's area. Web pages
authenticate with the session cookie (Flask-Login); `/api/` authenticates with a bearer token only, so a browser
session can never be replayed against the API. A test walks the URL map and fails for a route without a rule.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import g, request
from flask_login import current_user

from server.core.errors import Problem
from server.core.roles import ROLES
from server.core.scoping import can_access

# Endpoints Flask itself adds; they serve only public files.
BUILTIN_PUBLIC_ENDPOINTS = frozenset({"static"})


@dataclass(frozen=True)
class Rule:
    """Who may use a view: anyone (`public`), or signed-in users with one of `roles`, inside `area`."""

    public: bool = False
    roles: frozenset[str] = frozenset()
    area: str | None = None


def is_api_request() -> bool:
    """Whether this request is to the JSON API (bearer tokens, JSON errors)."""
    return request.path.startswith("/api/")


def current_actor():
    """The authenticated user of this request, or None: the token's user on the API, the session's elsewhere."""
    if is_api_request():
        return g.get("api_user")
    return current_user if current_user.is_authenticated else None


def public(view):
    """Declare a view open to everyone."""
    view._permission = Rule(public=True)
    return view


def requires(*roles: str, area: str | None = None):
    """Declare the roles that may use a view and, optionally, the URL parameter naming a unit in their area."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"requires(): unknown or no roles {sorted(unknown)}")
    rule = Rule(roles=frozenset(roles), area=area)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_actor()
            if user is None:
                if is_api_request():
                    raise Problem("unauthenticated")
                from server.extensions import login_manager

                return login_manager.unauthorized()
            if user.role not in rule.roles:
                raise Problem("forbidden")
            if rule.area is not None:
                unit = kwargs.get(rule.area) or request.values.get(rule.area)
                if unit and not can_access(user, unit):
                    raise Problem("out_of_scope", unit=unit)
            return view(*args, **kwargs)

        wrapper._permission = rule
        return wrapper

    return decorate


def permission_of(app, endpoint: str) -> Rule | None:
    """The declared rule of an endpoint, or None when it has none."""
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return Rule(public=True)
    return getattr(app.view_functions.get(endpoint), "_permission", None)
