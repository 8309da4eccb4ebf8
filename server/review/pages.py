"""What the review pages share: the blueprint and the page's language, labels and messages.

views.py (the queue, a household's page) and bulk.py (the village meeting, the commune decision) both add their
routes to `bp`; server.review registers it once both are imported.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import get_locale

from server.core.errors import Problem
from server.review.flags import FLAG_LABELS, FLAGS
from server.submissions.lifecycle import ACTION_LABELS, STATE_LABELS, STATES
from server.submissions.models import CLASSES
from server.surveys import display

bp = Blueprint("review", __name__, template_folder="templates")


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


def labels() -> dict:
    """Labels the review templates read, in the page's language."""
    code = lang()
    return {"lang": code,
            "states": {s: label(STATE_LABELS[s]) for s in STATES},
            "action_labels": {a: label(pair) for a, pair in ACTION_LABELS.items()},
            "classes": {c: display.code_label("class", c, code) for c in CLASSES},
            "flag_labels": {f: label(FLAG_LABELS[f]) for f in FLAGS}}
