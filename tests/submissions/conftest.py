"""Fixtures for submission and review tests: people in Xã Lộc Bình's village T-06529-01, and a poster."""

from __future__ import annotations

import pytest
from poverty_records import base_record

VILLAGE, COMMUNE = "T-06529-01", "06529"


@pytest.fixture
def enumerator(make_user):
    """An enumerator of village T-06529-01."""
    return make_user("enumerator", VILLAGE, username="enum-1")


@pytest.fixture
def supervisor(make_user):
    """The supervisor of commune 06529."""
    return make_user("supervisor", COMMUNE, username="sup-1")


@pytest.fixture
def household():
    """Factory: household(**fields) → a valid 2025 household record of village T-06529-01 with a fresh id."""

    def make(**fields):
        return base_record(**fields)

    return make


@pytest.fixture
def post(client, bearer):
    """Factory: post(record, user) → the response of POST /api/v1/submissions with the user's token."""
    tokens = {}

    def send(record, user, **kw):
        if user.id not in tokens:
            tokens[user.id] = bearer(user)
        return client.post("/api/v1/submissions", json=record, headers=tokens[user.id], **kw)

    return send
