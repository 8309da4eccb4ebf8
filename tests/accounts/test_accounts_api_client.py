"""API client accounts (issue 13): the provincial system's machine reads its area through the API with tokens an
administrator issues; it has no password, cannot sign in on the web or for a token, and cannot write forms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from server.accounts import operations as ops
from server.accounts.models import ApiToken
from server.core.auth import permission_of
from server.core.db import utcnow
from server.core.errors import Problem
from live_db import TEST_PASSWORD

TOKEN_ON_PAGE = re.compile(r'<code id="token">([^<]+)</code>')


@pytest.fixture
def admin(make_user):
    """The province's administrator."""
    return make_user("admin", "20", username="admin-20")


@pytest.fixture
def make_client(session):
    """Factory: make_client(unit_code, username) → an API client account made as the admin page makes it."""

    def make(unit_code: str = "20", username: str = "ht-tinh"):
        user = ops.create_user(None, username=username, full_name="Hệ thống tỉnh", role="api_client",
                               unit_code=unit_code, password=None, must_change_password=True)
        session.commit()
        return user

    return make


def _issue_on_page(client, user, label: str = "Hệ thống tỉnh"):
    """Press 'Issue a token' on the account's page; return the answer and the token it shows (or None)."""
    resp = client.post(f"/admin/users/{user.id}/tokens", data={"label": label})
    found = TOKEN_ON_PAGE.search(resp.get_data(as_text=True))
    return resp, found.group(1) if found else None


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_an_api_client_has_no_password_and_nothing_to_change(make_client):
    user = make_client()
    assert user.role == "api_client" and not user.must_change_password
    assert not any(check_password_hash(user.password_hash, p) for p in ("", TEST_PASSWORD, user.password_hash))


def test_a_password_for_an_api_client_is_refused(session, admin):
    with pytest.raises(Problem) as info:
        ops.create_user(admin, username="ht-tinh", full_name="", role="api_client", unit_code="20",
                        password=TEST_PASSWORD)
    assert info.value.code == "validation_failed" and info.value.fields[0]["path"] == "password"
    session.rollback()
    user = ops.create_user(admin, username="ht-tinh", full_name="", role="api_client", unit_code="20", password="")
    with pytest.raises(Problem) as info:
        ops.set_password(admin, user, TEST_PASSWORD)
    assert info.value.fields[0]["path"] == "password"


def test_an_api_client_is_scoped_to_the_province_or_a_commune_only(session):
    with pytest.raises(Problem) as info:
        ops.create_user(None, username="ht-thon", full_name="", role="api_client", unit_code="T-06529-01",
                        password=None)
    assert info.value.code == "role_scope_mismatch"


@pytest.mark.parametrize("hashed", ["none", "usable"])
def test_an_api_client_cannot_sign_in_on_the_page_nor_for_a_token(client, make_client, make_user, events, hashed):
    # Even an account whose stored hash would match a password (made by hand) is refused for its role.
    user = make_client() if hashed == "none" else make_user("api_client", "20", username="ht-tinh")
    page = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert page.status_code == 401
    api = client.post("/api/v1/token", json={"username": user.username, "password": TEST_PASSWORD})
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "invalid_credentials"
    failed = [e for e in events("login_failed") if e.target_id == str(user.id)]
    assert [e.detail["reason"] for e in failed] == ["api_client", "api_client"]
    assert events("token_issued") == [] and events("login") == []


def test_the_admin_page_creates_an_api_client_without_a_password(client, admin, login, session):
    login(admin)
    resp = client.post("/admin/users/new", data={"username": "ht-tinh", "full_name": "Hệ thống tỉnh",
                                                 "role": "api_client", "unit_code": "20", "is_enabled": "y"})
    assert resp.status_code == 302
    person = client.post("/admin/users/new", data={"username": "lan", "full_name": "Lan", "role": "officer",
                                                   "unit_code": "20", "is_enabled": "y"})
    assert person.status_code == 422  # a person still needs one
    with_password = client.post("/admin/users/new", data={
        "username": "ht-hai", "full_name": "", "role": "api_client", "unit_code": "20", "password": TEST_PASSWORD,
        "is_enabled": "y"})
    assert with_password.status_code == 422
    assert ops.find_user("ht-tinh").role == "api_client" and ops.find_user("ht-hai") is None


def test_admin_issues_a_token_shown_once_that_reads_the_api(client, admin, login, make_client, events):
    user = make_client()
    login(admin)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Cấp mã truy cập" in page and 'name="password"' not in page
    resp, token = _issue_on_page(client, user, label="Sở LĐTBXH")
    assert resp.status_code == 200 and token
    again = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert token not in again and "Sở LĐTBXH" in again  # listed, never shown again
    issued = events("token_issued")[-1]
    assert (issued.actor_id, issued.detail["user_id"], issued.unit_code) == (admin.id, user.id, "20")

    assert client.get("/api/v1/me", headers=_auth(token)).get_json()["role"] == "api_client"
    listed = client.get("/api/v1/submissions", headers=_auth(token))
    assert listed.status_code == 200 and listed.get_json()["items"] == []
    assert client.get("/api/v1/indicators?year=2025", headers=_auth(token)).status_code == 200
    assert client.get("/api/v1/places", headers=_auth(token)).status_code == 200


def test_an_api_client_token_cannot_write_forms(client, make_client, bearer, household):
    headers = bearer(make_client())
    for resp in (client.post("/api/v1/submissions", json=household(), headers=headers),
                 client.post("/api/v1/submissions/batch", json=[household()], headers=headers)):
        assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"


def test_no_web_page_opens_for_an_api_client(app, client, make_client, bearer, login):
    user = make_client()
    headers = bearer(user)
    login(user)  # even a session cookie naming the account (which no sign-in gives it) signs nobody in
    pages = [r for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments
             and not r.rule.startswith("/api/") and not permission_of(app, r.endpoint).public]
    assert len(pages) > 5
    for rule in pages:
        resp = client.get(rule.rule, headers=headers)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], rule.rule
        assert "api_client" not in permission_of(app, rule.endpoint).roles, rule.rule


def test_a_commune_api_client_sees_only_its_commune(client, make_client, make_user, bearer, post, household):
    post(household(), make_user("enumerator", "T-06529-01"))
    other = household(commune_code="05977", village_code="T-05977-01")
    assert post(other, make_user("enumerator", "T-05977-01")).status_code == 201
    commune = bearer(make_client("06529", "ht-xa"))
    items = client.get("/api/v1/submissions", headers=commune).get_json()["items"]
    assert [i["commune_code"] for i in items] == ["06529"]
    province = client.get("/api/v1/submissions", headers=bearer(make_client("20"))).get_json()["items"]
    assert sorted(i["commune_code"] for i in province) == ["05977", "06529"]
    outside = client.get("/api/v1/indicators?year=2025&unit=05977", headers=commune)
    assert outside.status_code == 403 and outside.get_json()["error"]["code"] == "out_of_scope"
    assert client.get("/api/v1/indicators?year=2025&unit=06529", headers=commune).status_code == 200


def test_an_admin_of_another_area_cannot_issue_or_revoke(client, make_user, make_client, login, bearer, session):
    user = make_client("06529", "ht-xa")
    headers = bearer(user)
    row = session.query(ApiToken).filter_by(user_id=user.id).one()
    login(make_user("admin", "05977", username="admin-dk"))
    resp, token = _issue_on_page(client, user)
    assert resp.status_code == 404 and token is None
    assert client.get(f"/admin/users/{user.id}").status_code == 404
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with pytest.raises(Problem) as info:
        ops.issue_client_token(make_user("admin", "04", username="admin-cb"), user)
    assert info.value.code == "out_of_scope"
    assert session.query(ApiToken).filter_by(user_id=user.id).count() == 1


def test_an_admin_issues_no_token_for_a_person(client, admin, login, make_user, session):
    person = make_user("officer", "20")
    login(admin)
    resp, token = _issue_on_page(client, person)
    assert resp.status_code == 422 and token is None
    assert session.query(ApiToken).filter_by(user_id=person.id).count() == 0


def test_admin_revokes_a_token_on_the_page(client, admin, login, make_client, events):
    user = make_client()
    login(admin)
    _resp, token = _issue_on_page(client, user)
    _resp, kept = _issue_on_page(client, user, label="dự phòng")
    row = ops.user_for_token(token)[1]
    resp = client.post(f"/account/tokens/{row.id}/revoke")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/users/{user.id}")
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401
    assert client.get("/api/v1/me", headers=_auth(kept)).status_code == 200
    revoked = events("token_revoked")[-1]
    assert (revoked.actor_id, revoked.target_id) == (admin.id, str(row.id))
    assert client.delete("/api/v1/token", headers=_auth(kept)).status_code == 204  # the machine drops its own
    assert client.get("/api/v1/me", headers=_auth(kept)).status_code == 401


def test_an_account_does_not_change_between_machine_and_person(session, admin, make_client, make_user):
    with pytest.raises(Problem) as info:
        ops.update_user(admin, make_client(), full_name="", role="officer", unit_code="20", is_enabled=True)
    assert info.value.fields[0]["path"] == "role"
    with pytest.raises(Problem):
        ops.update_user(admin, make_user("officer", "20"), full_name="", role="api_client", unit_code="20",
                        is_enabled=True)


@pytest.fixture
def run(app, session):
    """Factory: run(*args) → the click result of `flask --app server <args>`."""
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def test_the_command_prints_a_token_that_works(run, client, make_client, events):
    user = make_client()
    result = run("api-client-token", user.username, "--label", "cài đặt", "--days", "30")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    me = client.get("/api/v1/me", headers=_auth(token))
    assert me.status_code == 200 and me.get_json()["username"] == user.username
    row = ops.user_for_token(token)[1]
    assert row.label == "cài đặt" and abs(row.expires_at - (utcnow() + timedelta(days=30))) < timedelta(hours=1)
    issued = events("token_issued")[-1]
    assert (issued.actor_id, issued.actor_name, issued.detail["user_id"]) == (None, "cli", user.id)


@pytest.mark.parametrize("who", ["person", "unknown"])
def test_the_command_refuses_an_account_that_is_not_an_api_client(run, make_user, events, who):
    username = make_user("officer", "20").username if who == "person" else "khong-co"
    result = run("api-client-token", username)
    assert result.exit_code == 2
    assert "không phải tài khoản hệ thống kết nối" in result.stderr and "is not an API client" in result.stderr
    assert result.stdout == "" and events("token_issued") == []


# The migration (20261201_08): the role constraint allows api_client, without touching any row, on both backends.
BEFORE, API_CLIENT_ROLE = "20261201_07", "20261201_08"
AT = "2026-11-30 00:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A new database of each backend at the revision before the API client role, with a user and its token."""
    from sqlalchemy import text

    from live_db import database_at

    with database_at(request.param, tmp_path, BEFORE) as (url, engine):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO units (code, level, kind, name, province_code, valid_from, source) "
                              "VALUES ('20', 'province', 'tinh', 'Lạng Sơn', '20', '2025-07-01', 'test')"))
            _add_user(conn, 1, "officer")
            conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, label, created_at, expires_at) "
                              "VALUES (1, 1, 'h', 'phone', :at, :at)"), {"at": AT})
        yield url, engine


def _add_user(conn, id_: int, role: str) -> None:
    from sqlalchemy import text

    conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, role, unit_code, is_enabled, "
                      "must_change_password, created_at, session_version) VALUES (:id, :name, 'A', 'x', :role, "
                      "'20', :yes, :no, :at, 0)"),
                 {"id": id_, "name": f"user-{id_}", "role": role, "yes": True, "no": False, "at": AT})


def _refused(engine, id_: int, role: str) -> bool:
    """Whether the database refuses a user of this role."""
    from sqlalchemy.exc import IntegrityError

    try:
        with engine.begin() as conn:
            _add_user(conn, id_, role)
    except IntegrityError:
        return True
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM users WHERE id = {id_}")
    return False


def _tokens(engine) -> list:
    from sqlalchemy import text

    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, user_id, label FROM api_tokens"))]


def test_the_migration_allows_the_role_and_keeps_every_row(database):
    from alembic import command
    from sqlalchemy import text

    from server.cli import alembic_config

    url, engine = database
    assert _refused(engine, 2, "api_client")
    command.upgrade(alembic_config(url), API_CLIENT_ROLE)
    assert not _refused(engine, 2, "api_client") and _refused(engine, 2, "robot")
    assert _tokens(engine) == [(1, 1, "phone")]  # the users table was not copied (no cascade on its tokens)

    with engine.begin() as conn:
        _add_user(conn, 3, "api_client")
    with engine.connect() as conn:  # its own connection: migrations/env.py leaves its engine open on an error
        refusing = alembic_config(url)
        refusing.attributes["connection"] = conn
        with pytest.raises(RuntimeError, match="user-3"):
            command.downgrade(refusing, BEFORE)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT role FROM users WHERE id = 3")).scalar_one() == "api_client"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE id = 3"))
    command.downgrade(alembic_config(url), BEFORE)
    assert _refused(engine, 2, "api_client") and not _refused(engine, 2, "admin")
    assert _tokens(engine) == [(1, 1, "phone")]
    command.upgrade(alembic_config(url), API_CLIENT_ROLE)
    assert not _refused(engine, 2, "api_client")


def test_the_create_user_command_makes_an_api_client_without_a_password(app, session, monkeypatch):
    """Install staff create the machine account on the command line (no password is asked), then its token."""
    monkeypatch.delenv("RASOAT_NEW_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "he-thong-tinh", "--role", "api_client", "--unit", "20"])
    assert made.exit_code == 0, made.output
    token = runner.invoke(args=["api-client-token", "he-thong-tinh"])
    assert token.exit_code == 0, token.output
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"})
    assert answer.status_code == 200 and answer.get_json()["role"] == "api_client"
