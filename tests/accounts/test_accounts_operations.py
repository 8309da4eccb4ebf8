"""Account operations: creating and changing users, passwords, and what each refuses."""

from __future__ import annotations

import pytest
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts import operations as ops
from server.accounts.models import ApiToken
from server.core.errors import Problem
from live_db import TEST_PASSWORD

NEW_PASSWORD = "a-new-long-password"


def create(actor=None, **kw):
    """Create a user with sensible defaults."""
    args = dict(username="lan.nguyen", full_name="Nguyễn Thị Lan", role="supervisor", unit_code="06529",
                password=NEW_PASSWORD)
    return ops.create_user(actor, **{**args, **kw})


def refused(user_count, code: str, path: str | None, **kw) -> Problem:
    """Assert that creating a user is refused with `code`, naming `path`, bilingual, and writes no user."""
    before = user_count()
    with pytest.raises(Problem) as info:
        create(**kw)
    assert info.value.code == code
    body = info.value.to_dict()
    assert body["message"]["vi"] != body["message"]["en"]
    if path is not None:
        assert [f["path"] for f in body["fields"]] == [path]
        assert body["fields"][0]["message"]["vi"] != body["fields"][0]["message"]["en"]
    assert user_count() == before
    return info.value


def test_create_user_stores_a_lowercase_name_and_an_scrypt_hash(session, events, monkeypatch):
    monkeypatch.setattr(ops, "generate_password_hash", generate_password_hash)  # the production cost
    user = create(username="  Lan.Nguyen ")
    assert (user.username, user.role, user.unit_code, user.is_enabled, user.must_change_password) == \
        ("lan.nguyen", "supervisor", "06529", True, False)
    assert user.password_hash.startswith("scrypt:32768:8:1$") and NEW_PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    [event] = events("user_created")
    assert (event.actor_id, event.actor_name, event.target_id, event.unit_code, event.detail) == \
        (None, "system", str(user.id), "06529", {"username": "lan.nguyen", "role": "supervisor"})


@pytest.mark.parametrize("role, unit", [("enumerator", "T-06529-01"), ("enumerator", "06529"),
                                        ("supervisor", "05977"), ("officer", "20"), ("admin", "20"),
                                        ("admin", "06529")])
def test_roles_may_be_scoped_to_their_levels(session, role, unit):
    assert create(role=role, unit_code=unit).unit.code == unit


@pytest.mark.parametrize("role, unit", [("enumerator", "20"), ("supervisor", "20"), ("supervisor", "T-06529-01"),
                                        ("officer", "06529"), ("officer", "T-06529-01"), ("admin", "T-06529-01")])
def test_a_role_at_the_wrong_level_is_refused(session, user_count, role, unit):
    problem = refused(user_count, "role_scope_mismatch", "unit", role=role, unit_code=unit)
    assert unit in problem.fields[0]["message"]["vi"] and unit in problem.fields[0]["message"]["en"]


def test_an_unknown_role_is_refused_naming_the_field(session, user_count):
    problem = refused(user_count, "validation_failed", "role", role="boss")
    assert "boss" in problem.fields[0]["message"]["en"]


def test_an_unknown_unit_is_refused(session, user_count):
    problem = refused(user_count, "unit_unknown", "unit", unit_code="99999")
    assert "99999" in problem.to_dict()["message"]["vi"]


def test_a_duplicate_username_is_refused_whatever_its_case(session, user_count, make_user):
    make_user("enumerator", "T-06529-01", username="lan.nguyen")
    problem = refused(user_count, "username_taken", "username", username="LAN.Nguyen")
    assert "lan.nguyen" in problem.to_dict()["message"]["en"]


@pytest.mark.parametrize("username", ["", "ab", "lan nguyen", "lan@xa", "nguyễn", "x" * 65])
def test_a_bad_username_is_refused(session, user_count, username):
    refused(user_count, "validation_failed", "username", username=username)


def test_an_overlong_full_name_is_refused(session, user_count):
    refused(user_count, "validation_failed", "full_name", full_name="x" * 201)


@pytest.mark.parametrize("password", ["", "short", "123456789"])
def test_a_short_password_is_refused(session, user_count, password):
    problem = refused(user_count, "password_too_weak", "password", password=password)
    assert "10" in problem.to_dict()["message"]["vi"]


def test_an_overlong_password_is_refused(session, user_count):
    refused(user_count, "validation_failed", "password", password="x" * 201)


@pytest.mark.parametrize("admin_unit, unit", [("06529", "05977"), ("06529", "20"), ("20", "01273"),
                                              ("20", "T-04-01")])
def test_an_admin_cannot_create_a_user_outside_their_area(session, user_count, make_user, admin_unit, unit):
    admin = make_user("admin", admin_unit)
    role = {"20": "officer"}.get(unit, "enumerator" if unit.startswith("T") else "supervisor")
    problem = refused(user_count, "out_of_scope", "unit", actor=admin, role=role, unit_code=unit)
    assert unit in problem.to_dict()["message"]["en"]


def test_an_admin_creates_users_in_their_area_and_is_recorded(session, make_user, events):
    admin = make_user("admin", "06529")
    user = create(admin, role="enumerator", unit_code="T-06529-02", must_change_password=True)
    assert user.must_change_password
    [event] = events("user_created")
    assert (event.actor_id, event.actor_name) == (admin.id, admin.username)


def test_update_user_changes_role_area_and_name_and_is_audited(session, make_user, events):
    admin, user = make_user("admin", "20"), make_user("enumerator", "T-06529-01")
    ops.update_user(admin, user, full_name=" Trần  Văn Nam ", role="supervisor", unit_code="05977",
                    is_enabled=True)
    assert (user.full_name, user.role, user.unit_code) == ("Trần Văn Nam", "supervisor", "05977")
    [event] = events("user_updated")
    assert event.actor_id == admin.id and event.target_id == str(user.id)
    assert event.detail["before"]["role"] == "enumerator" and event.detail["after"]["unit_code"] == "05977"


def test_update_user_refuses_an_area_outside_the_admins(session, make_user):
    admin, user = make_user("admin", "06529"), make_user("enumerator", "T-06529-01")
    with pytest.raises(Problem) as info:
        ops.update_user(admin, user, full_name="X", role="supervisor", unit_code="05977", is_enabled=True)
    assert info.value.code == "out_of_scope" and info.value.fields[0]["path"] == "unit"
    assert user.unit_code == "T-06529-01"


def test_update_user_refuses_a_role_at_the_wrong_level(session, make_user):
    admin, user = make_user("admin", "20"), make_user("enumerator", "T-06529-01")
    with pytest.raises(Problem) as info:
        ops.update_user(admin, user, full_name="X", role="officer", unit_code="06529", is_enabled=True)
    assert info.value.code == "role_scope_mismatch"


def test_disabling_a_user_revokes_their_tokens(session, make_user):
    admin, user = make_user("admin", "20"), make_user("enumerator", "T-06529-01")
    token, row = ops.issue_token(user)
    ops.update_user(admin, user, full_name=user.full_name, role=user.role, unit_code=user.unit_code,
                    is_enabled=False)
    assert row.revoked_at is not None
    assert ops.user_for_token(token) is None


@pytest.mark.parametrize("change", [{"is_enabled": False}, {"role": "officer"}])
def test_an_admin_cannot_lock_themselves_out(session, make_user, change):
    admin = make_user("admin", "20")
    args = dict(full_name="Quản trị", role="admin", unit_code="20", is_enabled=True)
    with pytest.raises(Problem) as info:
        ops.update_user(admin, admin, **{**args, **change})
    assert info.value.code == "validation_failed"
    assert (admin.role, admin.is_enabled) == ("admin", True)


def test_set_password_replaces_the_hash_sets_the_flag_and_is_audited(session, make_user, events):
    admin, user = make_user("admin", "20"), make_user("enumerator", "T-06529-01")
    ops.set_password(admin, user, NEW_PASSWORD, must_change=True)
    assert check_password_hash(user.password_hash, NEW_PASSWORD)
    assert not check_password_hash(user.password_hash, TEST_PASSWORD)
    assert user.must_change_password
    ops.set_password(user, user, NEW_PASSWORD + "2")
    assert not user.must_change_password
    assert [e.actor_id for e in events("password_changed")] == [admin.id, user.id]


def test_set_password_refuses_a_short_one(session, make_user):
    user = make_user("enumerator", "T-06529-01")
    with pytest.raises(Problem) as info:
        ops.set_password(user, user, "short")
    assert info.value.code == "password_too_weak"
    assert check_password_hash(user.password_hash, TEST_PASSWORD)


def test_a_token_is_stored_only_as_its_hash(session, make_user):
    user = make_user("enumerator", "T-06529-01")
    token, row = ops.issue_token(user, label="Điện thoại Lan")
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert ops.user_for_token(token) == (user, row)
    assert ops.user_for_token(token + "x") is None
    assert session.get(ApiToken, row.id).label == "Điện thoại Lan"
