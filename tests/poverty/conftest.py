"""Fixtures for the rule-engine tests."""
import pytest

from poverty_records import base_record


@pytest.fixture
def record():
    """A fresh valid record with no deficits."""
    return base_record()
