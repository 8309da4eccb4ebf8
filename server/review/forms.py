"""Review forms (flask-wtf: every form carries a CSRF token); every validator carries a message of ours.

The meeting and decision forms list households whose number varies: each household's fields are named by its
id (`include` = the ids ticked, `votes-<id>`, `revision-<id>`) and read by `picked()`. Nothing is ticked and no
vote is counted by default: a household's votes are typed, or the supervisor marks "all in favour" explicitly.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, NumberRange, Optional

from server.core.db import local_today
from server.core.forms import Form, length, required
from server.review.operations import COMMENT_MAX


def _date(label, **kw):
    """A date field (a date picker sends YYYY-MM-DD; typed by hand, DD/MM/YYYY) with a message of ours."""
    return DateField(label, format=["%Y-%m-%d", "%d/%m/%Y"], invalid_value_message=_l("Enter a date."), **kw)


class CommentForm(Form):
    """A comment on the whole record or on one answer (the enumerator reads it on the phone)."""

    # Choices (the record's answer paths) are set by the view; "" = the whole record.
    field_path = SelectField(_l("About"), validate_choice=False, validators=[Optional()])
    text = TextAreaField(_l("Comment"), validators=[required(), length(max=COMMENT_MAX)])


# The steps taken from a household's page; the meeting's and the decision's come from their own pages.
PAGE_ACTIONS = ("return", "approve", "set_aside", "restore")


class ActionForm(Form):
    """A step on a form (return, approve) taken on the revision the supervisor saw.

    `action` comes from the button pressed; `revision` is written by the template from the form shown, never
    from what was posted, so a page redisplayed after a refusal carries the current revision."""

    action = StringField(validators=[AnyOf(PAGE_ACTIONS, message=_l("Choose a step."))])
    revision = IntegerField(invalid_value_message=_l("Reload the page and try again."))
    comment = TextAreaField(_l("Reason or note (required to return the form)"),
                            validators=[Optional(), length(max=COMMENT_MAX)])
    # Only to set a form aside: the number of the form of the same household that is kept.
    duplicate_of = IntegerField(_l("Duplicate of form number"), validators=[Optional()],
                                invalid_value_message=_l("Enter the form's number (the digits after #)."))


class MeetingForm(Form):
    """A village meeting (họp dân) and its vote on the village's approved households."""

    held_on = _date(_l("Meeting date"), default=local_today)  # the day in Vietnam, whatever the server clock
    attendees = IntegerField(_l("Number of attendees"), invalid_value_message=_l("Enter a whole number."),
                             validators=[NumberRange(min=1, message=_l("At least 1."))])
    minutes_ref = StringField(_l("Minutes reference"), validators=[Optional(), length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), length(max=COMMENT_MAX)])
    # An explicit statement of the minutes, never a default: an empty votes box is otherwise refused.
    all_in_favour = BooleanField(_l("Every attendee voted in favour of each ticked household whose votes box is "
                                    "left empty"))


class DecisionForm(Form):
    """The commune chair's decision recognising agreed households."""

    number = StringField(_l("Decision number"), validators=[required(), length(max=64)])
    signed_on = _date(_l("Signing date"))


def _int(text) -> int | None:
    """A whole number typed in a form, or None."""
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def picked(formdata, *, votes_default: int | None = None, with_votes: bool = False) -> dict:
    """The households ticked in a bulk form: {id: revision}, or {id: (revision, votes_for)} with votes.

    An empty votes box counts as `votes_default`: None (refused by the operation, naming the household) unless
    the supervisor marked every attendee in favour. A box that is not a number is passed on as None too.
    """
    out = {}
    for raw in formdata.getlist("include"):
        submission_id = _int(raw)
        if submission_id is None:
            continue
        revision = _int(formdata.get(f"revision-{submission_id}")) or 0
        if with_votes:
            typed = (formdata.get(f"votes-{submission_id}") or "").strip()
            out[submission_id] = (revision, votes_default if typed == "" else _int(typed))
        else:
            out[submission_id] = revision
    return out


def votes_unticked(formdata) -> list[int]:
    """Households whose votes box was filled in but which were not ticked (their votes would be lost)."""
    ticked = {_int(raw) for raw in formdata.getlist("include")}
    out = []
    for name, value in formdata.items():
        if name.startswith("votes-") and (value or "").strip():
            submission_id = _int(name.removeprefix("votes-"))
            if submission_id is not None and submission_id not in ticked:
                out.append(submission_id)
    return sorted(out)
