"""Account forms (flask-wtf: every form carries a CSRF token); every validator carries a message of ours."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, EqualTo, Optional, Regexp

from server.core.forms import Form, length, required
from server.core.roles import ROLES

ROLE_LABELS = {
    "enumerator": _l("Enumerator (village cadre)"),
    "supervisor": _l("Commune supervisor"),
    "officer": _l("Provincial officer"),
    "admin": _l("Administrator"),
    "api_client": _l("API client (machine)"),
}


class LoginForm(Form):
    """Sign in."""

    username = StringField(_l("Username"), validators=[required(), length(max=64)])
    password = PasswordField(_l("Password"), validators=[required()])


class PasswordForm(Form):
    """Change one's own password."""

    current = PasswordField(_l("Current password"), validators=[required()])
    new = PasswordField(_l("New password"), validators=[required(), length(min=10, max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[required(), EqualTo("new", message=_l("The passwords differ."))])


class UserForm(Form):
    """Create or edit a user (the password only on creation)."""

    username = StringField(_l("Username"), validators=[
        required(), length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    full_name = StringField(_l("Full name"), validators=[required(), length(max=200)])
    # SelectChoice, not (value, label) tuples: WTForms 3.3 deprecates tuples and 3.4 removes them. The choice is
    # checked by AnyOf so that its message is ours.
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES], validate_choice=False,
                       validators=[AnyOf(ROLES, message=_l("Choose one of the listed roles."))])
    unit_code = StringField(_l("Unit code (province, commune or village)"), validators=[required(), length(max=20)])
    # Required on creation except for an API client, which has none (the view checks); on editing, empty keeps the
    # current password.
    password = PasswordField(_l("Password"), validators=[Optional(), length(min=10, max=200)])
    is_enabled = BooleanField(_l("Account enabled"), default=True)


class ClientTokenForm(Form):
    """Issue a token for an API client (the provincial system's machine); the label says where it is used."""

    label = StringField(_l("Label (where the token is used)"), validators=[Optional(), length(max=100)])
