"""The access migration (20261201_01) keeps existing users and their tokens, up and down, on both backends."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from server.cli import alembic_config
from server.core.db import make_engine
from live_db import new_database

BEFORE, ACCESS = "20261122_02", "20261201_01"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """An empty database on each backend, migrated to the revision before the access migration."""
    url, drop = new_database(request.param, tmp_path)
    command.upgrade(alembic_config(url), BEFORE)
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    drop()


def _rows(engine, sql: str) -> list[tuple]:
    """The rows of a query."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_users_and_tokens_survive_the_migration_up_and_down(database):
    url, engine = database
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (code, level, kind, name, province_code, valid_from, source) "
                          "VALUES ('20', 'province', 'tinh', 'Lạng Sơn', '20', '2025-07-01', 'test')"))
        conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, role, unit_code, is_enabled, "
                          "must_change_password, created_at) VALUES (1, 'lan', 'Lan', 'x', 'officer', '20', "
                          ":yes, :no, :at)"), {"yes": True, "no": False, "at": "2026-11-30 00:00:00+00:00"})
        conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, expires_at) "
                          "VALUES (1, 1, 'h', 'phone', :at, :at)"), {"at": "2026-11-30 00:00:00+00:00"})
        conn.execute(text("INSERT INTO login_failures (username, ip, at) VALUES ('lan', '10.0.0.1', :at)"),
                     {"at": "2026-11-30 00:00:00+00:00"})

    command.upgrade(alembic_config(url), ACCESS)
    assert _rows(engine, "SELECT id, session_version, locked_at FROM users") == [(1, 0, None)]
    tables = set(inspect(engine).get_table_names())
    assert {"login_throttles", "login_address_throttles"} <= tables and "login_failures" not in tables

    command.downgrade(alembic_config(url), BEFORE)
    assert _rows(engine, "SELECT id, username FROM users") == [(1, "lan")]
    assert _rows(engine, "SELECT id, user_id FROM api_tokens") == [(1, 1)]  # not cascaded away with the users table
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    assert not columns & {"session_version", "locked_at"}
    assert "login_failures" in set(inspect(engine).get_table_names())
