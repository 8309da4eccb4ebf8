"""CSRF on every form but not on the bearer-token API; redirects stay on this site; tokens and password resets."""

from __future__ import annotations

import pytest

from server import create_app
from live_db import TEST_PASSWORD


@pytest.fixture
def csrf_client(app, session):
    """A client of an app with CSRF protection on, sharing the test's transaction."""
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.config["INSTANCE_PATH"],
                        "SECRET_KEY": "x", "TESTING": True, "WTF_CSRF_ENABLED": True})
    yield other.test_client()
    other.extensions["rasoat_engine"].dispose()


def test_forms_need_the_csrf_token_but_the_api_does_not(csrf_client, make_user):
    user = make_user("supervisor", "06529")
    resp = csrf_client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert resp.status_code == 400 and "hết hạn" in resp.get_data(as_text=True)
    resp = csrf_client.post("/api/v1/token", json={"username": user.username, "password": TEST_PASSWORD})
    assert resp.status_code == 201 and resp.get_json()["token"]


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:x"])
def test_language_switch_never_redirects_off_site(client, target):
    resp = client.post("/lang/en", data={"next": target})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(client):
    resp = client.post("/lang/en", data={"next": "/places/06529"})
    assert resp.headers["Location"] == "/places/06529"


def test_no_phone_token_before_the_one_time_password_is_changed(client, make_user):
    user = make_user("enumerator", "T-06529-01", must_change_password=True)
    resp = client.post("/api/v1/token", json={"username": user.username, "password": TEST_PASSWORD})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "password_change_required"


def test_a_password_reset_by_an_administrator_ends_the_phones_sessions(client, session, make_user, bearer):
    from server.accounts.operations import set_password

    admin = make_user("admin", "20")
    user = make_user("enumerator", "T-06529-01")
    headers = bearer(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    set_password(admin, user, "another-long-password", must_change=True)
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
