"""What the review pages share: the blueprint and the page's language, labels and messages.

views.py (the queue, a household's page) and bulk.py (the village meeting, the commune decision) both add their
routes to `bp`; server.review registers it once both are imported.
"""

from __future__ import annotations

from flask import Blueprint, session
from flask_babel import get_locale

from server.core.errors import Problem
from server.review.flags import FLAG_LABELS, FLAGS
from server.submissions.lifecycle import ACTION_LABELS, SET_ASIDE_LABEL, STATE_LABELS, STATES
from server.submissions.models import CLASSES
from server.surveys import display

bp = Blueprint("review", __name__, template_folder="templates")

# A refused form kept across its redirect (post/redirect/get) in the signed session cookie: what was typed, at
# most KEPT_CHARS of each field (a cookie holds about 4 KB), and the errors of each field.
REFUSED = "rasoat_refused_form"
KEPT_CHARS = 800


def lang() -> str:
    """The page's language code."""
    return str(get_locale() or "vi")


def label(pair) -> str:
    """The (Vietnamese, English) label in the page's language."""
    return pair[0] if lang() == "vi" else pair[1]


def message(problem: Problem) -> str:
    """A problem's message in the page's language, with the messages of the fields it names."""
    body, code = problem.to_dict(), lang()
    return " ".join([body["message"][code], *(f["message"][code] for f in body.get("fields", []))])


def field_errors(problem: Problem, paths: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """An operation's refusal as {form field: messages} for the fields it names (`paths`: problem path → form
    field), and the messages that belong to no field (the problem's own when it names none)."""
    body, code = problem.to_dict(), lang()
    errors: dict[str, list[str]] = {}
    general = [] if body.get("fields") else [body["message"][code]]
    for f in body.get("fields", []):
        name = paths.get(f["path"])
        if name:
            errors.setdefault(name, []).append(f["message"][code])
        else:
            general.append(f["message"][code])
    return errors, general


def keep_refused(form: str, submission_id: int, data: dict[str, str], errors: dict[str, list[str]]) -> None:
    """Keep a refused form's input and field errors for the page the browser is redirected to."""
    session[REFUSED] = {"form": form, "id": submission_id, "errors": errors,
                        "data": {k: (v or "")[:KEPT_CHARS] for k, v in data.items()}}


def take_refused(submission_id: int) -> dict | None:
    """The refused form kept for this form's page ({"form", "data", "errors"}), once; None if there is none."""
    kept = session.pop(REFUSED, None)
    return kept if kept and kept.get("id") == submission_id else None


def labels() -> dict:
    """Labels the review templates read, in the page's language."""
    code = lang()
    return {"lang": code,
            "states": {s: label(STATE_LABELS[s]) for s in STATES},
            "set_aside_label": label(SET_ASIDE_LABEL),
            "action_labels": {a: label(pair) for a, pair in ACTION_LABELS.items()},
            "classes": {c: display.code_label("class", c, code) for c in CLASSES},
            "flag_labels": {f: label(FLAG_LABELS[f]) for f in FLAGS}}
