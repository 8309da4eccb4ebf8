"""Signing in and out of the web UI, the forced password change, CSRF on the login form."""

from __future__ import annotations

import re

import pytest

from server.accounts.operations import issue_token
from server.core.jsontext import CONTROL_MESSAGE
from live_db import TEST_PASSWORD


def sign_in(client, username: str, password: str = TEST_PASSWORD, **kw):
    """POST the login form."""
    return client.post("/login", data={"username": username, "password": password}, **kw)


def test_login_page_signs_in_and_sends_each_role_home(client, make_user):
    make_user("officer", "20", username="thu")
    resp = sign_in(client, "thu")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/indicators/"  # an officer lands on the province's figures
    assert client.get("/indicators/").status_code == 200


def test_login_goes_to_the_next_page(client, make_user):
    make_user("supervisor", "06529", username="lan")
    resp = sign_in(client, "lan", query_string={"next": "/places/06529"})
    assert resp.headers["Location"] == "/places/06529"


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\\/evil",
                                    "/\tevil"])
def test_login_never_redirects_off_site(client, make_user, target):
    make_user("supervisor", "06529", username="lan")
    assert sign_in(client, "lan", query_string={"next": target}).headers["Location"] == "/"


def test_a_wrong_password_answers_401_with_the_message_and_is_audited(client, make_user, events):
    make_user("supervisor", "06529", username="lan")
    resp = sign_in(client, "lan", "wrong-password")
    assert resp.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in resp.get_data(as_text=True)
    assert [e.actor_name for e in events("login_failed")] == ["lan"]
    assert client.get("/").headers["Location"].endswith("/login")


def test_a_wrong_password_message_follows_the_language(client, make_user):
    make_user("supervisor", "06529", username="lan")
    client.set_cookie("lang", "en")
    assert "The username or password is wrong." in sign_in(client, "lan", "nope").get_data(as_text=True)


def test_after_too_many_failures_even_the_right_password_waits_on_the_login_page(app, client, make_user, events):
    make_user("supervisor", "06529", username="lan")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, "lan", "wrong-password").status_code == 401
    resp = sign_in(client, "lan")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == str(app.config["LOGIN_DELAY_SECONDS"])
    page = resp.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 30 giây." in page
    assert 'name="password"' in page  # the form stays, to try again after the wait
    assert len(events("login_failed")) == app.config["LOGIN_MAX_FAILURES"]
    assert len(events("login_throttled")) == 1
    assert client.get("/").headers["Location"].endswith("/login")


def test_the_owner_signs_in_from_another_address_while_their_name_is_guessed(app, client, make_user):
    make_user("supervisor", "06529", username="lan")
    attacker = {"REMOTE_ADDR": "10.6.6.6"}
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        sign_in(client, "lan", "wrong-password", environ_base=attacker)
    assert sign_in(client, "lan", environ_base=attacker).status_code == 429
    assert sign_in(client, "lan", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_a_locked_account_is_told_so_on_the_login_page(client, session, make_user):
    from server.accounts.operations import lock_user

    lock_user(make_user("admin", "20"), make_user("supervisor", "06529", username="lan"))
    session.commit()
    resp = sign_in(client, "lan")
    assert resp.status_code == 403 and "Retry-After" not in resp.headers
    assert "Quản trị viên đã khóa đăng nhập của tài khoản này" in resp.get_data(as_text=True)


def test_a_disabled_user_cannot_log_in(client, make_user):
    make_user("supervisor", "06529", username="lan", is_enabled=False)
    assert sign_in(client, "lan").status_code == 401


def test_disabling_a_user_ends_their_open_session(client, session, make_user, login, reload):
    user = login(make_user("officer", "20"))
    assert client.get("/places").status_code == 200
    reload(user).is_enabled = False
    session.commit()
    resp = client.get("/places")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_logout_ends_the_session_and_is_audited(client, make_user, login, events):
    user = login(make_user("officer", "20"))
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/places").status_code == 302
    assert [e.actor_id for e in events("logout")] == [user.id]


def test_must_change_password_forces_the_password_page(client, make_user, reload):
    user = make_user("supervisor", "06529", username="lan", must_change_password=True)
    sign_in(client, "lan")
    assert client.get("/").headers["Location"] == "/account/password"
    assert client.get("/places/06529").headers["Location"] == "/account/password"
    assert client.get("/account").headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200
    new = "my-own-password-2025"
    resp = client.post("/account/password", data={"current": "wrong-password", "new": new, "confirm": new})
    assert resp.status_code == 422 and reload(user).must_change_password
    resp = client.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new})
    assert resp.status_code == 302 and not reload(user).must_change_password
    assert client.get("/places/06529").status_code == 200
    client.post("/logout")
    assert sign_in(client, "lan", new).status_code == 302


@pytest.mark.parametrize("new, confirm", [("short", "short"), ("long-enough-1", "long-enough-2")])
def test_a_bad_new_password_is_refused(client, make_user, login, new, confirm):
    login(make_user("supervisor", "06529"))
    resp = client.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": confirm})
    assert resp.status_code == 422


FIELD_ERROR = r'id="{field}"[^>]*>\s*<ul class="errors"><li>{message}</li></ul>'


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"])
def test_a_control_character_in_the_username_is_said_at_the_field_on_the_login_page(client, make_user, char):
    make_user("supervisor", "06529", username="lan")
    resp = sign_in(client, f"lan{char}", query_string={"next": "/places/06529"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "<title>Đăng nhập · RaSoat</title>" in text and '<form method="post" novalidate>' in text
    assert re.search(FIELD_ERROR.format(field="username", message=re.escape(CONTROL_MESSAGE[0])), text)
    assert 'aria-invalid="true" id="username"' in text and 'value="lan\ufffd"' in text  # as typed, shown
    assert 'aria-invalid="false" id="password"' in text and "username:" not in text
    # Typed again, the same form signs in and goes on to the page asked for.
    assert sign_in(client, "lan", query_string={"next": "/places/06529"}).headers["Location"] == "/places/06529"


def test_the_login_pages_message_for_a_control_character_follows_the_language(client):
    client.set_cookie("lang", "en")
    text = sign_in(client, "lan\x00").get_data(as_text=True)
    assert '<label for="username">Username</label>' in text
    assert re.search(FIELD_ERROR.format(field="username", message=re.escape(CONTROL_MESSAGE[1])), text)


def test_a_control_character_in_a_new_password_is_said_at_its_field(client, make_user, login, reload):
    user = login(make_user("supervisor", "06529", must_change_password=True))
    new = "my-own-password\x00-2025"
    resp = client.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and '<form method="post" novalidate>' in text
    assert re.search(FIELD_ERROR.format(field="new", message=re.escape(CONTROL_MESSAGE[0])), text)
    assert reload(user).must_change_password  # nothing changed


def test_the_login_form_needs_its_csrf_token(app, client, make_user, monkeypatch):
    make_user("supervisor", "06529", username="lan")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    resp = sign_in(client, "lan")
    assert resp.status_code == 400
    assert client.get("/").headers["Location"].endswith("/login")


def test_account_page_lists_tokens_and_revokes_one(client, session, make_user, login, events):
    user = login(make_user("enumerator", "T-06529-01"))
    token, row = issue_token(user, label="Điện thoại A")
    session.commit()
    assert "Điện thoại A" in client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "token_invalid"
    assert [e.target_id for e in events("token_revoked")] == [str(row.id)]


def test_nobody_can_revoke_another_users_token(client, session, make_user, login):
    owner = make_user("enumerator", "T-06529-01")
    token, row = issue_token(owner)
    session.commit()
    login(make_user("admin", "20"))
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
