"""WTForms helpers every domain's forms share (flask-wtf: every form carries a CSRF token).

Every validator carries its own message from our catalogue: WTForms has no Vietnamese translation of its own, so
its default messages would appear in English on a Vietnamese page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length


def required():
    """A field that must be filled in."""
    return DataRequired(message=_l("This field is required."))


def length(min: int = -1, max: int = -1):  # noqa: A002 - the WTForms names
    """A length limit with a message people can read in their language."""
    if min > 0:
        return Length(min=min, max=max, message=_l("Between %(min)d and %(max)d characters.", min=min, max=max))
    return Length(max=max, message=_l("At most %(max)d characters.", max=max))


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF-protected)."""
