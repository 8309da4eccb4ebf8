"""Databases of the tests' own: a fresh one per backend and run, migrated by Alembic, dropped afterwards.

Used by tests/conftest.py (the shared app of the suite) and by the tests that need committed data of their own
(races between threads, real servers, backups): `committed_app`. A plain module, so any test can import it
without loading a conftest by path.
"""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server import create_app
from server.cli import alembic_config
from server.extensions import db

PG_ADMIN_URL = os.environ.get("RASOAT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ON_CI = os.environ.get("CI", "").lower() == "true"
TEST_PASSWORD = "correct-horse-battery"

# Test villages (fabricated codes): two in Xã Lộc Bình, one in Phường Đông Kinh.
TEST_VILLAGES = """commune_code,village_code,name,households_2025,persons_2025,in_dtts_mn_area
06529,T-06529-01,Thôn Thử Nghiệm Một,100,420,1
06529,T-06529-02,Thôn Thử Nghiệm Hai,80,,1
05977,T-05977-01,Khối Thử Nghiệm,150,500,0
01273,T-04-01,Tổ Ngoài Tỉnh,50,,1
"""


def pg_available() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string()} is not reachable: {exc.__class__.__name__}"


def new_database(backend: str, tmp: Path):
    """Create an empty database; return its URL and a function that drops it."""
    if backend == "sqlite":
        path = tmp / f"{uuid.uuid4().hex}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    reason = pg_available()
    if reason:
        if ON_CI:
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"rasoat_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False), drop


def migrate(url: str, revision: str = "head") -> None:
    """Run Alembic up to `revision`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@contextmanager
def database_at(backend: str, tmp: Path, revision: str):
    """A database of its own migrated up to `revision` (a migration's test starts before it): yields (url, engine),
    then disposes of the engine and drops the database."""
    from server.core.db import make_engine

    url, drop = new_database(backend, tmp)
    try:
        migrate(url, revision)
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()
    finally:
        drop()


@contextmanager
def committed_app(backend: str, tmp: Path, *, people=(), villages: bool = True, **config):
    """An app on a database of its own whose data is committed (not a rolled-back test transaction).

    It holds Lạng Sơn, the test villages of Lạng Sơn (unless `villages=False`) and `people`, (username, role,
    unit) each with the password TEST_PASSWORD and an API token. `config` overrides the app's settings. Yields
    (app, {username: Authorization headers}); the database is dropped afterwards, also when set-up fails.
    """
    from server.accounts.operations import create_user, issue_token
    from server.places.operations import import_villages, load_province

    url, drop = new_database(backend, tmp)
    try:
        migrate(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "committed",
                          "TESTING": True, "WTF_CSRF_ENABLED": False, **config})
        tokens = {}
        with app.app_context():
            load_province("20")
            if villages:
                import_villages(TEST_VILLAGES.replace("01273,T-04-01,Tổ Ngoài Tỉnh,50,,1\n", ""), source="tests")
            for name, role, unit in people:
                user = create_user(None, username=name, full_name=name, role=role, unit_code=unit,
                                   password=TEST_PASSWORD)
                tokens[name] = {"Authorization": f"Bearer {issue_token(user)[0]}"}
            db.session.commit()
            db.session.remove()
        yield app, tokens
        app.extensions["rasoat_engine"].dispose()
    finally:
        drop()


def at_once(n: int, action):
    """Run action(i) in n threads released together (a barrier); return their results in order."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
