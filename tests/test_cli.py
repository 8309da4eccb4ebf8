"""Command-line tasks: create-user, bootstrap-admin, load-places, imports, load-demo."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from server.accounts import operations as ops
from server.accounts.models import User
from server.audit.models import AuditEvent
from server.core.roles import WEB_ROLES
from server.core.scoping import unscoped
from server.places.models import CommuneMapping, Unit, UnitHouseholdCount

PASSWORD = "cli-password-123"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Hash new passwords with scrypt at a low cost, so tests stay fast."""
    monkeypatch.setattr(ops, "generate_password_hash",
                        lambda password, method="scrypt", salt_length=16:
                        generate_password_hash(password, method="scrypt:1024:8:1", salt_length=salt_length))


@pytest.fixture
def run(app, session):
    """Factory: run(*args, env=None, input=None) → the click result of `flask --app server <args>`."""
    runner = app.test_cli_runner()

    def invoke(*args, env=None, input=None):
        return runner.invoke(args=list(args), env=env, input=input)

    return invoke


def user_named(session, username: str) -> User | None:
    """The user with this username, read afresh."""
    session.expire_all()
    return session.execute(unscoped(select(User).where(User.username == username), "test")).scalar_one_or_none()


def count(session, model, *where) -> int:
    """Rows of a model matching conditions."""
    stmt = select(func.count()).select_from(model).where(*where)
    return session.execute(unscoped(stmt, "test")).scalar_one()


def test_create_user_takes_the_password_from_the_environment(run, session):
    result = run("create-user", "Lan.Nguyen", "--role", "supervisor", "--unit", "06529", "--name", "Nguyễn Thị Lan",
                 env={"RASOAT_NEW_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "lan.nguyen" in result.output
    user = user_named(session, "lan.nguyen")
    assert (user.role, user.unit_code, user.full_name, user.must_change_password) == \
        ("supervisor", "06529", "Nguyễn Thị Lan", False)
    assert check_password_hash(user.password_hash, PASSWORD)


def test_create_user_prompts_for_the_password(run, session):
    result = run("create-user", "nam", "--role", "enumerator", "--unit", "T-06529-01",
                 env={"RASOAT_NEW_PASSWORD": ""}, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert check_password_hash(user_named(session, "nam").password_hash, PASSWORD)


@pytest.mark.parametrize("args, vi, en", [
    (["--role", "supervisor", "--unit", "99999"], "Không có đơn vị mã 99999.", "There is no unit with code 99999."),
    (["--role", "officer", "--unit", "06529"], "không thể gán cho đơn vị cấp xã", "cannot be assigned"),
])
def test_create_user_with_a_bad_unit_fails_with_a_bilingual_message(run, session, args, vi, en):
    before = count(session, User)
    result = run("create-user", "lan", *args, env={"RASOAT_NEW_PASSWORD": PASSWORD})
    assert result.exit_code == 1
    assert vi in result.stderr and en in result.stderr
    assert count(session, User) == before


def test_create_user_refuses_a_short_password_and_a_taken_name(run, session, make_user):
    make_user("supervisor", "06529", username="lan")
    result = run("create-user", "nam", "--role", "officer", "--unit", "20", env={"RASOAT_NEW_PASSWORD": "short"})
    assert result.exit_code == 1 and "10" in result.stderr
    result = run("create-user", "LAN", "--role", "officer", "--unit", "20", env={"RASOAT_NEW_PASSWORD": PASSWORD})
    assert result.exit_code == 1
    assert "đã có người dùng" in result.stderr and "already taken" in result.stderr
    assert user_named(session, "nam") is None


def test_create_user_refuses_an_unknown_role(run, session):
    result = run("create-user", "lan", "--role", "boss", "--unit", "20", env={"RASOAT_NEW_PASSWORD": PASSWORD})
    assert result.exit_code == 2 and user_named(session, "lan") is None


def test_bootstrap_admin_creates_admin_once_with_a_one_time_password(run, session):
    result = run("bootstrap-admin")
    assert result.exit_code == 0, result.output
    password = re.search(r"mật khẩu dùng một lần: (\S+)", result.output).group(1)
    admin = user_named(session, "admin")
    assert (admin.role, admin.unit_code, admin.must_change_password) == ("admin", "20", True)
    assert check_password_hash(admin.password_hash, password)
    again = run("bootstrap-admin")
    assert again.exit_code == 0
    assert "An administrator exists" in again.output and "Đã có quản trị viên" in again.output
    assert password not in again.output
    assert count(session, User, User.role == "admin") == 1


def test_bootstrap_admin_leaves_an_existing_admin_alone(run, session, make_user):
    make_user("admin", "20", username="quantri")
    assert "An administrator exists" in run("bootstrap-admin").output
    assert user_named(session, "admin") is None


def test_bootstrap_admin_does_not_count_a_disabled_admin(run, session, make_user):
    make_user("admin", "20", username="old.admin", is_enabled=False)
    assert run("bootstrap-admin").exit_code == 0
    assert user_named(session, "admin").is_enabled


def test_bootstrap_admin_fails_cleanly_when_the_name_is_taken(run, session, make_user):
    make_user("officer", "20", username="admin")
    result = run("bootstrap-admin")
    assert result.exit_code == 1
    assert "admin" in result.stderr and "already taken" in result.stderr


def test_load_places_is_idempotent_and_audited(run, session):
    result = run("load-places", "--province", "20")
    assert result.exit_code == 0, result.output
    assert "0 created, 66 updated" in result.output
    assert count(session, Unit, Unit.level == "commune", Unit.province_code == "20") == 65
    assert count(session, AuditEvent, AuditEvent.action == "load_places") == 1


def test_load_places_refuses_an_unknown_province(run, session):
    result = run("load-places", "--province", "99")
    assert result.exit_code == 1
    assert "99" in result.stderr and "There is no unit" in result.stderr


def test_import_villages_from_a_file(run, session, tmp_path):
    path = tmp_path / "villages.csv"
    path.write_bytes("commune_code;village_code;name;households_2025\r\n6529;CLI-1;Thôn Một;12\r\n"
                     .encode("utf-8-sig"))
    result = run("import-villages", str(path))
    assert result.exit_code == 0, result.output
    assert "1 rows, 1 created" in result.output
    assert session.get(Unit, "CLI-1").parent_code == "06529"
    assert session.get(UnitHouseholdCount, ("CLI-1", 2025)).households == 12
    [event] = session.execute(unscoped(select(AuditEvent).where(AuditEvent.action == "import_villages"), "t")
                              ).scalars().all()
    assert event.detail["file"] == "villages.csv" and event.actor_name == "cli"


def test_import_villages_with_a_bad_row_writes_nothing(run, session, tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("commune_code,village_code,name\n06529,CLI-1,Thôn Một\n06529,CLI-2,Thôn Hai\n06529,CLI-3,\n",
                    encoding="utf-8")
    before = count(session, Unit)
    result = run("import-villages", str(path))
    assert result.exit_code == 1
    assert "Dòng 4, cột name" in result.stderr and "Row 4, column name" in result.stderr
    assert count(session, Unit) == before and session.get(Unit, "CLI-1") is None


def test_import_commune_mapping_from_a_file(run, session, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("old_code,old_name,new_code\n06532,TT Lộc Bình,06529\n", encoding="utf-8")
    bad.write_text("old_code,old_name,new_code\n06535,Xã Khánh Xuân,06529\n6538,Xã Cũ,77777\n", encoding="utf-8")
    assert run("import-commune-mapping", str(good)).exit_code == 0
    result = run("import-commune-mapping", str(bad))
    assert result.exit_code == 1 and "Row 3, column new_code" in result.stderr
    assert session.execute(select(CommuneMapping.old_code)).scalars().all() == ["06532"]


def test_import_of_a_missing_file_fails(run, session, tmp_path):
    assert run("import-villages", str(tmp_path / "missing.csv")).exit_code == 2


def test_demo_data_is_not_in_a_fresh_database(session):
    assert count(session, Unit, Unit.name.like("DEMO%")) == 0
    assert count(session, User, User.username.like("demo-%")) == 0


def test_load_demo_creates_labelled_villages_and_one_user_per_role(run, session):
    result = run("load-demo")
    assert result.exit_code == 0, result.output
    villages = session.execute(select(Unit).where(Unit.name.like("DEMO%"))).scalars().all()
    assert len(villages) == 3
    assert all(v.level == "village" and v.name.startswith("DEMO ") and v.parent_code == "06529" for v in villages)
    users = session.execute(unscoped(select(User).where(User.username.like("demo-%")), "t")).scalars().all()
    assert {u.role for u in users} == set(WEB_ROLES)  # and one enumerator per demo village
    assert sorted(u.unit_code for u in users if u.role == "enumerator") == [v.code for v in sorted(
        villages, key=lambda v: v.code)]
    for user in users:
        password = re.search(rf"{re.escape(user.username)}\s+\S+\s+\S+\s+(\S+)", result.output).group(1)
        assert check_password_hash(user.password_hash, password)
        assert user.full_name.startswith("DEMO ")
    assert run("load-demo").exit_code == 0
    assert count(session, User, User.username.like("demo-%")) == 6
    assert count(session, Unit, Unit.name.like("DEMO%")) == 3
