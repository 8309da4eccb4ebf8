"""Account pages: sign in and out, own password and tokens, user management for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select

from server.accounts import operations as ops
from server.accounts.forms import ROLE_LABELS, ConfirmForm, LoginForm, PasswordForm, UserForm
from server.accounts.models import ROLES, ApiToken, User
from server.audit.operations import record_event
from server.core.auth import current_actor, public, requires
from server.core.errors import Problem
from server.core.requests import problem_response
from server.core.urls import local_target
from server.core.scoping import scoped
from server.extensions import db

bp = Blueprint("accounts", __name__, template_folder="templates")


def _lang() -> str:
    """The page's language code."""
    from flask_babel import get_locale

    return str(get_locale() or "vi")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Show the login form; sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = ops.authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except Problem as problem:
            if problem.code == "too_many_attempts":
                return problem_response(problem)
            form.password.errors.append(problem.to_dict()["message"][_lang()])
            return render_template("accounts/login.html", form=form), 401
        login_user(user)
        return redirect(local_target(request.args.get("next", "")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@requires(*ROLES)
def logout():
    """Sign out."""
    record_event("logout", current_actor(), unit_code=current_actor().unit_code)
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(*ROLES)
def change_password():
    """Change one's own password (forced after a first login with a generated password)."""
    user = current_actor()
    form = PasswordForm()
    if form.validate_on_submit():
        from werkzeug.security import check_password_hash

        if not check_password_hash(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            ops.set_password(user, user, form.new.data)
            flash(_("Your password has been changed."))
            return redirect(url_for("web.home"))
    return render_template("accounts/password.html", form=form), (422 if form.errors else 200)


@bp.get("/account")
@requires(*ROLES)
def tokens():
    """Show one's account and API tokens (phones), with a way to revoke each."""
    user = current_actor()
    rows = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc())).scalars().all()
    return render_template("accounts/account.html", user=user, tokens=rows, form=ConfirmForm(),
                           role_labels=ROLE_LABELS)


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires(*ROLES)
def revoke_token(token_id: int):
    """Revoke one of one's own tokens (a lost phone)."""
    form = ConfirmForm()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != current_actor().id or not form.validate_on_submit():
        abort(404)
    ops.revoke_token(current_actor(), row)
    flash(_("The token has been revoked."))
    return redirect(url_for("accounts.tokens"))


@bp.get("/admin/users")
@requires("admin")
def users():
    """List the users in the administrator's area."""
    rows = db.session.execute(scoped(select(User), current_actor()).order_by(User.unit_code, User.username)
                              ).scalars().all()
    return render_template("accounts/users.html", users=rows, role_labels=ROLE_LABELS)


def _user_in_area(user_id: int) -> User:
    """A user in the administrator's area, or 404 (a user outside it is not revealed)."""
    user = db.session.execute(scoped(select(User).where(User.id == user_id), current_actor())).scalar_one_or_none()
    if user is None:
        abort(404)
    return user


def _apply_problem(form: UserForm, problem: Problem) -> None:
    """Show an operation's problem on the form fields it names (the whole message when it names none)."""
    body, lang = problem.to_dict(), _lang()
    fields = {"unit": form.unit_code, "username": form.username, "password": form.password, "role": form.role,
              "full_name": form.full_name, "is_enabled": form.is_enabled}
    default = "unit" if problem.code in ("out_of_scope", "role_scope_mismatch", "unit_unknown") else "username"
    named = body.get("fields") or [{"path": default, "message": body["message"]}]
    for f in named:
        target = fields.get(f["path"], form.username)
        target.errors = [*target.errors, f["message"][lang]]


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("admin")
def new_user():
    """Create a user in the administrator's area."""
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("A password is required for a new user."))
        else:
            try:
                ops.create_user(current_actor(), username=form.username.data, full_name=form.full_name.data,
                                role=form.role.data, unit_code=form.unit_code.data.strip(),
                                password=form.password.data, must_change_password=True,
                                is_enabled=form.is_enabled.data)
            except Problem as problem:
                db.session.rollback()
                _apply_problem(form, problem)
            else:
                flash(_("User %(name)s created.", name=form.username.data))
                return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None), (422 if form.errors else 200)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin")
def edit_user(user_id: int):
    """Edit a user's name, role, area, enabled state, or reset their password."""
    user = _user_in_area(user_id)
    form = UserForm(obj=user)
    form.username.data = user.username
    if form.validate_on_submit():
        try:
            ops.update_user(current_actor(), user, full_name=form.full_name.data, role=form.role.data,
                            unit_code=form.unit_code.data.strip(), is_enabled=form.is_enabled.data)
            if form.password.data:
                ops.set_password(current_actor(), user, form.password.data, must_change=True)
        except Problem as problem:
            db.session.rollback()
            _apply_problem(form, problem)
        else:
            flash(_("User %(name)s saved.", name=user.username))
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user), (422 if form.errors else 200)
