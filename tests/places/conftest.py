"""Helpers for the places tests: row counts, CSV building and a refused import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.core.errors import Problem
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount


@pytest.fixture
def counts(session):
    """Factory: counts() → the number of units, household counts and commune mappings in the database."""

    def read() -> tuple[int, int, int]:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Unit, UnitHouseholdCount, CommuneMapping))

    return read


@pytest.fixture
def make_csv():
    """Factory: make_csv(header, rows, sep) → CSV text with one line per row dict (missing keys: empty cells)."""

    def build(header: list[str], rows: list[dict], sep: str = ",") -> str:
        lines = [sep.join(header)]
        lines += [sep.join(str(row.get(col, "")) for col in header) for row in rows]
        return "\n".join(lines) + "\n"

    return build


@pytest.fixture
def refused(counts):
    """Factory: refused(import_fn, data) → the field errors of an import that must be refused and write nothing."""

    def run(import_fn, data, **kw) -> list[dict]:
        before = counts()
        with pytest.raises(Problem) as info:
            import_fn(data, source="test.csv", **kw)
        assert info.value.code == "import_invalid"
        assert info.value.status == 422
        assert counts() == before, "a refused import wrote something"
        for f in info.value.fields:
            assert f["message"]["vi"] and f["message"]["en"] and f["message"]["vi"] != f["message"]["en"]
        return info.value.fields

    return run
