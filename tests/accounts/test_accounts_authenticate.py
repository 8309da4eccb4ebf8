"""Checking a login: failures are recorded and audited; too many for a name or an address are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.accounts.models import LoginFailure
from server.accounts.operations import authenticate
from server.core.db import utcnow
from server.core.errors import Problem
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def failures(session):
    """Factory: failures(username) → the recorded failed logins for that name."""
    return lambda name: session.scalar(select(func.count()).select_from(LoginFailure)
                                       .where(LoginFailure.username == name))


def fail(username: str, ip: str = "10.0.0.1", password: str = "wrong-password") -> Problem:
    """Attempt a login that must be refused; return the problem."""
    with pytest.raises(Problem) as info:
        authenticate(username, password, ip)
    return info.value


def test_a_good_login_returns_the_user_and_is_audited(session, make_user, events):
    user = make_user("supervisor", "06529", username="lan")
    assert authenticate(" LAN ", TEST_PASSWORD, "10.0.0.1") is user
    assert user.last_login_at is not None
    [event] = events("login")
    assert (event.actor_id, event.unit_code) == (user.id, "06529")


def test_a_wrong_password_is_recorded_and_audited(session, make_user, events, failures):
    user = make_user("supervisor", "06529", username="lan")
    problem = fail("lan")
    assert (problem.code, problem.status) == ("invalid_credentials", 401)
    assert failures("lan") == 1
    [event] = events("login_failed")
    assert (event.actor_id, event.actor_name, event.target_id, event.unit_code, event.detail["reason"]) == \
        (None, "lan", str(user.id), "06529", "bad_credentials")


def test_an_unknown_username_fails_the_same_way(session, events, failures):
    assert fail("nobody").code == "invalid_credentials"
    assert failures("nobody") == 1
    assert events("login_failed")[0].unit_code == "20"


def test_a_disabled_user_cannot_log_in_even_with_the_right_password(session, make_user, events):
    make_user("supervisor", "06529", username="lan", is_enabled=False)
    assert fail("lan", password=TEST_PASSWORD).code == "invalid_credentials"
    assert events("login_failed")[0].detail["reason"] == "disabled"


def test_too_many_failures_for_a_name_refuse_even_the_right_password(app, session, make_user, events):
    make_user("supervisor", "06529", username="lan")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert fail("lan").code == "invalid_credentials"
    problem = fail("lan", password=TEST_PASSWORD, ip="10.9.9.9")
    assert (problem.code, problem.status) == ("too_many_attempts", 429)
    assert problem.params["minutes"] == app.config["LOGIN_WINDOW_SECONDS"] // 60
    assert [e.actor_name for e in events("login_throttled")] == ["lan"]


def test_the_name_limit_does_not_block_other_names(app, session, make_user):
    other = make_user("supervisor", "06529", username="other")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        fail("lan")
    assert authenticate("other", TEST_PASSWORD, "10.0.0.2") is other


def test_too_many_failures_from_one_address_refuse_every_name(app, session, make_user):
    make_user("supervisor", "06529", username="lan")
    for i in range(app.config["LOGIN_MAX_FAILURES"] * 4):
        fail(f"guess{i}", ip="10.6.6.6")
    assert fail("lan", password=TEST_PASSWORD, ip="10.6.6.6").code == "too_many_attempts"
    assert authenticate("lan", TEST_PASSWORD, "10.0.0.7").username == "lan"


def test_failures_older_than_the_window_do_not_count(app, session, make_user):
    user = make_user("supervisor", "06529", username="lan")
    old = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 60)
    session.add_all([LoginFailure(username="lan", ip="10.0.0.1", at=old)
                     for _ in range(app.config["LOGIN_MAX_FAILURES"])])
    session.flush()
    assert authenticate("lan", TEST_PASSWORD, "10.0.0.1") is user


def test_a_good_login_clears_the_names_failures(app, session, make_user, failures):
    make_user("supervisor", "06529", username="lan")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        fail("lan")
    authenticate("lan", TEST_PASSWORD, "10.0.0.1")
    assert failures("lan") == 0
    assert fail("lan").code == "invalid_credentials"


def test_failures_older_than_the_window_are_dropped(app, session, failures):
    old = utcnow() - timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 60)
    session.add_all([LoginFailure(username="old", ip="10.0.0.1", at=old) for _ in range(3)])
    session.flush()
    fail("someone")
    assert failures("old") == 0 and failures("someone") == 1
