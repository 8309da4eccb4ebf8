"""The token API: POST /api/v1/token, DELETE /api/v1/token, GET /api/v1/me."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.accounts import operations as ops
from server.core.db import utcnow
from live_db import TEST_PASSWORD


def get_token(client, username: str, password: str = TEST_PASSWORD, **kw):
    """POST /api/v1/token with a JSON body."""
    return client.post("/api/v1/token", json={"username": username, "password": password}, **kw)


def auth(token: str) -> dict:
    """Authorization headers for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def assert_error(resp, status: int, code: str) -> dict:
    """Assert a JSON error with its status, code and bilingual message; return the error."""
    assert resp.status_code == status and resp.is_json
    error = resp.get_json()["error"]
    assert (error["code"], error["status"]) == (code, status)
    assert error["message"]["vi"] and error["message"]["en"] and error["message"]["vi"] != error["message"]["en"]
    return error


def test_a_token_lasts_api_token_days_and_works_on_me(app, client, make_user, events):
    user = make_user("enumerator", "T-06529-01", username="nam")
    resp = get_token(client, "nam", headers={"User-Agent": "RaSoat Android"})
    assert resp.status_code == 201
    body = resp.get_json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=app.config["API_TOKEN_DAYS"]))) < timedelta(hours=1)
    assert body["user"]["username"] == "nam"
    me = client.get("/api/v1/me", headers=auth(body["token"]))
    assert me.status_code == 200
    assert me.get_json() == {"username": "nam", "full_name": user.full_name, "role": "enumerator",
                             "unit": {"code": "T-06529-01", "level": "village", "name": "Thôn Thử Nghiệm Một"}}
    assert len(events("token_issued")) == 1 and len(events("login")) == 1


def test_a_wrong_password_answers_401_json_and_is_audited(client, make_user, events):
    make_user("enumerator", "T-06529-01", username="nam")
    assert_error(get_token(client, "nam", "wrong-password"), 401, "invalid_credentials")
    assert [e.actor_name for e in events("login_failed")] == ["nam"]
    assert events("token_issued") == []


def test_throttled_token_requests_answer_429_with_retry_after(app, client, make_user):
    make_user("enumerator", "T-06529-01", username="nam")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        get_token(client, "nam", "wrong-password")
    resp = get_token(client, "nam")
    error = assert_error(resp, 429, "too_many_attempts")
    assert resp.headers["Retry-After"] == str(app.config["LOGIN_DELAY_SECONDS"])
    assert error["message"]["en"] == "Too many failed logins. Try again in 30 seconds."


def test_a_locked_account_gets_no_token(client, session, make_user):
    from server.accounts.operations import lock_user

    lock_user(make_user("admin", "20"), make_user("enumerator", "T-06529-01", username="nam"))
    session.commit()
    assert_error(get_token(client, "nam"), 403, "account_locked")


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"nam"', "null", ""])
def test_a_body_that_is_not_a_json_object_is_refused(session, client, body):
    resp = client.post("/api/v1/token", data=body, content_type="application/json")
    error = assert_error(resp, 400, "invalid_json")
    assert [f["path"] for f in error["fields"]] == ["body"]


@pytest.mark.parametrize("body, fields", [
    ({"password": TEST_PASSWORD}, ["username"]),
    ({"username": "nam"}, ["password"]),
    ({}, ["username", "password"]),
    ({"username": 12, "password": TEST_PASSWORD}, ["username"]),
    ({"username": "nam", "password": ["x"]}, ["password"]),
    ({"username": "", "password": ""}, ["username", "password"]),
])
def test_missing_or_wrong_fields_are_named(session, client, make_user, body, fields):
    make_user("enumerator", "T-06529-01", username="nam")
    error = assert_error(client.post("/api/v1/token", json=body), 422, "validation_failed")
    assert [f["path"] for f in error["fields"]] == fields
    assert all(f["message"]["vi"] != f["message"]["en"] for f in error["fields"])


def test_a_revoked_token_is_refused(client, make_user, events):
    make_user("enumerator", "T-06529-01", username="nam")
    token = get_token(client, "nam").get_json()["token"]
    assert client.delete("/api/v1/token", headers=auth(token)).status_code == 204
    assert_error(client.get("/api/v1/me", headers=auth(token)), 401, "token_invalid")
    assert_error(client.delete("/api/v1/token", headers=auth(token)), 401, "token_invalid")
    assert len(events("token_revoked")) == 1


def test_revoking_one_token_keeps_the_others(client, make_user, bearer):
    user = make_user("enumerator", "T-06529-01")
    first, second = bearer(user), bearer(user)
    client.delete("/api/v1/token", headers=first)
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_an_expired_token_is_refused(client, session, make_user):
    user = make_user("enumerator", "T-06529-01")
    token, row = ops.issue_token(user)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert_error(client.get("/api/v1/me", headers=auth(token)), 401, "token_invalid")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic bmFtOnB3", "Token abc"])
def test_a_bad_authorization_header_is_refused(session, client, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "token_invalid")


def test_no_token_is_unauthenticated(session, client):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(client.delete("/api/v1/token"), 401, "unauthenticated")


def test_a_session_cookie_alone_does_not_authenticate_the_api(client, make_user, login):
    login(make_user("admin", "20"))
    assert client.get("/account").status_code == 200
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


def test_a_disabled_user_cannot_get_or_use_a_token(client, session, make_user, bearer, reload):
    user = make_user("enumerator", "T-06529-01", username="nam")
    headers = bearer(user)
    reload(user).is_enabled = False
    session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401, "token_invalid")
    assert_error(get_token(client, "nam"), 401, "invalid_credentials")


def test_disabling_a_user_in_the_admin_page_revokes_their_tokens(client, make_user, login, bearer):
    user = make_user("enumerator", "T-06529-01")
    headers = bearer(user)
    login(make_user("admin", "20"))
    resp = client.post(f"/admin/users/{user.id}", data={"username": user.username, "full_name": user.full_name,
                                                        "role": "enumerator", "unit_code": "T-06529-01"})
    assert resp.status_code == 302
    assert_error(client.get("/api/v1/me", headers=headers), 401, "token_invalid")


def test_signing_in_again_with_an_expired_token_in_the_header_works(client, session, make_user):
    user = make_user("enumerator", "T-06529-01", username="nam")
    token, row = ops.issue_token(user)
    row.expires_at = utcnow() - timedelta(days=1)
    session.commit()
    resp = get_token(client, "nam", headers=auth(token))
    assert resp.status_code == 201
    assert client.get("/api/v1/me", headers=auth(resp.get_json()["token"])).status_code == 200


def test_the_api_needs_no_csrf_token(app, client, make_user, monkeypatch):
    make_user("enumerator", "T-06529-01", username="nam")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = get_token(client, "nam").get_json()["token"]
    assert client.delete("/api/v1/token", headers=auth(token)).status_code == 204
