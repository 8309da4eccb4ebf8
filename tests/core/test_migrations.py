"""The schema is made only by Alembic: up to head and back down on both backends, matching the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.cli import alembic_config
from server.core.db import make_engine
from server.models import metadata
from live_db import new_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A brand-new empty database on each backend."""
    url, drop = new_database(request.param, tmp_path)
    yield url
    drop()


def test_upgrade_to_head_matches_models_and_downgrade_empties(empty_database):
    cfg = alembic_config(empty_database)
    command.upgrade(cfg, "head")
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
            assert diff == [], f"models and migrations differ: {diff}"
        command.downgrade(cfg, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")  # and up again: downgrade left nothing behind that blocks it
    finally:
        engine.dispose()


def test_constraint_names_follow_the_naming_convention(empty_database):
    command.upgrade(alembic_config(empty_database), "head")
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            assert insp.get_pk_constraint("users")["name"] == "pk_users"
            fks = {fk["name"] for fk in insp.get_foreign_keys("users")}
            assert "fk_users_unit_code_units" in fks
    finally:
        engine.dispose()
