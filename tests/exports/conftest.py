"""Exports fixtures: the hand-made province of tests/indicators/province.py (the golden files are made on it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "indicators"))

from province import build  # noqa: E402


@pytest.fixture
def province(session, password_hash):
    """The hand-made province 98 (committed to the test's savepoint), with its users and form ids."""
    made = build(session, password_hash)
    session.commit()
    return made
