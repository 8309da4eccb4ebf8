"""Checking a login: failures are counted and audited (the throttle itself: test_accounts_throttling.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.accounts.models import LoginThrottle
from server.accounts.operations import authenticate
from server.core.errors import Problem
from live_db import TEST_PASSWORD


@pytest.fixture
def failures(session):
    """Factory: failures(username) → the wrong passwords counted for that name, from every address."""
    return lambda name: session.scalar(select(func.coalesce(func.sum(LoginThrottle.failures), 0))
                                       .where(LoginThrottle.username == name))


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
