"""Administrators manage the users of their area in the UI; every change is audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from server.accounts.models import User
from server.core.scoping import unscoped
from live_db import TEST_PASSWORD

NEW = {"username": "Lan.Nguyen", "full_name": "Nguyễn Thị Lan", "role": "supervisor", "unit_code": "06529",
       "password": "one-time-password", "is_enabled": "y"}


def by_name(session, username: str) -> User | None:
    """The user with this username, read afresh."""
    session.expire_all()
    return session.execute(unscoped(select(User).where(User.username == username), "test")).scalar_one_or_none()


def edit_data(user: User, **changes) -> dict:
    """The edit form as the page would post it, with changes."""
    data = {"username": user.username, "full_name": user.full_name, "role": user.role, "unit_code": user.unit_code,
            "password": "", "is_enabled": "y" if user.is_enabled else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def commune_admin(make_user, login):
    """An administrator of Xã Lộc Bình (06529), signed in."""
    return login(make_user("admin", "06529", username="admin.locbinh"))


def test_the_list_shows_only_users_in_the_admins_area(client, make_user, commune_admin):
    make_user("enumerator", "T-06529-02", username="in.village")
    make_user("supervisor", "06529", username="in.commune")
    make_user("supervisor", "05977", username="other.commune")
    make_user("officer", "20", username="province.officer")
    make_user("supervisor", "01273", username="cao.bang")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "in.village" in page and "in.commune" in page and "admin.locbinh" in page
    assert "other.commune" not in page and "province.officer" not in page and "cao.bang" not in page


def test_names_holding_a_right_to_left_override_reverse_only_themselves(client, session, make_user, commune_admin):
    from bidi_text import hostile, overrides_running_on
    from server.places.models import Unit

    session.get(Unit, "06529").name = hostile("Xã Lộc Bình")  # imported from a CSV before such text was refused
    lan = make_user("supervisor", "06529", username=hostile("lan"), full_name=hostile("Nguyễn Thị Lan"))
    for url in ("/admin/users", f"/admin/users/{lan.id}", "/account"):
        page = client.get(url).get_data(as_text=True)
        assert "\u202e" in page and overrides_running_on(page) == [], url
    # A sentence the page flashes after a step isolates the name too.
    page = client.post(f"/admin/users/{lan.id}/lock", follow_redirects=True).get_data(as_text=True)
    assert f"<bdi>{hostile('lan')}</bdi>" in page and overrides_running_on(page) == []


def test_a_province_admin_does_not_see_another_provinces_users(client, make_user, login):
    login(make_user("admin", "20"))
    make_user("supervisor", "01273", username="cao.bang")
    make_user("supervisor", "05977", username="dong.kinh")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "dong.kinh" in page and "cao.bang" not in page


def test_creating_a_user_forces_a_password_change_and_is_audited(client, session, commune_admin, events):
    assert client.get("/admin/users/new").status_code == 200
    resp = client.post("/admin/users/new", data=NEW)
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users"
    user = by_name(session, "lan.nguyen")
    assert (user.role, user.unit_code, user.must_change_password, user.is_enabled) == \
        ("supervisor", "06529", True, True)
    assert check_password_hash(user.password_hash, "one-time-password")
    [event] = events("user_created")
    assert (event.actor_id, event.target_id) == (commune_admin.id, str(user.id))


def test_a_user_created_unticked_is_disabled(client, session, commune_admin):
    data = {k: v for k, v in NEW.items() if k != "is_enabled"}
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert by_name(session, "lan.nguyen").is_enabled is False


@pytest.mark.parametrize("changes, message", [
    ({"username": "IN.USE"}, "Đã có người dùng."),
    ({"unit_code": "05977"}, "05977 nằm ngoài địa bàn"),
    ({"unit_code": "99999"}, "Không có đơn vị mã 99999."),
    ({"role": "supervisor", "unit_code": "T-06529-01"}, "vai trò cán bộ giảm nghèo xã cần đơn vị cấp xã/phường"),
    ({"role": "officer"}, "vai trò cán bộ cấp tỉnh cần đơn vị cấp tỉnh"),
    ({"password": "short"}, None),
    ({"password": ""}, None),
    ({"username": "lan nguyen"}, None),
    ({"role": "boss"}, None),
])
def test_a_bad_new_user_is_refused_on_the_page_and_nothing_is_written(client, session, make_user, commune_admin,
                                                                       events, user_count, changes, message):
    make_user("enumerator", "T-06529-01", username="in.use")
    before = user_count()
    resp = client.post("/admin/users/new", data={**NEW, **changes})
    assert resp.status_code == 422
    assert 'aria-invalid="true"' in resp.get_data(as_text=True)
    if message:
        assert message in resp.get_data(as_text=True)
    assert user_count() == before and events("user_created") == []


def test_a_control_character_in_a_new_users_name_is_said_at_the_field(client, commune_admin, events, user_count):
    before = user_count()
    resp = client.post("/admin/users/new", data={**NEW, "full_name": "Nguyễn Thị\x1b Lan"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and '<form method="post" novalidate>' in text
    assert re.search(r'id="full_name"[^>]*value="Nguyễn Thị\ufffd Lan">\s*<ul class="errors"><li>'
                     r'Có ký tự điều khiển \(không in được\) trong chữ; hãy gõ lại.</li></ul>', text)
    assert 'value="Lan.Nguyen"' in text and 'aria-invalid="false" id="username"' in text  # the rest as typed
    assert user_count() == before and events("user_created") == []


def test_editing_without_a_password_keeps_it(client, session, make_user, commune_admin, events):
    user = make_user("enumerator", "T-06529-01", username="nam")
    assert client.get(f"/admin/users/{user.id}").status_code == 200
    resp = client.post(f"/admin/users/{user.id}", data=edit_data(user, full_name="Hoàng Văn Nam",
                                                                 unit_code="T-06529-02"))
    assert resp.status_code == 302
    user = by_name(session, "nam")
    assert (user.full_name, user.unit_code, user.must_change_password) == ("Hoàng Văn Nam", "T-06529-02", False)
    assert check_password_hash(user.password_hash, TEST_PASSWORD)
    [event] = events("user_updated")
    assert event.detail["before"]["unit_code"] == "T-06529-01" and event.detail["after"]["unit_code"] == "T-06529-02"
    assert events("password_changed") == []


def test_resetting_a_password_forces_a_change_and_is_audited(client, session, make_user, commune_admin, events):
    user = make_user("enumerator", "T-06529-01", username="nam")
    resp = client.post(f"/admin/users/{user.id}", data=edit_data(user, password="reset-password-1"))
    assert resp.status_code == 302
    user = by_name(session, "nam")
    assert user.must_change_password and check_password_hash(user.password_hash, "reset-password-1")
    assert [e.actor_id for e in events("password_changed")] == [commune_admin.id]


def test_disabling_a_user_is_audited(client, session, make_user, commune_admin, events):
    user = make_user("enumerator", "T-06529-01", username="nam")
    assert client.post(f"/admin/users/{user.id}", data=edit_data(user, is_enabled="")).status_code == 302
    assert by_name(session, "nam").is_enabled is False
    assert events("user_updated")[0].detail["after"]["is_enabled"] is False


@pytest.mark.parametrize("changes", [{"unit_code": "05977", "role": "supervisor"}, {"password": "short"},
                                     {"role": "officer"}])
def test_a_bad_edit_is_refused_and_nothing_is_written(client, session, make_user, commune_admin, events, changes):
    user = make_user("enumerator", "T-06529-01", username="nam")
    resp = client.post(f"/admin/users/{user.id}", data=edit_data(user, full_name="Tên Mới", **changes))
    assert resp.status_code == 422
    user = by_name(session, "nam")
    assert (user.full_name, user.unit_code, user.role) == ("Người Thử", "T-06529-01", "enumerator")
    assert events("user_updated") == [] and events("password_changed") == []


def test_an_admin_cannot_disable_themselves(client, session, commune_admin):
    resp = client.post(f"/admin/users/{commune_admin.id}", data=edit_data(commune_admin, is_enabled=""))
    assert resp.status_code == 422
    assert by_name(session, "admin.locbinh").is_enabled


def test_an_admin_cannot_see_or_edit_a_user_of_another_commune(client, session, make_user, commune_admin):
    other = make_user("supervisor", "05977", username="dong.kinh")
    url, data = f"/admin/users/{other.id}", edit_data(other, is_enabled="", full_name="Đổi")
    assert client.get(url).status_code == 404
    assert client.post(url, data=data).status_code == 404
    other = by_name(session, "dong.kinh")
    assert other.is_enabled and other.full_name == "Người Thử"


def test_an_admin_cannot_move_a_user_out_of_their_area(client, session, make_user, commune_admin):
    user = make_user("supervisor", "06529", username="lan")
    resp = client.post(f"/admin/users/{user.id}", data=edit_data(user, unit_code="05977"))
    assert resp.status_code == 422
    assert by_name(session, "lan").unit_code == "06529"


@pytest.mark.parametrize("role, unit", [("officer", "20"), ("supervisor", "06529"), ("enumerator", "T-06529-01")])
def test_only_administrators_manage_users(client, make_user, login, role, unit):
    target = make_user("enumerator", "T-06529-02")
    url, data = f"/admin/users/{target.id}", edit_data(target, is_enabled="")
    login(make_user(role, unit))
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    assert client.post("/admin/users/new", data=NEW).status_code == 403
    assert client.post(url, data=data).status_code == 403


def test_anonymous_visitors_are_sent_to_login(session, client):
    resp = client.get("/admin/users")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_form_errors_come_from_our_catalogue_not_wtforms_english(client, commune_admin):
    client.set_cookie("lang", "en")
    resp = client.post("/admin/users/new", data={"username": "ab", "role": "boss", "password": "short"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and page.count('aria-invalid="true"') == 5
    assert "Field must be" not in page and "Not a valid choice" not in page
    for ours in ("Between 3 and 64 characters.", "Choose one of the listed roles.", "Between 10 and 200 characters."):
        assert ours in page
