"""Test fixtures: every test that touches the database runs twice, on SQLite and on PostgreSQL.

Each backend gets a fresh database, migrated to head by Alembic and loaded with Lạng Sơn (20) and Cao Bằng (04,
the "outside" province for scoping tests) and a few test villages. Each test runs inside a transaction that is
rolled back; the app's commits only release SAVEPOINTs. PostgreSQL comes from RASOAT_TEST_POSTGRES_URL (default:
the local server, database `test`); without it tests skip, except on CI (CI=true) where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from server import create_app
from server.audit.models import AuditEvent
from server.cli import alembic_config
from server.core.db import make_engine
from server.core.scoping import unscoped
from server.extensions import db

from poverty_records import base_record

# Property tests must not fail because a shared CI machine is slow: no per-example deadline, no "too slow" check.
settings.register_profile("rasoat", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rasoat")

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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    """The database backend of this run of a test."""
    return request.param


@pytest.fixture(scope="session")
def app(backend, tmp_path_factory):
    """The app on a migrated database holding the base places."""
    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    url, drop = new_database(backend, tmp)
    try:
        migrate(url)
        application = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "SECRET_KEY": "test-secret",
                                  "TESTING": True, "WTF_CSRF_ENABLED": False})
        with application.app_context():
            from server.places.operations import import_villages, load_province

            load_province("20")
            load_province("04")
            import_villages(TEST_VILLAGES, source="tests")
            db.session.commit()
            db.session.remove()
        yield application
        application.extensions["rasoat_engine"].dispose()
    finally:
        drop()  # also when set-up failed, so no test database is left behind


@pytest.fixture
def session(app):
    """A database session whose work is rolled back after the test (app commits release savepoints)."""
    connection = app.extensions["rasoat_engine"].connect()
    outer = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    ctx = app.app_context()
    ctx.push()
    yield db.session
    ctx.pop()
    db.session.remove()
    db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
    outer.rollback()
    connection.close()


class _FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    The `session` fixture keeps the app context pushed for the whole test, and Flask reuses it for each request
    of the same app, so per-request state in `g` (the chosen language, the rollback flag) would leak between
    requests."""

    def open(self, *args, **kwargs):
        """Clear `g`, then make the request."""
        if has_app_context():
            for name in list(vars(g._get_current_object())):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, session):
    """A test client sharing the test's transaction."""
    app.test_client_class = _FreshRequestClient
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    """The scrypt hash of TEST_PASSWORD, computed once (hashing is deliberately slow)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(TEST_PASSWORD, method="scrypt")


@pytest.fixture
def make_user(session, password_hash):
    """Factory: make_user(role, unit_code, username=None) → a committed user whose password is TEST_PASSWORD."""
    from server.accounts.models import User

    def make(role: str, unit_code: str, username: str | None = None, **kw):
        user = User(username=username or f"{role}-{uuid.uuid4().hex[:6]}", full_name=kw.pop("full_name", "Người Thử"),
                    role=role, unit_code=unit_code, password_hash=password_hash, **kw)
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Sign a user in on the test client (session cookie), as Flask-Login would after a login."""

    def do(user):
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()  # the id and the session version, as login_user stores them
            sess["_fresh"] = True
        return user

    return do


@pytest.fixture
def bearer(session):
    """Factory: bearer(user) → Authorization headers with a fresh API token for the user."""
    from server.accounts.operations import issue_token

    def make(user) -> dict:
        token, _row = issue_token(user, label="test")
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def events(session):
    """Factory: events(action) → the audit events of that action, oldest first."""

    def read(action: str) -> list[AuditEvent]:
        stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return session.execute(unscoped(stmt, "test")).scalars().all()

    return read


# Submissions and review: people of Xã Lộc Bình's village T-06529-01, valid records and a poster.
SUBMISSION_VILLAGE, SUBMISSION_COMMUNE = "T-06529-01", "06529"


@pytest.fixture
def enumerator(make_user):
    """An enumerator of village T-06529-01."""
    return make_user("enumerator", SUBMISSION_VILLAGE, username="enum-1")


@pytest.fixture
def supervisor(make_user):
    """The supervisor of commune 06529."""
    return make_user("supervisor", SUBMISSION_COMMUNE, username="sup-1")


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
