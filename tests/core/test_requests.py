"""One transaction per request and errors: JSON on the API, friendly pages elsewhere, never a traceback."""

from __future__ import annotations

import pytest
from flask import flash, get_flashed_messages, redirect, request
from sqlalchemy import select

from server import create_app
from server.core.auth import public
from server.core.errors import CATALOGUE, Problem
from server.extensions import db
from server.places.models import Unit


@pytest.fixture
def failing_app(app, session):
    """A second app on the same database with routes that write and then fail."""
    other = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "INSTANCE_PATH": app.config["INSTANCE_PATH"],
                        "SECRET_KEY": "x", "TESTING": True, "WTF_CSRF_ENABLED": False})

    def write_unit(code):
        db.session.add(Unit(code=code, level="village", kind="thon", name="Tạm", parent_code="06529",
                            province_code="20", commune_code="06529", valid_from=__import__("datetime").date(2025, 7, 1),
                            source="test"))
        db.session.flush()

    @public
    def crash():
        write_unit("TMP-CRASH")
        raise RuntimeError("secret internal detail")

    @public
    def refuse():
        write_unit("TMP-REFUSE")
        raise Problem("conflict")

    @public
    def ok():
        write_unit("TMP-OK")
        return "ok"

    @public
    def raw_form():  # reads request.form itself, with no form to say what is wrong at a field
        write_unit("TMP-RAW")
        flash(f"Saved {request.form.get('note', '')}")
        return redirect("/t/ok")

    for name, view in (("crash", crash), ("refuse", refuse), ("ok", ok)):
        other.add_url_rule(f"/t/{name}", name, view)
        other.add_url_rule(f"/api/v1/t/{name}", f"api_{name}", view)
    other.add_url_rule("/t/raw", "raw", raw_form, methods=["POST"])
    other.add_url_rule("/api/v1/t/raw", "api_raw", raw_form, methods=["POST"])
    other.add_url_rule("/t/flashes", "flashes", public(lambda: " | ".join(get_flashed_messages())))
    yield other
    other.extensions["rasoat_engine"].dispose()


def _exists(code: str) -> bool:
    """Whether a unit with this code is stored."""
    return db.session.execute(select(Unit.code).where(Unit.code == code)).first() is not None


def test_500_is_a_friendly_page_without_trace_and_nothing_is_kept(failing_app, caplog):
    client = failing_app.test_client()
    resp = client.get("/t/crash")
    assert resp.status_code == 500
    assert b"secret internal detail" not in resp.data and b"Traceback" not in resp.data
    assert "Đã xảy ra lỗi hệ thống" in resp.get_data(as_text=True)
    assert not _exists("TMP-CRASH")
    assert "secret internal detail" in caplog.text  # logged for the operator


def test_500_on_the_api_is_json(failing_app):
    resp = failing_app.test_client().get("/api/v1/t/crash")
    assert resp.status_code == 500
    error = resp.get_json()["error"]
    assert error["code"] == "internal_error"
    assert error["message"]["vi"] and error["message"]["en"]


def test_problem_rolls_back_the_request(failing_app):
    resp = failing_app.test_client().get("/api/v1/t/refuse")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "conflict"
    assert not _exists("TMP-REFUSE")


def test_successful_request_commits(failing_app):
    assert failing_app.test_client().get("/t/ok").status_code == 200
    assert _exists("TMP-OK")


def test_a_control_character_in_a_field_no_form_reads_is_refused_as_a_page_and_nothing_is_kept(failing_app):
    client = failing_app.test_client()
    resp = client.post("/t/raw", data={"note": "a\x00b"})
    assert resp.status_code == 422 and "Có ký tự điều khiển" in resp.get_data(as_text=True)
    assert not _exists("TMP-RAW")
    assert client.get("/t/flashes").get_data(as_text=True) == ""  # "Saved …" was not done: not said either
    assert client.post("/t/raw", data={"note": "ab"}).status_code == 302 and _exists("TMP-RAW")


def test_a_control_character_in_a_query_or_on_the_api_is_refused_as_before(failing_app):
    client = failing_app.test_client()
    page = client.get("/t/ok", query_string={"q": "a\x00"})
    assert page.status_code == 422 and not _exists("TMP-OK")
    api = client.post("/api/v1/t/raw", data={"note": "a\x00"})
    assert api.status_code == 422 and api.get_json()["error"]["fields"][0]["path"] == "note"
    assert not _exists("TMP-RAW")


def test_404_page_and_json(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "text/html" in page.content_type
    assert "Không tìm thấy" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_403_page_for_a_role_without_access(client, make_user, login):
    login(make_user("enumerator", "T-06529-01"))
    resp = client.get("/admin/users")
    assert resp.status_code == 403
    assert "không có quyền" in resp.get_data(as_text=True)


def test_405_lists_allowed_methods(client):
    resp = client.put("/api/v1/token")
    assert resp.status_code == 405
    assert "POST" in resp.headers["Allow"]


def test_catalogue_messages_are_bilingual_and_formattable():
    for code, entry in CATALOGUE.items():
        assert entry.vi.strip() and entry.en.strip() and entry.vi != entry.en, code
        assert 100 <= entry.status < 600, code
    body = Problem("out_of_scope", unit="06529").to_dict()
    assert "06529" in body["message"]["vi"] and "06529" in body["message"]["en"]
    with pytest.raises(KeyError):
        Problem("no_such_code")


def test_a_failed_commit_is_a_500_and_never_a_success(app, session, monkeypatch):
    def broken_commit():
        raise RuntimeError("database went away")

    client = app.test_client()
    monkeypatch.setattr(db.session, "commit", broken_commit)
    page = client.get("/login")
    assert page.status_code == 500 and "Đã xảy ra lỗi hệ thống" in page.get_data(as_text=True)
    api = client.post("/api/v1/token", json={"username": "nobody", "password": "x"})
    assert api.status_code == 500 and api.get_json()["error"]["code"] == "internal_error"
