"""Accounts: users with a role and an area, sign-in, API tokens."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from server.core.auth import is_api_request
from server.core.roles import API_CLIENT
from server.core.scoping import UNSCOPED

EXEMPT_FROM_PASSWORD_CHANGE = {"accounts.change_password", "accounts.logout", "web.set_language", "static"}


def init_app(app) -> None:
    """Register pages and API, the session user loader and the bearer-token check."""
    from server.accounts import api, views
    from server.accounts.models import User
    from server.extensions import db, login_manager

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")

    @login_manager.user_loader
    def _load_user(session_id: str):
        # `id:version` (User.get_id): a cookie stamped before a logout or a password change names an old version.
        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id), execution_options={UNSCOPED: "session owner"})
        if user is None or user.session_version != int(version) or user.role == API_CLIENT:
            return None  # an API client never has a web session, whatever a cookie says
        return user

    @app.before_request
    def _authenticate_api():
        if is_api_request():
            api.load_bearer_user()
        elif (current_user.is_authenticated and current_user.must_change_password
              and request.endpoint not in EXEMPT_FROM_PASSWORD_CHANGE):
            return redirect(url_for("accounts.change_password"))
        return None
