"""Sign-in throttling slows a guesser and never locks the owner out (README, "Sign-in throttling").

Per (username, address): LOGIN_MAX_FAILURES wrong passwords are checked at once, then the pair waits
LOGIN_DELAY_SECONDS, doubling with each further wrong password up to LOGIN_MAX_DELAY_SECONDS. Per address: past
LOGIN_ADDRESS_MAX_FAILURES within its window, one try every LOGIN_ADDRESS_DELAY_SECONDS. Only an administrator
locks an account. The throttle's clock is frozen here and moved on by hand.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.accounts import operations as ops, throttling
from server.accounts.models import LoginAddressThrottle, LoginThrottle
from server.accounts.operations import authenticate
from server.core.db import utcnow
from server.core.errors import Problem
from live_db import TEST_PASSWORD

ATTACKER, OWNER = "10.6.6.6", "10.0.0.7"


class Clock:
    """A frozen clock for the throttle: `advance(seconds)` moves it on."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The throttle's clock, frozen."""
    frozen = Clock()
    monkeypatch.setattr(throttling, "utcnow", frozen)
    return frozen


@pytest.fixture
def lan(make_user):
    """A supervisor named lan."""
    return make_user("supervisor", "06529", username="lan")


def attempt(username: str, password: str = "wrong-password", ip: str = ATTACKER) -> Problem | None:
    """Try to sign in; the problem it was refused with, or None when it signed in."""
    try:
        authenticate(username, password, ip)
    except Problem as problem:
        return problem
    return None


def waits(problem: Problem | None) -> int:
    """The Retry-After of a refusal for too many attempts (fails on anything else)."""
    assert problem is not None and (problem.code, problem.status) == ("too_many_attempts", 429), problem
    return problem.params["retry_after"]


def test_the_pair_waits_after_its_free_failures_and_the_wait_doubles(app, session, lan, clock, events):
    free, first = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_DELAY_SECONDS"]
    for _ in range(free):
        assert attempt("lan").code == "invalid_credentials"
    assert waits(attempt("lan", TEST_PASSWORD)) == first  # refused before the password is checked
    assert [(e.actor_name, e.detail["retry_after"]) for e in events("login_throttled")] == [("lan", first)]
    clock.advance(first - 1)
    assert waits(attempt("lan")) == 1
    clock.advance(1)
    assert attempt("lan").code == "invalid_credentials"  # checked again, and wrong again
    assert waits(attempt("lan")) == 2 * first
    clock.advance(2 * first)
    assert attempt("lan").code == "invalid_credentials"
    assert waits(attempt("lan")) == 4 * first
    clock.advance(4 * first)
    assert attempt("lan", TEST_PASSWORD) is None
    assert len(events("login_failed")) == free + 2


def test_the_wait_never_passes_the_maximum(app, session, lan, clock):
    longest = app.config["LOGIN_MAX_DELAY_SECONDS"]
    seen = []
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 12):
        problem = attempt("lan")
        if problem.code == "too_many_attempts":
            seen.append(waits(problem))
            clock.advance(waits(problem))
            assert attempt("lan").code == "invalid_credentials"
    assert max(seen) == longest and seen[-3:] == [longest] * 3
    assert seen == sorted(seen)


def test_the_owner_signing_in_from_another_address_is_not_slowed(app, session, lan, clock):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
        attempt("lan", ip=ATTACKER)
    assert waits(attempt("lan", ip=ATTACKER)) > 0
    assert attempt("lan", TEST_PASSWORD, ip=OWNER) is None
    assert waits(attempt("lan", ip=ATTACKER)) > 0  # the owner's good login does not free the attacker


def test_other_names_from_the_same_address_are_not_slowed(app, session, lan, make_user, clock):
    make_user("supervisor", "06529", username="thu")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        attempt("lan", ip=ATTACKER)
    assert waits(attempt("lan", ip=ATTACKER)) > 0
    assert attempt("thu", TEST_PASSWORD, ip=ATTACKER) is None


def test_a_right_password_clears_the_pairs_count(app, session, lan, clock):
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free - 1):
        attempt("lan")
    assert attempt("lan", TEST_PASSWORD) is None
    for _ in range(free):
        assert attempt("lan").code == "invalid_credentials"
    assert waits(attempt("lan")) > 0


def test_the_count_is_forgotten_a_day_after_the_last_wrong_password(app, session, lan, clock):
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free + 2):
        problem = attempt("lan")
        if problem.code == "too_many_attempts":
            clock.advance(waits(problem))
            attempt("lan")
    clock.advance(app.config["LOGIN_FORGET_SECONDS"])
    for _ in range(free):  # free failures again, not one more doubled wait
        assert attempt("lan").code == "invalid_credentials"
    assert waits(attempt("lan")) == app.config["LOGIN_DELAY_SECONDS"]


def test_an_address_past_its_ceiling_is_slowed_not_locked(app, session, lan, clock):
    ceiling, delay = app.config["LOGIN_ADDRESS_MAX_FAILURES"], app.config["LOGIN_ADDRESS_DELAY_SECONDS"]
    assert ceiling > 4 * app.config["LOGIN_MAX_FAILURES"]  # far above a name's limit: a shared address is fine
    for i in range(ceiling):
        assert attempt(f"guess{i}").code == "invalid_credentials", i
    assert waits(attempt("lan", TEST_PASSWORD)) == delay
    assert attempt("lan", TEST_PASSWORD, ip=OWNER) is None  # other addresses are not concerned
    clock.advance(delay)
    assert attempt("lan", TEST_PASSWORD) is None  # slowed, never locked
    assert attempt("guess-more").code == "invalid_credentials"
    assert waits(attempt("guess-again")) == delay


def test_an_addresses_count_ends_with_its_window(app, session, clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 6)
    for i in range(6):
        attempt(f"guess{i}")
    assert waits(attempt("guess-x")) == app.config["LOGIN_ADDRESS_DELAY_SECONDS"]
    clock.advance(app.config["LOGIN_ADDRESS_WINDOW_SECONDS"])
    for i in range(5):
        assert attempt(f"later{i}").code == "invalid_credentials"


def test_the_numbers_are_settings(app, session, lan, clock, monkeypatch):
    for key, value in (("LOGIN_MAX_FAILURES", 2), ("LOGIN_DELAY_SECONDS", 7), ("LOGIN_MAX_DELAY_SECONDS", 20)):
        monkeypatch.setitem(app.config, key, value)
    attempt("lan"), attempt("lan")
    assert waits(attempt("lan")) == 7
    clock.advance(7)
    attempt("lan")
    assert waits(attempt("lan")) == 14
    clock.advance(14)
    attempt("lan")
    assert waits(attempt("lan")) == 20


def test_lapsed_counts_are_deleted_by_the_next_wrong_password(app, session, clock):
    old = clock.now - timedelta(seconds=1)
    session.add_all([LoginThrottle(username=f"old{i}", ip="10.1.1.1", failures=3, forget_at=old) for i in range(3)])
    session.add(LoginAddressThrottle(ip="10.1.1.1", failures=3, forget_at=old))
    session.flush()
    attempt("someone")
    assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 1
    assert session.scalar(select(LoginAddressThrottle.ip)) == ATTACKER


def test_a_locked_account_is_refused_without_checking_its_password(app, session, lan, make_user, events,
                                                                   monkeypatch):
    admin = make_user("admin", "20")
    ops.lock_user(admin, lan)
    checked = []
    monkeypatch.setattr(ops, "check_password_hash", lambda *a: checked.append(a) or True)
    problem = attempt("lan", TEST_PASSWORD, ip=OWNER)
    assert (problem.code, problem.status) == ("account_locked", 403) and checked == []
    assert [e.detail["reason"] for e in events("login_failed")] == ["locked"]
    ops.unlock_user(admin, lan)
    assert attempt("lan", TEST_PASSWORD, ip=OWNER) is None
    assert [e.actor_id for e in events("user_locked") + events("user_unlocked")] == [admin.id, admin.id]


def test_nothing_locks_an_account_by_itself(app, session, lan, clock):
    for _ in range(50):
        problem = attempt("lan")
        if problem.code == "too_many_attempts":
            clock.advance(waits(problem))
    assert lan.locked_at is None
    assert attempt("lan", TEST_PASSWORD, ip=OWNER) is None


def test_unlocking_clears_the_waits_of_the_name_from_every_address(app, session, lan, make_user, clock, events):
    admin = make_user("admin", "20")
    for ip in (ATTACKER, "10.6.6.7"):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            attempt("lan", ip=ip)
        assert waits(attempt("lan", ip=ip)) > 0
    assert {d.ip for d in throttling.delays_for("lan")} == {ATTACKER, "10.6.6.7"}
    ops.unlock_user(admin, lan)
    assert throttling.delays_for("lan") == []
    assert attempt("lan", TEST_PASSWORD, ip=ATTACKER) is None
    [event] = events("user_unlocked")
    assert (event.detail["was_locked"], event.detail["delays_cleared"]) == (False, 2)


def test_an_administrator_cannot_lock_their_own_sign_in(session, make_user):
    admin = make_user("admin", "20")
    with pytest.raises(Problem) as info:
        ops.lock_user(admin, admin)
    assert info.value.code == "validation_failed" and admin.locked_at is None


def test_an_administrator_cannot_lock_a_user_outside_their_area(session, make_user):
    admin = make_user("admin", "06529")
    other = make_user("supervisor", "05977")
    with pytest.raises(Problem) as info:
        ops.lock_user(admin, other)
    assert info.value.code == "out_of_scope" and other.locked_at is None


@pytest.mark.parametrize("seconds, vi, en", [(1, "1 giây", "1 second"), (30, "30 giây", "30 seconds"),
                                             (60, "1 phút", "1 minute"), (61, "2 phút", "2 minutes")])
def test_the_wait_is_said_in_words(seconds, vi, en):
    assert throttling.wait_params(seconds) == {"retry_after": seconds, "wait_vi": vi, "wait": en}
