"""Every route declares who may use it; every role is checked on every route, inside and outside its area."""

from __future__ import annotations

import hashlib
import re

import pytest

from server.core.auth import permission_of
from server.core.roles import ROLES, WEB_ROLES

# Where each role is placed inside the area of the sample unit T-06529-01, and outside it.
INSIDE = {"enumerator": "T-06529-01", "supervisor": "06529", "officer": "20", "admin": "20", "api_client": "20"}
OUTSIDE = {"enumerator": "T-05977-01", "supervisor": "05977", "officer": "04", "admin": "04", "api_client": "04"}
SAMPLE_UNIT = "T-06529-01"
METHODS = ("GET", "POST", "DELETE", "PUT", "PATCH")
PHOTO = b"\xff\xd8\xff a photo of the house"


def routes(app):
    """(endpoint, method, rule) for every route of the app, HEAD/OPTIONS aside."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(METHODS)):
            yield rule.endpoint, method, rule


def test_every_route_declares_a_permission(app):
    missing = [f"{m} {r.rule} ({e})" for e, m, r in routes(app) if permission_of(app, e) is None]
    assert missing == [], f"routes without @public or @requires: {missing}"


# Routes of one's own things (a token, an export job): any other id is a 404.
OWN_ONLY = ("accounts.revoke_token", "exports.job", "exports.job_status", "exports.download")

# Routes whose unit is a query parameter (checked by @requires(area=...) like a URL parameter).
QUERIES = {"submissions_api.previous_households": f"?village={SAMPLE_UNIT}"}


def _url(rule, values: dict) -> str:
    """Fill the rule's URL parameters from `values` (and the query a route needs)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule) + QUERIES.get(
        rule.endpoint, "")


@pytest.fixture
def world(client, make_user, bearer, post, household):
    """Users of every role inside and outside the sample area, a form posted there, and sample URL values."""
    target = make_user("enumerator", SAMPLE_UNIT, username="target-user")
    photo = {"name": "house.jpg", "content_type": "image/jpeg", "sha256": hashlib.sha256(PHOTO).hexdigest()}
    record = household(attachments=[photo])
    form = post(record, target).get_json()["submission"]
    client.put(f"/api/v1/submissions/{record['id']}/attachments/house.jpg", data=PHOTO, headers=bearer(target))
    users = {}
    for placement, units in (("inside", INSIDE), ("outside", OUTSIDE)):
        for role in ROLES:
            users[(role, placement)] = make_user(role, units[role], username=f"{role}-{placement}")
    return {"users": users, "bearer": bearer,
            "values": {"code": SAMPLE_UNIT, "user_id": target.id, "token_id": 0, "lang": "en",
                       "filename": "css/app.css", "version_id": record["id"], "name": "house.jpg",
                       "submission_id": _submission_id(form["first_id"]), "rule_set": "2022-2026",
                       "form_name": "household", "table": "results", "job_id": "0" * 36}}


def _submission_id(first_id: str) -> int:
    """The database id of the form whose first version is `first_id`."""
    from sqlalchemy import select

    from server.core.scoping import unscoped
    from server.extensions import db
    from server.submissions.models import Submission

    return db.session.execute(unscoped(select(Submission.id).where(Submission.first_id == first_id), "test")).scalar_one()


def _call(client, method: str, url: str, headers: dict | None = None):
    """Issue the request with an empty form or JSON body as the route's kind expects."""
    kwargs = {"headers": headers or {}}
    if method != "GET":
        if url.startswith("/api/"):
            kwargs["json"] = {}
        else:
            kwargs["data"] = {}
    return client.open(url, method=method, **kwargs)


def _expected(rule, endpoint_rule, role: str, placement: str) -> str:
    """'allowed', 'forbidden' (403) or 'hidden' (404) for a role placed inside/outside the sample area."""
    if rule.public:
        return "allowed"
    if role == "api_client" and not endpoint_rule.rule.startswith("/api/"):
        return "login"  # a machine never has a web session: every page sends it to sign in
    if role not in rule.roles:
        return "forbidden"
    if placement == "outside":
        if rule.area:
            return "forbidden"
        # Records outside the area are not revealed: they are not found.
        if any(p in endpoint_rule.rule for p in ("<int:user_id>", "<int:submission_id>", "<version_id>")):
            return "hidden"
    return "allowed"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("placement", ["inside", "outside"])
def test_role_matrix(app, client, world, login, role, placement):
    user = world["users"][(role, placement)]
    headers = world["bearer"](user)
    login(user)
    failures = []
    for endpoint, method, rule in routes(app):
        perm = permission_of(app, endpoint)
        url = _url(rule, world["values"])
        expected = _expected(perm, rule, role, placement)
        if endpoint == "accounts.logout" or (endpoint == "accounts_api.delete_token"):
            continue  # would end this user's session or token mid-matrix; covered on their own below
        resp = _call(client, method, url, headers if url.startswith("/api/") else None)
        status = resp.status_code
        resp.close()
        # (A token, an export job: another user's is not revealed, so the sample id is a 404 for everyone.)
        ok = {"allowed": status not in (401, 403, 404) or (endpoint in OWN_ONLY and status == 404),
              "forbidden": status == 403,
              "hidden": status == 404,
              "login": status == 302}[expected]
        if not ok:
            failures.append(f"{method} {url}: expected {expected}, got {status}")
    assert failures == []


def test_anonymous_is_sent_to_login_or_refused(app, client):
    values = {"code": SAMPLE_UNIT, "user_id": 1, "token_id": 1, "lang": "en", "filename": "css/app.css",
              "version_id": "00000000-0000-4000-8000-000000000000", "name": "x.jpg", "submission_id": 1,
              "rule_set": "2022-2026", "form_name": "household", "table": "results", "job_id": "0" * 36}
    for endpoint, method, rule in routes(app):
        if permission_of(app, endpoint).public:
            continue
        url = _url(rule, values)
        resp = _call(client, method, url)
        if url.startswith("/api/"):
            assert resp.status_code == 401, url
            assert resp.get_json()["error"]["code"] == "unauthenticated"
        else:
            assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_logout_and_token_revoke_for_every_role(client, make_user, login, bearer, role):
    user = make_user(role, INSIDE[role])
    headers = bearer(user)
    assert client.delete("/api/v1/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    login(user)
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302


# What each role is expected to reach, written out independently of the declarations in the code.
EXPLICIT = [
    ("/admin/users", {"admin"}),
    ("/admin/places/import", {"admin"}),
    ("/audit", {"officer", "admin"}),
    ("/places", {"officer", "admin"}),
    ("/my-area", {"enumerator", "supervisor", "officer", "admin"}),
    ("/account", {"enumerator", "supervisor", "officer", "admin"}),
]


@pytest.mark.parametrize("role", WEB_ROLES)
def test_pages_each_role_reaches(client, make_user, login, role):
    login(make_user(role, INSIDE[role]))
    for url, allowed in EXPLICIT:
        status = client.get(url).status_code
        assert (status == 200) == (role in allowed), f"{role} GET {url} → {status}"
        assert status in (200, 403), f"{role} GET {url} → {status}"
