"""Indicators fixtures: the hand-made province of tests/indicators/province.py, written in the test's transaction."""

from __future__ import annotations

import pytest

from province import build


@pytest.fixture
def province(session, password_hash):
    """The hand-made province 98 (committed to the test's savepoint), with its users and form ids."""
    made = build(session, password_hash)
    session.commit()
    return made
