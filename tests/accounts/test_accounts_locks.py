"""An administrator locks and unlocks a user's sign-in on the user's page; both are audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.accounts.models import User
from server.core.scoping import unscoped
from live_db import TEST_PASSWORD


def fresh(session, user: User) -> User:
    """The user read afresh."""
    session.expire_all()
    return session.execute(unscoped(select(User).where(User.id == user.id), "test")).scalar_one()


def sign_in(client, username: str, password: str = TEST_PASSWORD, ip: str = "10.0.0.1"):
    """POST the login form from an address."""
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def admin(make_user, login):
    """An administrator of Xã Lộc Bình, signed in."""
    return login(make_user("admin", "06529", username="admin.locbinh"))


def test_the_user_page_locks_and_unlocks_sign_in(app, client, session, make_user, admin, events):
    lan = make_user("supervisor", "06529", username="lan")
    client.set_cookie("lang", "en")
    page = client.get(f"/admin/users/{lan.id}").get_data(as_text=True)
    assert f'action="/admin/users/{lan.id}/lock"' in page and "/unlock" not in page
    resp = client.post(f"/admin/users/{lan.id}/lock")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/admin/users/{lan.id}"
    assert fresh(session, lan).locked_at is not None
    assert [(e.actor_id, e.target_id) for e in events("user_locked")] == [(admin.id, str(lan.id))]
    page = client.get(f"/admin/users/{lan.id}").get_data(as_text=True)
    assert "Sign-in with the password has been locked since" in page
    assert f'action="/admin/users/{lan.id}/unlock"' in page and "/lock\"" not in page
    assert "Locked" in client.get("/admin/users").get_data(as_text=True)

    other = app.test_client()
    assert sign_in(other, "lan").status_code == 403
    assert client.post(f"/admin/users/{lan.id}/unlock").status_code == 302
    assert fresh(session, lan).locked_at is None
    assert [e.actor_id for e in events("user_unlocked")] == [admin.id]
    assert sign_in(other, "lan").status_code == 302


def test_the_user_page_shows_and_clears_the_waits_of_a_guessed_name(app, client, session, make_user, admin):
    lan = make_user("supervisor", "06529", username="lan")
    other = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(other, "lan", "wrong-password", ip="10.6.6.6")
    assert sign_in(other, "lan", ip="10.6.6.6").status_code == 429
    client.set_cookie("lang", "en")
    page = client.get(f"/admin/users/{lan.id}").get_data(as_text=True)
    assert "10.6.6.6" in page and "Clear the waits" in page
    assert client.post(f"/admin/users/{lan.id}/unlock").status_code == 302
    assert "10.6.6.6" not in client.get(f"/admin/users/{lan.id}").get_data(as_text=True)
    assert sign_in(other, "lan", ip="10.6.6.6").status_code == 302


def test_an_admin_is_not_offered_to_lock_themselves(client, admin):
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/lock" not in page
    assert client.post(f"/admin/users/{admin.id}/lock").status_code == 422


def test_locking_a_user_outside_the_area_is_not_found(client, session, make_user, admin):
    outsider = make_user("supervisor", "05977")
    for action in ("lock", "unlock"):
        assert client.post(f"/admin/users/{outsider.id}/{action}").status_code == 404
    assert fresh(session, outsider).locked_at is None


@pytest.mark.parametrize("role, unit", [("supervisor", "06529"), ("officer", "20"), ("enumerator", "T-06529-01")])
def test_only_administrators_lock(client, session, make_user, login, role, unit):
    target = make_user("supervisor", "06529")
    login(make_user(role, unit))
    assert client.post(f"/admin/users/{target.id}/lock").status_code == 403
    assert fresh(session, target).locked_at is None


def test_a_lock_keeps_open_sessions_and_tokens(client, session, make_user, admin, bearer):
    lan = make_user("supervisor", "06529", username="lan")
    headers = bearer(lan)
    client.post(f"/admin/users/{lan.id}/lock")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
