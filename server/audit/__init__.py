"""The audit trail: append-only record of who did what, when and from where."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.core.auth import current_actor, requires
from server.core.scoping import scoped
from server.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates")
PAGE_SIZE = 100


@bp.get("/audit")
@requires("officer", "admin")
def events():
    """List the latest audit events in the user's area, newest first, optionally filtered by action."""
    stmt = scoped(select(AuditEvent), current_actor()).order_by(AuditEvent.id.desc()).limit(PAGE_SIZE)
    action = request.args.get("action", "").strip()
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    rows = db.session.execute(stmt).scalars().all()
    return render_template("audit/events.html", events=rows, action=action)


def init_app(app) -> None:
    """Register the audit pages."""
    app.register_blueprint(bp)
