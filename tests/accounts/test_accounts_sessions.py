"""Sessions end on the server: after a logout or a password change, a copy of an old cookie opens nothing."""

from __future__ import annotations

import pytest

from live_db import TEST_PASSWORD

NEW_PASSWORD = "a-new-password-2026"


def sign_in(client, username: str, password: str = TEST_PASSWORD):
    """POST the login form; assert it signed in."""
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return resp


@pytest.fixture
def second_client(app, client):
    """Factory: second_client(cookie_from=None) → another test client, holding a copy of a client's session cookie."""

    def make(cookie_from=None):
        other = app.test_client()
        if cookie_from is not None:
            other.set_cookie("session", cookie_from.get_cookie("session").value)
        return other

    return make


def signed_in(client) -> bool:
    """Whether the client's session opens the account page."""
    resp = client.get("/account")
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def test_a_cookie_copied_before_logout_no_longer_opens_the_account_page(client, make_user, second_client):
    make_user("supervisor", "06529", username="lan")
    sign_in(client, "lan")
    copy = second_client(cookie_from=client)
    assert signed_in(copy)
    assert client.post("/logout").headers["Location"] == "/login"
    resp = copy.get("/account")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    sign_in(client, "lan")  # signing in again works, and does not bring the old copy back
    assert signed_in(client) and not signed_in(copy)


def test_logout_ends_the_users_sessions_in_every_browser(client, make_user, second_client):
    make_user("supervisor", "06529", username="lan")
    sign_in(client, "lan")
    other = second_client()
    sign_in(other, "lan")
    client.post("/logout")
    assert not signed_in(other)


def test_a_cookie_without_a_session_version_is_refused(client, make_user):
    user = make_user("supervisor", "06529")
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = str(user.id), True  # as cookies were before session versions
    assert not signed_in(client)


def test_changing_ones_password_ends_every_other_session_and_token_but_not_this_one(
        client, make_user, second_client, bearer, events):
    user = make_user("supervisor", "06529", username="lan")
    sign_in(client, "lan")
    copy, other = second_client(cookie_from=client), second_client()
    sign_in(other, "lan")
    phones = [bearer(user), bearer(user)]
    resp = client.post("/account/password", data={"current": TEST_PASSWORD, "new": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    assert signed_in(client)
    assert not signed_in(other) and not signed_in(copy)
    for headers in phones:
        resp = client.get("/api/v1/me", headers=headers)
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "token_invalid"
    [event] = events("password_changed")
    assert (event.detail["tokens_revoked"], event.detail["sessions_ended"]) == (2, True)
    sign_in(other, "lan", NEW_PASSWORD)
    assert signed_in(other) and signed_in(client)


# In English: the Vietnamese catalogue is compiled and checked by tests/core/test_translations.py.
def test_the_account_and_password_pages_say_what_a_password_change_ends(client, make_user, login):
    login(make_user("supervisor", "06529"))
    client.set_cookie("lang", "en")
    for url in ("/account", "/account/password"):
        page = client.get(url).get_data(as_text=True)
        assert "Changing your password signs you out of every other browser and revokes every phone" in page, url


def test_the_flash_after_a_password_change_says_so(client, make_user):
    make_user("supervisor", "06529", username="lan")
    sign_in(client, "lan")
    client.set_cookie("lang", "en")
    resp = client.post("/account/password", data={"current": TEST_PASSWORD, "new": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "You have been signed out everywhere else, and every phone must sign in again." \
        in resp.get_data(as_text=True)


def test_an_administrators_reset_ends_the_users_sessions_and_tokens(client, make_user, login, second_client, bearer):
    user = make_user("supervisor", "06529", username="lan")
    theirs = second_client()
    sign_in(theirs, "lan")
    headers = bearer(user)
    login(make_user("admin", "20"))
    data = {"username": "lan", "full_name": user.full_name, "role": "supervisor", "unit_code": "06529",
            "password": NEW_PASSWORD, "is_enabled": "y"}
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    assert not signed_in(theirs)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert signed_in(client)  # the administrator's own session is not concerned


def test_an_administrator_resetting_their_own_password_stays_signed_in(client, make_user):
    admin = make_user("admin", "20", username="quantri")
    sign_in(client, "quantri")
    data = {"username": "quantri", "full_name": admin.full_name, "role": "admin", "unit_code": "20",
            "password": NEW_PASSWORD, "is_enabled": "y"}
    assert client.post(f"/admin/users/{admin.id}", data=data).status_code == 302
    assert client.get("/account").headers["Location"] == "/account/password"  # signed in, must change it


def test_guessing_the_current_password_on_the_password_page_is_throttled(client, login, make_user, events):
    user = login(make_user("supervisor", "06529", username="guessed"))
    answers = [client.post("/account/password", data={"current": f"wrong-{i}", "new": "a-new-password-1",
                                                      "confirm": "a-new-password-1"}) for i in range(7)]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert all("Too many failed" in a.get_data(as_text=True) or "quá nhiều" in a.get_data(as_text=True)
               for a in answers[5:])
    assert len(events("login_failed")) == 5 and events("login_throttled")
    # While the wait lasts, even the right password changes nothing.
    before = user.password_hash
    right = client.post("/account/password", data={"current": TEST_PASSWORD, "new": "a-new-password-1",
                                                    "confirm": "a-new-password-1"})
    assert right.status_code == 422 and user.password_hash == before
