"""Ingest with a B1 point table in config/rules/b1-points/: the server scores income.b1_items as the phone does.

The table is tests/poverty/fixtures/b1_points_fabricated.csv: FABRICATED TEST DATA, invented points, no circular.
"""
from __future__ import annotations

import shutil

import pytest
from poverty_records import FIXTURES

from server.poverty import load_point_table, load_rule_set
from server.submissions.operations import reclassify
from server.surveys import rule_sets

TABLE = FIXTURES / "b1_points_fabricated.csv"
ITEMS = {"t_size": "two_three", "t_roof": "flimsy", "t_tv": "no"}
RURAL_LANG_SON = "Trung du và miền núi phía Bắc"  # the region column the 2022-2026 rule file names for province 20


@pytest.fixture
def table_loaded(tmp_path, monkeypatch):
    """An administrator has put the (fabricated) table of 2022-2026 in place; returns the total of ITEMS."""
    shutil.copy(TABLE, tmp_path / "2022-2026.csv")
    monkeypatch.setattr(rule_sets, "B1_POINTS_DIR", tmp_path)
    return load_point_table(TABLE, rule_set=load_rule_set("2022-2026")).score(ITEMS, RURAL_LANG_SON)


def test_without_a_table_b1_items_alone_are_refused_naming_the_total(post, enumerator, household):
    resp = post(household(income={"method": "points", "b1_items": ITEMS}), enumerator)
    assert resp.status_code == 422
    assert [f["path"] for f in resp.get_json()["error"]["fields"]] == ["income.b1_points"]


def test_with_a_table_the_server_computes_the_total_from_the_items(post, enumerator, household, table_loaded):
    resp = post(household(income={"method": "points", "b1_items": ITEMS}), enumerator)
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["submission"]["classification"]["b1_points"] == table_loaded
    same = post(household(income={"method": "points", "b1_items": ITEMS, "b1_points": table_loaded}), enumerator)
    assert same.status_code == 201


def test_with_a_table_a_total_that_disagrees_with_the_items_is_refused(post, enumerator, household, table_loaded):
    resp = post(household(income={"method": "points", "b1_items": ITEMS, "b1_points": table_loaded + 1}), enumerator)
    assert resp.status_code == 422
    (field,) = resp.get_json()["error"]["fields"]
    assert field["path"] == "income.b1_points" and str(table_loaded) in field["message"]["en"]


def test_reclassification_scores_the_items_with_the_same_table(session, post, enumerator, household, table_loaded):
    assert post(household(income={"method": "points", "b1_items": ITEMS}), enumerator).status_code == 201
    report = reclassify()
    assert (report["checked"], report["unchanged"], report["failed"]) == (1, 1, [])
