"""The supervisor's bulk pages: the village meeting's vote and the commune decision, for many households at once.

They share the review blueprint and the page helpers of pages.py; each POST calls one operation, all or nothing.
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from server.core.auth import current_actor, requires
from server.core.errors import Problem
from server.core.requests import undo_request_work
from server.core.scoping import scoped
from server.core.text import sentence, vi_sort_key
from server.extensions import db
from server.places.models import Unit
from server.review import operations as ops
from server.review import pages
from server.review import queue as review_queue
from server.review.forms import DecisionForm, MeetingForm, picked, votes_unticked
from server.review.pages import bp
from server.submissions.models import Submission

VOTES_PATH = re.compile(r"votes\[(\d+)\]")


# --- The village meeting and the commune decision --------------------------------------------------------------

def _households(actor, **where) -> list:
    """The supervisor's commune's household forms matching `where` (queue columns), by village and head name.

    Forms set aside as duplicates are not listed: they take no step until restored."""
    stmt = scoped(select(*review_queue.COLUMNS).where(
        Submission.kind == "household", Submission.duplicate_of_id.is_(None),
        *(getattr(Submission, k) == v for k, v in where.items())), actor, Submission)
    rows = db.session.execute(stmt).all()
    return sorted(rows, key=lambda r: (r.village_code, vi_sort_key(r.head_name or "")))


def _apply_problem(form, problem: Problem, row_errors: dict[int, str]) -> None:
    """Put an operation's refusal on the fields it names; the rest in a flash message."""
    body, lang = problem.to_dict(), pages.lang()
    general = [] if body.get("fields") else [body["message"][lang]]
    for f in body.get("fields", []):
        text, match = f["message"][lang], VOTES_PATH.fullmatch(f["path"])
        if match:
            row_errors[int(match.group(1))] = text
        elif f["path"] in form:
            form[f["path"]].errors = [*form[f["path"]].errors, text]
        else:
            general.append(text)
    if general:
        flash(" ".join(general), "error")


@bp.route("/review/meeting", methods=["GET", "POST"])
@requires("supervisor")
def meeting():
    """Record a village meeting's vote on the village's approved households (≥ half in favour: agreed)."""
    actor = current_actor()
    approved = _households(actor, commune_code=actor.unit_code, state="approved")
    villages = sorted(db.session.execute(select(Unit).where(Unit.parent_code == actor.unit_code,
                                                            Unit.level == "village")).scalars(),
                      key=lambda u: vi_sort_key(u.name))
    village = next((v for v in villages if v.code == request.args.get("village")), None)
    if village is None:
        waiting = {v.code: sum(r.village_code == v.code for r in approved) for v in villages}
        return render_template("review/meeting_village.html", villages=villages, waiting=waiting)
    rows = [r for r in approved if r.village_code == village.code]
    form = MeetingForm()
    row_errors: dict[int, str] = {}
    if form.validate_on_submit() and not _unticked_votes(row_errors):
        votes = picked(request.form, votes_default=form.attendees.data if form.all_in_favour.data else None,
                       with_votes=True)
        try:
            held = ops.record_meeting(actor, village_code=village.code, held_on=form.held_on.data,
                                      attendees=form.attendees.data, minutes_ref=form.minutes_ref.data,
                                      note=form.note.data, votes=votes)
        except Problem as problem:
            undo_request_work()
            _apply_problem(form, problem, row_errors)
        else:
            states = db.session.execute(scoped(select(Submission.state).where(Submission.meeting_id == held.id),
                                               actor, Submission)).scalars().all()
            flash(sentence(_("Meeting of %(village)s recorded: %(agreed)d household(s) agreed, %(resurvey)d sent back "
                             "for re-survey."), village=village.name, agreed=states.count("agreed"),
                           resurvey=states.count("resurvey")))
            return redirect(url_for("review.meeting"))
    # Nothing is ticked at first: the supervisor ticks each household the meeting discussed.
    chosen = set(request.form.getlist("include")) if request.method == "POST" else set()
    return render_template("review/meeting.html", form=form, village=village, rows=rows, chosen=chosen,
                           row_errors=row_errors, **pages.labels()), (422 if request.method == "POST" else 200)


def _unticked_votes(row_errors: dict[int, str]) -> bool:
    """Mark households whose votes were typed but which were not ticked; whether there were any."""
    for submission_id in votes_unticked(request.form):
        row_errors[submission_id] = _("Tick this household, or clear its votes box.")
    return bool(row_errors)


@bp.route("/review/decision", methods=["GET", "POST"])
@requires("supervisor")
def decision():
    """Record the commune chair's decision recognising households agreed at their village meeting."""
    actor = current_actor()
    rows = _households(actor, commune_code=actor.unit_code, state="agreed")
    villages = {u.code: u for u in db.session.execute(select(Unit).where(Unit.parent_code == actor.unit_code))
                .scalars()}
    form = DecisionForm()
    if form.validate_on_submit():
        revisions = picked(request.form)
        try:
            signed = ops.record_decision(actor, commune_code=actor.unit_code, number=form.number.data,
                                         signed_on=form.signed_on.data, revisions=revisions)
        except Problem as problem:
            undo_request_work()
            _apply_problem(form, problem, {})
        else:
            flash(sentence(_("Decision %(number)s recorded: %(n)d household(s) recognised."), number=signed.number,
                           n=len(revisions)))
            return redirect(url_for("review.decision"))
    # Nothing ticked at first: a decision recognises the households its text lists, which the supervisor ticks.
    chosen = set(request.form.getlist("include")) if request.method == "POST" else set()
    return render_template("review/decision.html", form=form, rows=rows, villages=villages, chosen=chosen,
                           **pages.labels()), (422 if request.method == "POST" else 200)
