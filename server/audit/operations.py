"""Recording audit events. Each mutating operation records its own entry beside the change it makes."""

from __future__ import annotations

from flask import has_request_context, request

from sqlalchemy import insert

from server.audit.models import AuditEvent
from server.core.db import utcnow
from server.extensions import db

# The statement of an audit entry. record_event runs it through the session; ingest, the one hot path, sends it
# with the arrival's other writes (server/submissions/operations.py, measured in bench/README.md).
INSERT_EVENT = insert(AuditEvent.__table__)


def record_event(action: str, actor=None, *, actor_name: str | None = None, target_type: str | None = None,
                 target_id: object = None, unit_code: str | None = None, **detail) -> int:
    """Append an audit event for `action` by `actor` (in the current transaction); return its id."""
    values = event_values(action, actor, actor_name=actor_name, target_type=target_type, target_id=target_id,
                          unit_code=unit_code, **detail)
    return db.session.execute(INSERT_EVENT.returning(AuditEvent.__table__.c.id), values).scalar_one()


def event_values(action: str, actor=None, *, actor_name: str | None = None, target_type: str | None = None,
                 target_id: object = None, unit_code: str | None = None, **detail) -> dict:
    """The columns of an audit event (record_event's, or those a caller sends with its other writes)."""
    return {
        "at": utcnow(),
        "action": action,
        "actor_id": getattr(actor, "id", None),
        "actor_name": actor_name or getattr(actor, "username", None) or "system",
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "unit_code": unit_code,
        "ip": request.remote_addr if has_request_context() else None,
        "detail": detail,
    }
