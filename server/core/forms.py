"""WTForms helpers every domain's forms share (flask-wtf: every form carries a CSRF token).

Every validator carries its own message from our catalogue: WTForms has no Vietnamese translation of its own, so
its default messages would appear in English on a Vietnamese page. Every web form derives from `Form`, which
refuses at its field a text that held a control character (server.core.requests lets the form say so rather than
answer with a bare error page).
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Length

from server.core.requests import refused_texts


def required():
    """A field that must be filled in."""
    return DataRequired(message=_l("This field is required."))


def length(min: int = -1, max: int = -1):  # noqa: A002 - the WTForms names
    """A length limit with a message people can read in their language."""
    if min > 0:
        return Length(min=min, max=max, message=_l("Between %(min)d and %(max)d characters.", min=min, max=max))
    return Length(max=max, message=_l("At most %(max)d characters.", max=max))


class Form(FlaskForm):
    """A web form: a field whose text held a control character is refused with the message under it."""

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields; a field the request refused for its characters has that message as its error."""
        valid = super().validate(extra_validators)
        refused = refused_texts(field.name for field in self)
        english = str(get_locale() or "vi") == "en"
        for field in self:
            if field.name in refused:
                # Alone: the other validators read the text with the character replaced, and would mislead.
                field.errors = [refused[field.name][1 if english else 0]]
        return valid and not refused


class ConfirmForm(Form):
    """A button that changes something (CSRF-protected)."""
