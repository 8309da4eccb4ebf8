"""Review fixtures: forms posted through the real sync API, and their rows read back for the tests."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.core.scoping import unscoped
from server.submissions.models import Submission


@pytest.fixture
def form_of(session):
    """form_of(record) → the stored Submission of a posted record (looked up by its first or current id)."""

    def find(record) -> Submission:
        session.expire_all()
        stmt = select(Submission).where((Submission.first_id == record["id"]) | (Submission.current_id == record["id"]))
        return session.execute(unscoped(stmt, "test")).scalar_one()

    return find


@pytest.fixture
def submit(post, household, enumerator, form_of):
    """submit(user=enumerator, **fields) → the stored Submission of a new household record posted by the user."""

    def send(user=None, **fields):
        record = household(**fields)
        response = post(record, user or enumerator)
        assert response.status_code == 201, response.get_json()
        return form_of(record)

    return send
