"""The audit trail: append-only record of who did what, when and from where."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from sqlalchemy import select

from server.audit.labels import ACTION_LABELS, action_label, target_label
from server.audit.models import AuditEvent
from server.core.auth import current_actor, requires
from server.core.scoping import scoped
from server.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates")
PAGE_SIZE = 100


@bp.get("/audit")
@requires("officer", "admin")
def events():
    """List the latest audit events in the user's area, newest first, optionally filtered by a named action."""
    stmt = scoped(select(AuditEvent), current_actor()).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = db.session.execute(stmt).scalars().all()
    lang = str(get_locale() or "vi")
    codes = set(ACTION_LABELS) | ({action} if action else set())  # an unknown code asked for stays selectable
    choices = sorted(((code, action_label(code, lang)) for code in codes), key=lambda c: c[1].casefold())
    return render_template("audit/events.html", events=rows, action=action, choices=choices,
                           label=lambda code: action_label(code, lang),
                           target=lambda code: target_label(code, lang))


def init_app(app) -> None:
    """Register the audit pages."""
    app.register_blueprint(bp)
