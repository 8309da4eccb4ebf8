"""The supervisor's pages: the queue, a household's page, steps, comments, the village meeting, the decision."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates")
