"""The supervisor's pages: the queue, a household's page, steps, comments, the village meeting, the decision.

Supervisors act in their commune; provincial officers read the queue and household pages of a commune they pick
(`?commune=`), never act. Each view parses, checks, calls one operation and renders. A step or comment that is
refused (a stale page, a step the state no longer allows, a missing reason) redirects back to the household's
page (post/redirect/get: a reload does not post again), which shows each error at its field.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from server.audit.operations import record_event
from server.core.auth import current_actor, requires
from server.core.db import writes_on_get
from server.core.errors import Problem
from server.core.requests import undo_request_work
from server.core.scoping import can_access, scoped
from server.core.text import bdi
from server.extensions import db
from server.places.models import Unit
from server.poverty import RuleSetError, load_rule_set
from server.review import operations as ops
from server.review import pages
from server.review import queue as review_queue
from server.review.forms import ActionForm, CommentForm
from server.review.pages import bp
from server.submissions.lifecycle import ACTION_LABELS, SET_ASIDE_LABEL, STATE_LABELS, allowed_actions
from server.submissions import attachments as stored_files
from server.submissions.models import Attachment, ReviewEvent, Submission, SubmissionVersion
from server.surveys import display

# The steps of the household page's first form; setting aside and restoring have their own.
STEP_ACTIONS = ("return", "approve")
ASIDE_ACTIONS = ("set_aside", "restore")
# A refusal's field paths → the field of the form that shows it.
ACTION_PATHS = {"comment": "comment", "duplicate_of": "duplicate_of"}
COMMENT_PATHS = {"comment": "text", "field_path": "field_path"}
# Photos shown in the browser; any other declared type is offered as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


def _int_arg(name: str) -> int | None:
    """A whole number from the query string, or None."""
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


# --- The queue -------------------------------------------------------------------------------------------------

def _commune(actor) -> Unit | None:
    """The commune the page is about: the supervisor's own, or the one an officer picked (None: not yet)."""
    code = actor.unit_code if actor.role == "supervisor" else request.args.get("commune", "").strip()
    if not code:
        return None
    if not can_access(actor, code):
        raise Problem("out_of_scope", unit=code)
    unit = db.session.get(Unit, code)
    if unit.level != "commune":
        raise Problem("unit_unknown", unit=code)
    return unit


@bp.get("/review")
@requires("supervisor", "officer")
def queue():
    """The commune's households of a review year, with quality flags, filters and counts."""
    actor = current_actor()
    commune = _commune(actor)
    if commune is None:
        return render_template("review/communes.html", communes=review_queue.communes_of(actor))
    q = review_queue.build(actor, commune, year=_int_arg("year"), filters=review_queue.clean_filters(request.args),
                           page=_int_arg("page") or 1)
    commune_arg = commune.code if actor.role != "supervisor" else None
    return render_template("review/queue.html", q=q, flag_texts=_flag_texts(q.flags), commune_arg=commune_arg,
                           link=_queue_link(q, commune_arg), **pages.labels())


def _queue_link(q, commune_arg):
    """A function giving the queue's URL with some of its parameters changed (None removes one)."""
    current = {**q.filters, "year": q.year, "commune": commune_arg}

    def link(changes: dict) -> str:
        args = {**current, **changes}
        return url_for("review.queue", **{k: v for k, v in args.items() if v not in (None, "")})

    return link


def _flag_texts(flags: dict) -> dict[int, list[tuple[str, str, str]]]:
    """Each household's flags as (code, label, detail sentence)."""
    return {sid: [_flag_text(f) for f in items] for sid, items in flags.items()}


def _flag_text(flag) -> tuple[str, str, str]:
    """A flag as (code, label, detail sentence) in the page's language."""
    return flag.code, pages.label(flag.label), _flag_detail(flag)


def _flag_detail(flag) -> str:
    """One sentence on the facts behind a flag."""
    d = flag.detail
    if flag.code == "possible_duplicate":
        return _("Same head (ID number, or name and birth year) as forms %(ids)s.",
                 ids=", ".join(f"#{i}" for i in d["others"]))
    if flag.code == "short_interview":
        return _("Interview of %(minutes)d minutes (at least %(minimum)d expected).", minutes=d["minutes"],
                 minimum=d["minimum"])
    if flag.code == "gps_far":
        return _("%(distance)s from the middle of the village's other households (limit %(limit)s).",
                 distance=_distance(d["metres"]), limit=_distance(d["limit"]))
    if flag.code == "interview_date":
        return _("Interview on %(day)s, outside the %(year)d review's window (%(start)s to %(end)s).",
                 day=_day(d["day"]), year=d["year"], start=_day(d["start"]), end=_day(d["end"]))
    if flag.code == "class_changed":
        return _("Last year: %(class)s.", **{"class": display.code_label("class", d["previous_class"], pages.lang())})
    return ""


def _distance(metres: float) -> str:
    """A distance as people read it: metres below 1 km, kilometres (one decimal) from 1 km."""
    if metres < 1000:
        return _("%(n)s m", n=format_decimal(round(metres)))
    return _("%(n)s km", n=format_decimal(metres / 1000, format="#,##0.0"))


def _day(iso: str) -> str:
    """A date (YYYY-MM-DD) as DD/MM/YYYY."""
    return "/".join(reversed(iso.split("-")))


# --- A household's page ------------------------------------------------------------------------------------------

def _versions(actor, submission: Submission) -> list[SubmissionVersion]:
    """Every version of the form, oldest first."""
    stmt = scoped(select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id), actor)
    return db.session.execute(stmt.order_by(SubmissionVersion.number)).scalars().all()


def _indicator_names(rule_set: str, lang: str) -> dict[int, str]:
    """Indicator number → name in the rule set (empty when the rule set cannot be read)."""
    try:
        data = load_rule_set(rule_set).data
    except RuleSetError:
        return {}
    return {i["number"]: i["label"][lang] for i in data["indicators"]}


def _classification(submission: Submission, lang: str) -> dict | None:
    """The rule engine's result for the current version, as the page shows it."""
    c = submission.classification
    if not c:
        return None
    names = _indicator_names(c["rule_set"], lang)
    income = c.get("income_per_person_month")
    try:
        title = load_rule_set(c["rule_set"]).title[lang]
    except RuleSetError:
        title = c["rule_set"]
    return {"class": display.code_label("class", c["class"], lang), "code": c["class"], "rule_set": c["rule_set"],
            "rule_set_title": title, "area": display.code_label("area", c.get("area"), lang),
            "income_basis": display.code_label("income.method", c.get("income_basis"), lang)
            if c.get("income_basis") else display.MISSING,  # none: Phiếu A stopped before Phiếu B's income
            "deficits": [(n, names.get(n, "")) for n in c.get("deficits", [])],
            "b1_points": c.get("b1_points"), "b2_points": c.get("b2_points"),
            "income": None if income is None else format_decimal(round(income)),
            "stopped": c.get("stopped_by_quick_screen"), "notes": [n[lang] for n in c.get("notes", [])]}


def _field_choices(sections) -> list[SelectChoice]:
    """The answered fields of the record, grouped by section and member, for a comment on one of them
    ("" = the whole record). An unanswered field is not offered: a comment on the record asks for it."""
    out = [SelectChoice("", _("The whole record"))]
    for section in sections:
        out += [SelectChoice(r["path"], r["label"], optgroup=section["title"]) for r in section["rows"]
                if display.answered(r)]
        for block in section["blocks"]:
            out += [SelectChoice(r["path"], r["label"], optgroup=block["title"]) for r in block["rows"]
                    if display.answered(r)]
    return out


def _path_labels(sections) -> dict:
    """Each answer's path → "Thành viên 3: Name · Tình trạng đi học" (its block or section, then its label); the
    block's title, which holds the member's name, isolated from the label after it."""
    out = {}
    for section in sections:
        out.update({r["path"]: r["label"] for r in section["rows"]})
        for block in section["blocks"]:
            out.update({r["path"]: Markup("%s · %s") % (bdi(block["title"]), r["label"]) for r in block["rows"]})
    return out


def _forms(submission_id: int) -> tuple[CommentForm, ActionForm, ActionForm]:
    """The page's comment, step and set-aside forms: empty, or as a refused post left them, errors at the fields."""
    kept = pages.take_refused(submission_id)
    forms = {"comment": None, "action": None, "aside": None}
    if kept and kept["form"] in forms:
        form = (CommentForm if kept["form"] == "comment" else ActionForm)(formdata=MultiDict(kept["data"]))
        for name, messages in kept["errors"].items():
            if name in form:
                form[name].errors = list(messages)
        forms[kept["form"]] = form
    return (forms["comment"] or CommentForm(formdata=None), forms["action"] or ActionForm(formdata=None),
            forms["aside"] or ActionForm(formdata=None))


def _history(actor, submission: Submission) -> list[ReviewEvent]:
    """The form's steps and comments, newest first."""
    stmt = scoped(select(ReviewEvent).where(ReviewEvent.submission_id == submission.id), actor)
    return db.session.execute(stmt.order_by(ReviewEvent.id.desc())).scalars().all()


def _photos(actor, numbers: dict[str, int]) -> list[Attachment]:
    """The photos of the form's versions (`numbers`: version id → number), latest version first."""
    stmt = scoped(select(Attachment).where(Attachment.version_id.in_(list(numbers))), actor)
    return sorted(db.session.execute(stmt).scalars(), key=lambda a: (-numbers[a.version_id], a.name))


def _household_page(submission_id: int):
    """Render a household's page (after a refused step, with the form as it was sent and its errors)."""
    actor, lang = current_actor(), pages.lang()
    submission = ops.get_submission(actor, submission_id)
    versions = _versions(actor, submission)
    numbers = {v.id: v.number for v in versions}
    current = next(v for v in versions if v.id == submission.current_id)
    sections = display.answers(current.content, lang)
    comment_form, action_form, aside_form = _forms(submission_id)
    comment_form.field_path.choices = _field_choices(sections)
    path_labels = _path_labels(sections)
    events = _history(actor, submission)
    by_field: dict[str, list[ReviewEvent]] = {}
    for e in reversed(events):
        if e.field_path and e.comment:
            by_field.setdefault(e.field_path, []).append(e)
    flags = []
    if submission.kind == "household":
        flags = review_queue.flags_of(actor, submission.commune_code, submission.review_year).get(submission.id, [])
    can_act = actor.role == "supervisor"
    duplicates = [i for f in flags if f.code == "possible_duplicate" for i in f.detail["others"]]
    if aside_form.duplicate_of.data is None and len(duplicates) == 1:
        aside_form.duplicate_of.data = duplicates[0]
    actions = allowed_actions(submission.state, submission.kind, set_aside=submission.is_set_aside) if can_act else []
    return render_template(
        "review/household.html", s=submission, versions=versions, numbers=numbers, sections=sections,
        classification=_classification(submission, lang),
        flags=[_flag_text(f) for f in flags],
        duplicates=duplicates,
        events=events, by_field=by_field, commented_blocks={path.split(".")[0] for path in by_field},
        photos=_photos(actor, numbers),
        diffs=[(v, display.diff(old.content, v.content, lang)) for old, v in zip(versions, versions[1:])][::-1],
        actions=[a for a in actions if a in STEP_ACTIONS], aside_actions=[a for a in actions if a in ASIDE_ACTIONS],
        can_act=can_act, comment_form=comment_form, action_form=action_form, aside_form=aside_form,
        state_label=pages.label(SET_ASIDE_LABEL if submission.is_set_aside else STATE_LABELS[submission.state]),
        village=db.session.get(Unit, submission.village_code),
        enumerator=review_queue.names_of(actor, {submission.submitted_by})[submission.submitted_by],
        field_label=lambda path: path_labels.get(path) or display.path_label(path, lang),
        commune_arg=None if can_act else submission.commune_code, **pages.labels())


@bp.get("/review/<int:submission_id>")
@requires("supervisor", "officer")
def household(submission_id: int):
    """One household's record, classification, flags, photos, history, versions, and the supervisor's steps."""
    return _household_page(submission_id)


@bp.post("/review/<int:submission_id>/act")
@requires("supervisor")
def act(submission_id: int):
    """Return, approve, set aside as a duplicate or restore a form, on the revision the supervisor saw."""
    actor = current_actor()
    submission = ops.get_submission(actor, submission_id)
    form = ActionForm()
    which = "aside" if request.form.get("action") in ASIDE_ACTIONS else "action"
    if not form.validate_on_submit():
        return _refused(which, submission_id, form, {k: list(v) for k, v in form.errors.items()}, [])
    try:
        if form.action.data == "set_aside":
            ops.set_aside(actor, submission, duplicate_of=form.duplicate_of.data, revision=form.revision.data,
                          comment=form.comment.data)
        elif form.action.data == "restore":
            ops.restore(actor, submission, revision=form.revision.data, comment=form.comment.data)
        else:
            ops.act(actor, submission, form.action.data, revision=form.revision.data, comment=form.comment.data)
    except Problem as problem:
        undo_request_work()
        return _refused(which, submission_id, form, *pages.field_errors(problem, ACTION_PATHS))
    state = SET_ASIDE_LABEL if submission.is_set_aside else STATE_LABELS[submission.state]
    flash(_("%(action)s: done. The form is now “%(state)s”.", action=pages.label(ACTION_LABELS[form.action.data]),
            state=pages.label(state)))
    return redirect(url_for("review.household", submission_id=submission_id))


def _refused(which: str, submission_id: int, form, errors: dict[str, list[str]], general: list[str]):
    """Back to the household's page (303), which shows the form as it was sent with each error at its field."""
    fields = [f.name for f in form if f.name not in ("csrf_token", "revision")]
    placed = {name: messages for name, messages in errors.items() if name in fields}
    general = general + [m for name, messages in errors.items() if name not in fields for m in messages]
    pages.keep_refused(which, submission_id, {name: request.form.get(name, "") for name in fields}, placed)
    for message in general:
        flash(message, "error")
    anchor = {"action": "steps", "aside": "set-aside", "comment": "comment-form"}[which]
    return redirect(url_for("review.household", submission_id=submission_id, _anchor=anchor), 303)


@bp.post("/review/<int:submission_id>/comment")
@requires("supervisor")
def comment(submission_id: int):
    """Comment on the whole record or on one answer; the enumerator reads it on the phone."""
    actor = current_actor()
    submission = ops.get_submission(actor, submission_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _refused("comment", submission_id, form, {k: list(v) for k, v in form.errors.items()}, [])
    try:
        ops.add_comment(actor, submission, form.text.data, form.field_path.data)
    except Problem as problem:
        undo_request_work()
        return _refused("comment", submission_id, form, *pages.field_errors(problem, COMMENT_PATHS))
    flash(_("Comment saved."))
    return redirect(url_for("review.household", submission_id=submission_id, _anchor="history"))


@bp.get("/review/<int:submission_id>/attachments/<path:name>")
@requires("supervisor", "officer")
@writes_on_get  # viewing a photo is audited
def attachment(submission_id: int, name: str):
    """A photo of the form (the latest version's by that name, or `?version=N`'s). Viewing it is audited."""
    actor = current_actor()
    submission = ops.get_submission(actor, submission_id)
    stmt = scoped(select(Attachment, SubmissionVersion.number)
                  .join(SubmissionVersion, SubmissionVersion.id == Attachment.version_id)
                  .where(SubmissionVersion.submission_id == submission.id, Attachment.name == name),
                  actor, Attachment, SubmissionVersion).order_by(SubmissionVersion.number.desc())
    if _int_arg("version") is not None:
        stmt = stmt.where(SubmissionVersion.number == _int_arg("version"))
    found = db.session.execute(stmt).first()
    path = stored_files.path_of(found[0].sha256) if found else None
    if path is None or not path.is_file():
        abort(404)
    photo, number = found
    record_event("submission.attachment_viewed", actor, target_type="submission", target_id=submission.id,
                 unit_code=submission.village_code, name=name, version=number)
    inline = photo.content_type in INLINE_TYPES
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=photo.content_type if inline else
                         "application/octet-stream", as_attachment=not inline,
                         download_name=name.rsplit("/", 1)[-1], max_age=0, etag=False)
    # Personal data: not kept by shared caches; never sniffed or run as a page.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
