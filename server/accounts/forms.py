"""Account forms (flask-wtf: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from server.accounts.models import ROLES

ROLE_LABELS = {
    "enumerator": _l("Enumerator (village cadre)"),
    "supervisor": _l("Commune supervisor"),
    "officer": _l("Provincial officer"),
    "admin": _l("Administrator"),
}


class LoginForm(FlaskForm):
    """Sign in."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))])


class UserForm(FlaskForm):
    """Create or edit a user (the password only on creation)."""

    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    # SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples and 3.4 removes them.
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])
    unit_code = StringField(_l("Unit code (province, commune or village)"),
                            validators=[DataRequired(), Length(max=20)])
    # Required on creation (the view checks); on editing, empty keeps the current password.
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=10, max=200)])
    is_enabled = BooleanField(_l("Account enabled"), default=True)


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF-protected)."""
