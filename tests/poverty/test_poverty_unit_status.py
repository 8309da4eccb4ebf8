"""Indicative village and commune status under QĐ 33/2020 and, provisionally, NĐ 272/2025."""
import json

import pytest

from server.poverty import FiguresInvalid, RuleSetError, unit_status
from server.poverty.unit_status import AREA_STATUS_DIR, load_area_criteria


def village(**figures):
    base = {"households": 200, "poor_households": 0, "dtts_households": 180, "poor_dtts_households": 0,
            "has_road_to_centre": True, "road_impassable_in_rainy_season": False, "has_national_grid": True,
            "households_off_grid": 0}
    base.update(figures)
    return unit_status(base, level="village", year=2025)


def commune(**figures):
    base = {"households": 1000, "poor_households": 50, "dtts_households": 900, "poor_dtts_households": 40,
            "ntm_certified": False, "dtts_people_15_60": 2000, "dtts_people_15_60_illiterate": 0, "workers": 2000,
            "workers_untrained": 0, "road_km_from_district_centre": 5, "road_unpaved_pct": 0}
    base.update(figures)
    return unit_status(base, level="commune", year=2025)


def test_result_is_indicative_and_cites_its_criteria():
    result = village(poor_households=40)
    assert result["indicative"] is True and result["criteria"] == "qd-33-2020" and not result["provisional"]
    assert result["status"] == "dbkk" and result["label"]["vi"] == "Thôn đặc biệt khó khăn"
    for reason in result["reasons"]:
        assert reason["vi"] and reason["en"] and reason["tag"] in "CPU" and reason["source"]


def test_in_scope_from_fifteen_percent_dtts_households():
    assert village(dtts_households=30)["status"] != "out_of_scope"  # 15% of 200
    out = village(dtts_households=29, poor_households=100, poor_dtts_households=20)
    assert out["status"] == "out_of_scope" and out["reasons"][0]["criterion"] == "dtts_households_pct_at_least"


def test_village_poverty_rate_twenty_percent_exactly_is_dbkk():
    assert village(poor_households=40)["status"] == "dbkk"
    assert village(poor_households=39)["status"] == "not_dbkk"


@pytest.mark.parametrize("extra, status", [
    ({"poor_dtts_households": 19}, "dbkk"),      # 63% of 30 poor households are DTTS: above 60%
    ({"poor_dtts_households": 18}, "not_dbkk"),  # exactly 60%: not above
    ({"has_road_to_centre": False}, "dbkk"),
    ({"road_impassable_in_rainy_season": True}, "dbkk"),
    ({"has_national_grid": False}, "dbkk"),
    ({"households_off_grid": 61}, "dbkk"),       # 30.5%
    ({"households_off_grid": 60}, "not_dbkk"),   # exactly 30%
])
def test_village_fifteen_to_twenty_percent_needs_one_more_criterion(extra, status):
    result = village(poor_households=30, **extra)  # 15%
    assert result["status"] == status
    assert village(poor_households=29, **dict(extra, poor_dtts_households=min(extra.get(
        "poor_dtts_households", 0), 29)))["status"] == "not_dbkk"


def test_missing_figure_leaves_status_undetermined_and_names_it():
    result = unit_status({"households": 200, "poor_households": 30, "dtts_households": 180,
                          "poor_dtts_households": 0}, level="village", year=2025)
    assert result["status"] == "undetermined"
    assert result["missing"] == ["has_national_grid", "has_road_to_centre", "households_off_grid",
                                 "road_impassable_in_rainy_season"]


def test_commune_areas():
    assert commune(poor_households=99)["status"] == "kv1"              # below 10%
    assert commune(poor_households=500, ntm_certified=True)["status"] == "kv1"
    assert commune(poor_households=100)["status"] == "kv2"
    assert commune(poor_households=200)["status"] == "kv3"             # 20%
    assert commune(poor_households=150, poor_dtts_households=91)["status"] == "kv3"
    assert commune(poor_households=150, dtts_people_15_60_illiterate=400)["status"] == "kv3"
    assert commune(poor_households=150, workers_untrained=1601)["status"] == "kv3"
    assert commune(poor_households=150, workers_untrained=1600)["status"] == "kv2"
    assert commune(poor_households=150, road_km_from_district_centre=21, road_unpaved_pct=51)["status"] == "kv3"
    assert commune(poor_households=150, road_km_from_district_centre=21, road_unpaved_pct=50)["status"] == "kv2"


def test_commune_without_ntm_figure_is_undetermined():
    figures = {"households": 1000, "poor_households": 300, "dtts_households": 900}
    result = unit_status(figures, level="commune", criteria="qd-33-2020")
    assert result["status"] == "undetermined" and "ntm_certified" in result["missing"]


def test_nd_272_is_provisional_and_undetermined_where_its_third_criterion_decides():
    base = {"households": 100, "dtts_households": 50, "poor_households": 10, "near_poor_households": 10,
            "national_multidim_poverty_rate_pct": 5, "village_roads_hardened_pct": 80}
    both = unit_status(dict(base, village_roads_hardened_pct=40), level="village", year=2026)
    assert both["provisional"] and both["criteria"] == "nd-272-2025" and both["status"] == "dbkk"
    one = unit_status(base, level="village", year=2026)
    assert one["status"] == "undetermined"
    assert any(r["criterion"] == "unconfirmed" for r in one["reasons"])
    neither = unit_status(dict(base, poor_households=1, near_poor_households=1), level="village", year=2026)
    assert neither["status"] == "not_dbkk"
    assert unit_status(base, level="commune", year=2026)["status"] == "undetermined"


@pytest.mark.parametrize("figures, path", [
    ({"households": 10, "poor_households": 11}, "poor_households"),
    ({"households": 0}, "households"),
    ({"households": 10, "poor_households": -1}, "poor_households"),
    ({"households": 10, "has_national_grid": "yes"}, "has_national_grid"),
    ({"households": 10, "village_roads_hardened_pct": 101}, "village_roads_hardened_pct"),
    ({"households": 10, "colour": 1}, "colour"),
])
def test_bad_figures_are_named(figures, path):
    with pytest.raises(FiguresInvalid) as e:
        unit_status(figures, level="village", year=2025)
    assert [x["path"] for x in e.value.errors] == [path]


def test_criteria_files_are_checked(tmp_path):
    for path in AREA_STATUS_DIR.glob("*.json"):
        assert load_area_criteria(path.stem)["name"] == path.stem
    data = json.loads((AREA_STATUS_DIR / "qd-33-2020.json").read_text(encoding="utf-8"))
    data["levels"]["village"]["classes"][0]["when"]["any_of"][0].pop("value")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleSetError) as e:
        load_area_criteria(str(bad))
    assert e.value.key == "levels.village.classes[0].when.any_of[0].value"
