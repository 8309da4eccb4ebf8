"""GET /api/v1/rule-sets[/NAME]: public, complete for the phone's engine, with a content ETag; point tables."""
from __future__ import annotations

import json
import shutil

import pytest
from js_engine import node_or_skip, run_engine
from poverty_records import FIXTURES, base_record, result_of

from server.poverty import load_rule_set, rule_set_names
from server.surveys import rule_sets

@pytest.fixture
def anonymous(app, session):
    """A client with no session and no token (the conftest client, used before any login)."""
    return app.test_client()


def test_the_list_names_every_rule_set_with_its_review_years_without_login(anonymous):
    resp = anonymous.get("/api/v1/rule-sets")
    assert resp.status_code == 200
    listed = resp.get_json()["rule_sets"]
    assert [r["name"] for r in listed] == rule_set_names()
    for item in listed:
        rule_set = load_rule_set(item["name"])
        assert item["review_years"] == list(range(rule_set.first_year, rule_set.last_year + 1))
        assert item["provisional"] is rule_set.provisional
        assert item["url"] == f"/api/v1/rule-sets/{item['name']}"
        assert anonymous.get(item["url"]).status_code == 200


@pytest.mark.parametrize("name", ["2022-2026", "2027-2030"])
def test_a_rule_set_document_holds_the_rule_file_phieu_a_and_commune_facts(anonymous, name):
    resp = anonymous.get(f"/api/v1/rule-sets/{name}")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    rule_set = load_rule_set(name)
    assert body["name"] == name
    assert body["rule_set"] == json.loads(json.dumps(rule_set.data))
    assert body["quick_screen"] == json.loads(json.dumps(rule_set.quick_screen.data))
    assert body["point_tables"] == []  # none is shipped (b1-points.md)
    # Lạng Sơn's communes (PROVINCE_CODE 20): a phường is urban, a xã rural, each in province 20
    assert body["communes"]["05977"] == {"division_type": "phường", "province": "20"}
    assert body["communes"]["06529"] == {"division_type": "xã", "province": "20"}
    assert {c["province"] for c in body["communes"].values()} == {"20"}
    assert "quick_screen_stopped" in body["messages"] and "vi" in body["messages"]["quick_screen_stopped"]


def test_the_etag_comes_from_the_content_and_answers_304(anonymous):
    first = anonymous.get("/api/v1/rule-sets/2022-2026")
    etag = first.headers["ETag"]
    assert etag and etag != anonymous.get("/api/v1/rule-sets/2027-2030").headers["ETag"]
    again = anonymous.get("/api/v1/rule-sets/2022-2026", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    stale = anonymous.get("/api/v1/rule-sets/2022-2026", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.get_json() == first.get_json()


@pytest.mark.parametrize("name", ["2099-2100", "..", "2022-2026.json", "quick-screen"])
def test_an_unknown_rule_set_is_a_coded_404(anonymous, name):
    resp = anonymous.get(f"/api/v1/rule-sets/{name}")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_a_point_table_an_administrator_puts_in_place_is_served_and_changes_the_etag(anonymous, tmp_path,
                                                                                     monkeypatch):
    before = anonymous.get("/api/v1/rule-sets/2022-2026")
    monkeypatch.setattr(rule_sets, "B1_POINTS_DIR", tmp_path)
    shutil.copy(FIXTURES / "b1_points_fabricated.csv", tmp_path / "2022-2026.csv")  # fabricated test data
    after = anonymous.get("/api/v1/rule-sets/2022-2026")
    assert after.headers["ETag"] != before.headers["ETag"]
    (table,) = after.get_json()["point_tables"]
    assert table["rule_set"] == "2022-2026"
    assert table["provenance"]["document"].startswith("FABRICATED TEST DATA")
    assert "loaded_by" not in table["provenance"]  # an officer's name: not published
    assert "Thành thị" in table["regions"] and "Trung du và miền núi phía Bắc" in table["regions"]
    assert {"item_code": "t_roof", "item_label": "Mái nhà (bịa)", "answer_code": "flimsy", "answer_label": "Mái tạm",
            "points": {"Trung du và miền núi phía Bắc": 10, "Đồng bằng sông Hồng": 5, "Thành thị": 20}} in table["rows"]
    # a table of another rule set is not served under this one
    assert anonymous.get("/api/v1/rule-sets/2027-2030").get_json()["point_tables"] == []


def test_the_js_engine_classifies_with_the_served_json_as_the_server_does(anonymous, tmp_path):
    node = node_or_skip()
    documents = {name: anonymous.get(f"/api/v1/rule-sets/{name}").get_json() for name in ("2022-2026", "2027-2030")}
    records = [
        ("2022-2026", base_record()),
        ("2022-2026", base_record(income={"method": "points", "b1_points": 120}, water_source="surface")),
        ("2027-2030", base_record(review_year=2027, waste_handling="dumped", internet_use=False)),
        ("2027-2030", base_record(review_year=2028, waste_handling="collected", commune_code="05977",
                                  income={"method": "actual", "annual_income_vnd": 1})),
    ]
    answers, _ = run_engine(node, documents, [{"rule_set": n, "record": r} for n, r in records])
    for (name, record), answer in zip(records, answers):
        assert answer["result"] == result_of(record, load_rule_set(name))


def test_a_broken_point_table_is_logged_and_not_used(anonymous, tmp_path, monkeypatch, caplog):
    text = (FIXTURES / "b1_points_fabricated.csv").read_text(encoding="utf-8")
    broken = text.replace("t_roof,Mái nhà (bịa),flimsy,Mái tạm,10,", "t_roof,Mái nhà (bịa),flimsy,Mái tạm,ten,")
    assert broken != text
    (tmp_path / "2022-2026.csv").write_text(broken, encoding="utf-8")
    monkeypatch.setattr(rule_sets, "B1_POINTS_DIR", tmp_path)
    with caplog.at_level("ERROR", logger="rasoat"):
        resp = anonymous.get("/api/v1/rule-sets/2022-2026")
    assert resp.status_code == 200 and resp.get_json()["point_tables"] == []
    assert "2022-2026.csv" in caplog.text and "ten" in caplog.text
