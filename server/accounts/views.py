"""Account pages: sign in and out, own password and tokens, user management for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from server.accounts import operations as ops, throttling
from server.accounts.forms import ROLE_LABELS, ClientTokenForm, LoginForm, PasswordForm, UserForm
from server.accounts.models import ApiToken, User
from server.audit.operations import record_event
from server.core.auth import current_actor, public, requires
from server.core.db import utcnow
from server.core.errors import Problem
from server.core.forms import ConfirmForm
from server.core.requests import undo_request_work
from server.core.roles import API_CLIENT, WEB_ROLES
from server.core.urls import local_target
from server.core.scoping import scoped
from server.core.text import sentence
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
            message = problem.to_dict()["message"][_lang()]
            if problem.code == "invalid_credentials":
                form.password.errors.append(message)
                return render_template("accounts/login.html", form=form), 401
            # Refused before any password was checked (a wait, a lock): said above the form, which stays usable.
            response = make_response(render_template("accounts/login.html", form=form, refusal=message),
                                     problem.status)
            if "retry_after" in problem.params:
                response.headers["Retry-After"] = str(problem.params["retry_after"])
            return response
        login_user(user)
        return redirect(local_target(request.args.get("next", "")))
    return render_template("accounts/login.html", form=form), (422 if form.errors else 200)


@bp.post("/logout")
@requires(*WEB_ROLES)
def logout():
    """Sign out: the session ends on the server too, so a copy of its cookie no longer signs anyone in."""
    user = current_actor()
    record_event("logout", user, unit_code=user.unit_code)
    ops.end_sessions(user)
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(*WEB_ROLES)
def change_password():
    """Change one's own password (forced after a first login with a generated password). Every other session and
    every API token of the user ends; this browser stays signed in."""
    user = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            right = ops.check_current_password(user, form.current.data, request.remote_addr or "")
        except Problem as problem:  # asked to wait: shown at the field, the recorded try kept
            form.current.errors.append(problem.to_dict()["message"][_lang()])
            right = None
        if right is False:
            form.current.errors.append(_("The current password is wrong."))
        elif right:
            ops.set_password(user, user, form.new.data)
            login_user(user)  # stamps this session with the new session version
            flash(_("Your password has been changed. You have been signed out everywhere else, and every phone "
                    "must sign in again."))
            return redirect(url_for("web.home"))
    return render_template("accounts/password.html", form=form), (422 if form.errors else 200)


@bp.get("/account")
@requires(*WEB_ROLES)
def tokens():
    """Show one's account and API tokens (phones), with a way to revoke each."""
    user = current_actor()
    rows = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.id.desc())).scalars().all()
    return render_template("accounts/account.html", user=user, tokens=rows, form=ConfirmForm(),
                           role_labels=ROLE_LABELS)


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires(*WEB_ROLES)
def revoke_token(token_id: int):
    """Revoke one of one's own tokens (a lost phone), or, for an administrator, a token of an API client in their
    area (the provincial system's machine has no page of its own); a token of anyone else is not found."""
    form = ConfirmForm()
    actor = current_actor()
    row = db.session.get(ApiToken, token_id)
    if row is None or not form.validate_on_submit():
        abort(404)
    if row.user_id == actor.id:
        back = url_for("accounts.tokens")
    elif actor.role == "admin" and row.user.role == API_CLIENT:
        back = url_for("accounts.edit_user", user_id=_user_in_area(row.user_id).id)
    else:
        abort(404)
    ops.revoke_token(actor, row)
    flash(_("The token has been revoked."))
    return redirect(back)


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
        if not form.password.data and form.role.data != API_CLIENT:
            form.password.errors.append(_("A password is required for a new user."))
        else:
            try:
                ops.create_user(current_actor(), username=form.username.data, full_name=form.full_name.data,
                                role=form.role.data, unit_code=form.unit_code.data.strip(),
                                password=form.password.data, must_change_password=True,
                                is_enabled=form.is_enabled.data)
            except Problem as problem:
                undo_request_work()
                _apply_problem(form, problem)
            else:
                flash(sentence(_("User %(name)s created."), name=form.username.data))
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
                if user.id == current_actor().id:
                    login_user(user)  # an administrator resetting their own password stays signed in here
        except Problem as problem:
            undo_request_work()
            _apply_problem(form, problem)
        else:
            flash(sentence(_("User %(name)s saved."), name=user.username))
            return redirect(url_for("accounts.users"))
    return _edit_page(user, form, ClientTokenForm(formdata=None))


def _edit_page(user: User, form: UserForm, token_form: ClientTokenForm):
    """The edit page of a user; an API client's shows its tokens and the button that issues one."""
    tokens = []
    if user.role == API_CLIENT:
        tokens = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)
                                    .order_by(ApiToken.id.desc())).scalars().all()
    status = 422 if form.errors or token_form.errors else 200
    return render_template("accounts/user_form.html", form=form, user=user, confirm=ConfirmForm(),
                           delays=throttling.delays_for(user.username), now=utcnow(), tokens=tokens,
                           token_form=token_form, api_client=API_CLIENT), status


@bp.post("/admin/users/<int:user_id>/tokens")
@requires("admin")
def issue_client_token(user_id: int):
    """Issue a token for an API client in the administrator's area, shown this once on the answer page: the
    provincial system cannot sign in for one (it has no password)."""
    user = _user_in_area(user_id)
    token_form = ClientTokenForm()
    if token_form.validate_on_submit():
        try:
            token, row = ops.issue_client_token(current_actor(), user, token_form.label.data or "")
        except Problem as problem:
            undo_request_work()
            body = problem.to_dict()
            token_form.label.errors = [f["message"][_lang()] for f in body.get("fields") or [body]]
        else:
            return render_template("accounts/token_issued.html", user=user, token=token, row=row)
    return _edit_page(user, UserForm(obj=user, formdata=None), token_form)


@bp.post("/admin/users/<int:user_id>/lock")
@requires("admin")
def lock_user(user_id: int):
    """Lock a user's sign-in (an account under attack); sessions and tokens already open keep working."""
    user = _user_in_area(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.lock_user(current_actor(), user)
    flash(sentence(_("Sign-in for %(name)s is locked until you unlock it."), name=user.username))
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/unlock")
@requires("admin")
def unlock_user(user_id: int):
    """Unlock a user's sign-in and clear the waits their name has from wrong passwords."""
    user = _user_in_area(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ops.unlock_user(current_actor(), user)
    flash(sentence(_("%(name)s can sign in again; the waits after wrong passwords are cleared."), name=user.username))
    return redirect(url_for("accounts.edit_user", user_id=user.id))
