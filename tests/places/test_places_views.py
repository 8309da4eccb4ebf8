"""Places pages and API: communes and villages in the user's area, the administrator's import page."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.core.scoping import unscoped
from server.places.models import CommuneMapping, Unit

VILLAGES = "commune_code,village_code,name,households_2025\n06529,LB-V1,Thôn Một,10\n06529,LB-V2,Thôn Hai,20\n"
BAD_LAST = VILLAGES + "99999,LB-V3,Thôn Ba,30\n"


def upload(client, kind: str, data: str | bytes, filename: str = "villages.csv", **kw):
    """POST a file to the import page."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return client.post("/admin/places/import", data={"kind": kind, "file": (io.BytesIO(raw), filename)},
                       content_type="multipart/form-data", **kw)


@pytest.fixture
def admin(make_user, login):
    """A provincial administrator of Lạng Sơn, signed in."""
    return login(make_user("admin", "20"))


def test_import_page_imports_a_good_file_and_audits_it(client, session, admin):
    resp = upload(client, "villages", VILLAGES)
    assert resp.status_code == 302
    assert session.get(Unit, "LB-V1").name == "Thôn Một"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    flash = re.search(r'<p class="flash[^"]*" role="status">([^<]*)</p>', page).group(1)
    assert "2" in flash
    event = session.execute(unscoped(select(AuditEvent).where(AuditEvent.action == "import_villages"), "test")
                            ).scalar_one()
    assert (event.actor_id, event.unit_code, event.detail["rows"], event.detail["file"]) == \
        (admin.id, "20", 2, "villages.csv")


def test_import_page_shows_row_errors_in_vietnamese_and_writes_nothing(client, session, admin, counts):
    before = counts()
    resp = upload(client, "villages", BAD_LAST)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Dòng 4, cột commune_code: không có xã/phường mã &#39;99999&#39;." in page
    assert counts() == before and session.get(Unit, "LB-V1") is None
    assert not session.execute(unscoped(select(AuditEvent).where(AuditEvent.action == "import_villages"), "t")).all()


def test_import_page_shows_errors_in_english_when_chosen(client, admin):
    client.set_cookie("lang", "en")
    page = upload(client, "villages", BAD_LAST).get_data(as_text=True)
    assert "Row 4, column commune_code: there is no commune &#39;99999&#39;." in page


def test_import_page_refuses_a_bad_mapping_file(client, session, admin):
    data = "old_code,old_name,new_code\n06532,TT Lộc Bình,06529\n06535,Xã Khánh Xuân,88888\n"
    resp = upload(client, "mapping", data, filename="mapping.csv")
    assert resp.status_code == 422
    assert "Dòng 3, cột new_code" in resp.get_data(as_text=True)
    assert session.execute(select(CommuneMapping)).first() is None


def test_import_page_imports_a_mapping(client, session, admin):
    resp = upload(client, "mapping", "old_code;old_name;new_code\r\n06532;TT Lộc Bình;06529\r\n".encode("utf-8-sig"))
    assert resp.status_code == 302
    assert session.execute(select(CommuneMapping.new_code)).scalars().all() == ["06529"]


def test_import_page_refuses_a_non_utf8_file(client, admin, counts):
    before = counts()
    resp = upload(client, "villages", "commune_code,village_code,name\n06529,X,Thôn Nà\n".encode("cp1252"))
    assert resp.status_code == 422 and "UTF-8" in resp.get_data(as_text=True)
    assert counts() == before


def test_import_page_without_a_file_asks_for_one(client, admin, counts):
    before = counts()
    resp = client.post("/admin/places/import", data={"kind": "villages"}, content_type="multipart/form-data")
    assert resp.status_code == 200
    assert counts() == before


def test_a_commune_admin_cannot_import_into_another_commune(client, session, make_user, login, counts):
    login(make_user("admin", "06529"))
    before = counts()
    resp = upload(client, "villages", "commune_code,village_code,name\n06529,LB-V1,Một\n05977,DK-V1,Hai\n")
    assert resp.status_code == 422
    assert "Dòng 3, cột commune_code: xã/phường 05977 nằm ngoài địa bàn" in resp.get_data(as_text=True)
    assert counts() == before
    resp = upload(client, "mapping", "old_code,old_name,new_code\n06001,Xã Cũ,05977\n")
    assert resp.status_code == 422 and "Dòng 2, cột new_code" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role, unit", [("officer", "20"), ("supervisor", "06529"), ("enumerator", "T-06529-01")])
def test_only_administrators_may_import(client, make_user, login, role, unit, counts):
    login(make_user(role, unit))
    before = counts()
    assert client.get("/admin/places/import").status_code == 403
    assert upload(client, "villages", VILLAGES).status_code == 403
    assert counts() == before


def test_communes_page_lists_the_province_not_others(client, make_user, login):
    login(make_user("officer", "20"))
    page = client.get("/places").get_data(as_text=True)
    assert page.count('href="/places/0') == 65
    assert "Xã Lộc Bình" in page and "Phường Thục Phán" not in page


def test_a_commune_admin_sees_only_their_commune(client, make_user, login):
    login(make_user("admin", "06529"))
    page = client.get("/places").get_data(as_text=True)
    assert "Xã Lộc Bình" in page and "Phường Đông Kinh" not in page


def test_a_supervisor_sees_their_commune_and_its_villages_only(client, make_user, login):
    login(make_user("supervisor", "06529"))
    page = client.get("/places/06529").get_data(as_text=True)
    assert "Thôn Thử Nghiệm Một" in page and "Thôn Thử Nghiệm Hai" in page and "100 (2025)" in page
    assert client.get("/places/05977").status_code == 403
    assert client.get("/places/T-05977-01").status_code == 403
    assert client.get("/places").status_code == 403


def test_an_enumerator_sees_their_village_only(client, make_user, login):
    login(make_user("enumerator", "T-06529-01"))
    resp = client.get("/my-area")
    assert resp.status_code == 200 and "Thôn Thử Nghiệm Một" in resp.get_data(as_text=True)
    assert client.get("/places/T-06529-02").status_code == 403
    assert client.get("/places/06529").status_code == 403


def test_places_api_lists_the_callers_area(client, make_user, bearer):
    headers = bearer(make_user("supervisor", "06529"))
    units = client.get("/api/v1/places", headers=headers).get_json()["units"]
    assert {u["code"] for u in units} == {"06529", "T-06529-01", "T-06529-02"}
    commune = next(u for u in units if u["code"] == "06529")
    assert (commune["level"], commune["area"], commune["parent_code"]) == ("commune", "rural", "20")


def test_places_api_ignores_the_session_cookie(client, make_user, login):
    login(make_user("officer", "20"))
    resp = client.get("/api/v1/places")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthenticated"
