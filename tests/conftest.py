"""Test fixtures: every test that touches the database runs twice, on SQLite and on PostgreSQL.

Each backend gets a fresh database, migrated to head by Alembic and loaded with Lạng Sơn (20) and Cao Bằng (04,
the "outside" province for scoping tests) and a few test villages. Each test runs inside a transaction that is
rolled back; the app's commits only release SAVEPOINTs. PostgreSQL comes from RASOAT_TEST_POSTGRES_URL (default:
the local server, database `test`); without it tests skip, except on CI (CI=true) where that is a failure.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, settings
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select

from server import create_app
from server.audit.models import AuditEvent
from server.core.scoping import unscoped
from server.extensions import db

from live_db import TEST_PASSWORD, TEST_VILLAGES, migrate, new_database  # noqa: F401 - also for tests
from poverty_records import base_record

# Property tests must not fail because a shared CI machine is slow: no per-example deadline, no "too slow" check.
settings.register_profile("rasoat", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rasoat")

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
                                  "TESTING": True, "WTF_CSRF_ENABLED": False,
                                  # Background exports are run by the tests themselves (server.exports.jobs).
                                  "EXPORT_WORKERS": 0})
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
    # The indicator tables kept in memory (server.indicators.cache) are keyed by counters that this rollback
    # winds back: the next test could meet a table of this one's data under the same counters.
    app.extensions.pop("rasoat_indicator_cache", None)
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
    app.extensions.pop("rasoat_indicator_cache", None)


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
