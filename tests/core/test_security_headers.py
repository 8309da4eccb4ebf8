"""Security headers on every response of every route, no-store on everything but static files, and session
cookies that are Secure whenever the request came over HTTPS (directly or through a trusted proxy)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import create_app
from server.core.roles import ROLES
from server.core.security import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
UNITS = {"enumerator": "T-06529-01", "supervisor": "06529", "officer": "20", "admin": "20", "api_client": "20"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_the_policy_is_the_one_asked_for():
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"):
        assert directive in CONTENT_SECURITY_POLICY.split("; ")
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


def _url(rule, values: dict) -> str:
    """Fill the rule's URL parameters from `values`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _problems(resp, where: str, static: bool = False) -> list[str]:
    """What is wrong with one response's headers."""
    wrong = [f"{where}: {name} is {resp.headers.get(name)!r}" for name, value in HEADERS.items()
             if resp.headers.get(name) != value]
    cache = resp.headers.get("Cache-Control", "")
    if static:
        if "no-store" in cache:
            wrong.append(f"{where}: a static file is no-store")
    elif "no-store" not in cache:
        wrong.append(f"{where}: Cache-Control is {cache!r}, not no-store")
    return wrong


@pytest.fixture
def values(make_user, post, household):
    """URL values that name real rows: a user, a posted form and its version."""
    target = make_user("enumerator", "T-06529-01", username="target-user")
    record = household()
    body = post(record, target).get_json()["submission"]
    from sqlalchemy import select

    from server.core.scoping import unscoped
    from server.extensions import db
    from server.submissions.models import Submission

    submission_id = db.session.execute(unscoped(select(Submission.id).where(
        Submission.first_id == body["first_id"]), "test")).scalar_one()
    return {"code": "T-06529-01", "user_id": target.id, "token_id": 1, "lang": "en", "filename": "css/app.css",
            "version_id": record["id"], "name": "house.jpg", "submission_id": submission_id, "rule_set": "2022-2026",
            "form_name": "household", "table": "results", "job_id": "0" * 36}


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_route_answers_with_the_security_headers(app, client, make_user, login, bearer, values, role):
    headers = {}
    if role is not None:
        user = login(make_user(role, UNITS[role]))
        headers = bearer(user)
    wrong, statuses = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("accounts.logout", "accounts_api.delete_token"):
            continue  # would end this session or token midway; checked on their own below
        for method in sorted(rule.methods & set(METHODS)):
            url = _url(rule, values)
            api = url.startswith("/api/")
            kwargs = {"headers": headers if api else {}}
            if method != "GET":
                kwargs["json" if api else "data"] = {}
            resp = client.open(url, method=method, **kwargs)
            statuses.append(resp.status_code)
            wrong += _problems(resp, f"{role} {method} {url} → {resp.status_code}", static=rule.endpoint == "static")
            resp.close()
    assert wrong == []
    if role is not None:
        assert statuses.count(200) >= 3, "the walk reached no signed-in page"


def test_logout_token_revocation_and_errors_carry_the_headers(client, make_user, login, bearer):
    user = login(make_user("officer", "20"))
    headers = bearer(user)
    checked = [("POST /logout", client.post("/logout")),
               ("DELETE /api/v1/token", client.delete("/api/v1/token", headers=headers)),
               ("GET /no-such-page", client.get("/no-such-page")),
               ("GET /api/v1/no-such-call", client.get("/api/v1/no-such-call")),
               ("PATCH /login", client.patch("/login"))]
    wrong = [p for where, resp in checked for p in _problems(resp, f"{where} → {resp.status_code}")]
    assert wrong == []
    assert [resp.status_code for _, resp in checked] == [302, 204, 404, 404, 405]


def test_a_failed_commit_answers_with_the_headers(app, client, make_user, login, monkeypatch):
    from server.extensions import db

    login(make_user("officer", "20"))

    def broken():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", broken)
    resp = client.get("/account")
    assert resp.status_code == 500
    assert _problems(resp, "GET /account") == []


def test_pages_and_scripts_have_no_inline_script_style_or_handler():
    """The CSP refuses inline code: templates load their scripts and styles from static/."""
    found = []
    for path in sorted((ROOT / "server").rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+\s*=",
                        r"javascript:"):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\beval\(", r"new Function\(", r"\.innerHTML\s*=.*<script", r"setAttribute\(\s*['\"]on",
                        r"\.style\.cssText|setAttribute\(\s*['\"]style"):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def _session_cookie(resp) -> str:
    """The Set-Cookie header of the session cookie."""
    [cookie] = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return cookie


def _sets_session(client, **kw):
    """A request that writes the session (the language choice) and returns the response."""
    return client.post("/lang/en", data={"next": "/login"}, **kw)


def test_the_session_cookie_is_secure_over_https_and_not_over_http(session, client):
    assert "Secure" not in _session_cookie(_sets_session(client))
    resp = _sets_session(client, base_url="https://rasoat.example.vn")
    assert "; Secure" in _session_cookie(resp)
    assert "Secure" in [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("lang=")][0]


def test_the_setting_makes_it_secure_even_over_http(session, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert "; Secure" in _session_cookie(_sets_session(client))


@pytest.fixture
def proxied_app(app, tmp_path):
    """The app as configured behind one reverse proxy (PROXY_COUNT=1), on the same database."""
    proxied = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": str(tmp_path),
                          "SECRET_KEY": "test-secret", "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "PROXY_COUNT": 1})
    yield proxied
    proxied.extensions["rasoat_engine"].dispose()


def test_behind_a_proxy_x_forwarded_proto_makes_the_cookie_secure(proxied_app):
    client = proxied_app.test_client()
    assert "Secure" not in _session_cookie(_sets_session(client, headers={"X-Forwarded-Proto": "http"}))
    resp = _sets_session(client, headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in _session_cookie(resp)
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_https_answers_ask_the_browser_to_stay_on_https_and_http_answers_do_not(session, client, proxied_app):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert client.get("/login", base_url="https://rasoat.example.vn").headers["Strict-Transport-Security"] == (
        "max-age=31536000")
    behind = proxied_app.test_client()
    assert "Strict-Transport-Security" not in behind.get("/login", headers={"X-Forwarded-Proto": "http"}).headers
    assert "Strict-Transport-Security" in behind.get("/login", headers={"X-Forwarded-Proto": "https"}).headers
