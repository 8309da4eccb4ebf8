"""Fixtures for the audit tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.core.scoping import unscoped


@pytest.fixture
def events_of(session):
    """Factory: events_of(action) → the audit events of that action, oldest first."""

    def read(action: str) -> list[AuditEvent]:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return session.execute(unscoped(stmt, "test")).scalars().all()

    return read
