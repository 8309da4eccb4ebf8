"""A burst of simultaneous sign-ins checks no more passwords than the throttle allows, on SQLite and PostgreSQL.

These run against their own database with committed transactions (no rolled-back test transaction), one thread
per try, released together, through the real views (POST /api/v1/token and POST /login).
"""

from __future__ import annotations

import threading

import pytest
from live_db import TEST_PASSWORD, at_once, committed_app
from sqlalchemy import func, select

from server.accounts import operations as ops
from server.accounts.models import LoginThrottle
from server.extensions import db

BURST = 30
ADDRESS_CEILING = 8  # lowered for the address test, so that a burst of 30 crosses it




@pytest.fixture(scope="module")
def live(backend, tmp_path_factory):
    """An app on its own committed database with one supervisor."""
    with committed_app(backend, tmp_path_factory.mktemp(f"throttle-race-{backend}"),
                       people=(("lan", "supervisor", "06529"),), villages=False,
                       LOGIN_ADDRESS_MAX_FAILURES=ADDRESS_CEILING) as (app, _tokens):
        yield app


@pytest.fixture
def checked(monkeypatch):
    """The passwords actually checked during the test (thread-safe count of check_password_hash calls)."""
    calls, lock = [], threading.Lock()
    real = ops.check_password_hash

    def counting(hashed, password):
        with lock:
            calls.append(password)
        return real(hashed, password)

    monkeypatch.setattr(ops, "check_password_hash", counting)
    return calls




def token_try(app, username: str, ip: str):
    """POST /api/v1/token with a wrong password from an address; the status and the error code."""
    resp = app.test_client().post("/api/v1/token", json={"username": username, "password": "wrong-password"},
                                  environ_base={"REMOTE_ADDR": ip})
    return resp.status_code, resp.get_json()["error"]["code"]


def test_a_burst_at_one_name_checks_only_the_free_tries(live, checked):
    app = live
    limit = app.config["LOGIN_MAX_FAILURES"]
    results = at_once(BURST, lambda i: token_try(app, "lan", "10.7.0.1"))
    assert len(checked) == limit
    assert sorted(results) == [(401, "invalid_credentials")] * limit + [(429, "too_many_attempts")] * (BURST - limit)
    with app.app_context():
        failures = db.session.scalar(select(LoginThrottle.failures).where(
            LoginThrottle.username == "lan", LoginThrottle.ip == "10.7.0.1"))
        db.session.remove()
    assert failures == limit


def test_a_burst_of_names_from_one_address_checks_only_up_to_its_ceiling(live, checked):
    app = live
    results = at_once(BURST, lambda i: token_try(app, f"guess{i}", "10.7.0.2"))
    assert len(checked) == ADDRESS_CEILING
    assert sorted(results) == ([(401, "invalid_credentials")] * ADDRESS_CEILING
                               + [(429, "too_many_attempts")] * (BURST - ADDRESS_CEILING))


def test_a_burst_through_the_login_page_is_counted_the_same(live, checked):
    app = live
    limit = app.config["LOGIN_MAX_FAILURES"]

    def page_try(i):
        resp = app.test_client().post("/login", data={"username": "lan", "password": "wrong-password"},
                                      environ_base={"REMOTE_ADDR": "10.7.0.3"})
        return resp.status_code

    assert sorted(at_once(BURST, page_try)) == [401] * limit + [429] * (BURST - limit)
    assert len(checked) == limit


def test_the_owner_signs_in_from_elsewhere_during_a_burst(live, checked):
    app = live

    def mixed(i):
        if i == 0:
            resp = app.test_client().post("/api/v1/token", json={"username": "lan", "password": TEST_PASSWORD},
                                          environ_base={"REMOTE_ADDR": "10.7.0.9"})
            return resp.status_code
        return token_try(app, "lan", "10.7.0.4")[0]

    results = at_once(12, mixed)
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert results[0] == 201
    assert sorted(results[1:]) == [401] * limit + [429] * (11 - limit)
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(LoginThrottle).where(LoginThrottle.ip == "10.7.0.9"))
        db.session.remove()
    assert rows == 0  # the owner's good sign-in left no count behind
