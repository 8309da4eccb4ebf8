"""Village and commune status: OFFICIAL (imported from the approved list, all rows or none) beside INDICATIVE
(the rule engine on the year's figures), and the units that would leave or enter ĐBKK status, with the reasons.

The pure part reads the real criteria files (config/rules/area-status/); every expected status below was worked
out by hand from those files' thresholds (QĐ 33/2020 for 2021-2025; NĐ 272/2025, provisional, for 2026-2030).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from server.core.errors import Problem
from server.indicators import status as st
from server.indicators.models import OfficialStatus

V1, V2, COMMUNE = "T-06529-01", "T-06529-02", "06529"


# --- pure ------------------------------------------------------------------------------------------------------

def test_the_criteria_follow_the_year_as_the_files_say():
    assert st.criteria_for_year(2021) == st.criteria_for_year(2025) == "qd-33-2020"
    assert st.criteria_for_year(2026) == st.criteria_for_year(2030) == "nd-272-2025"
    assert st.criteria_for_year(2031) is None


@pytest.mark.parametrize("review, external, expected", [
    # 22 % poor, 80 % DTTS households: poverty rate at least 20 % → thôn ĐBKK.
    ({"households": 100, "dtts_households": 80, "poor_households": 22}, {}, "dbkk"),
    # 12 %: below 15 %, nothing else can make it ĐBKK.
    ({"households": 100, "dtts_households": 80, "poor_households": 12}, {}, "not_dbkk"),
    # 17 %: between 15 and 20 %, and nothing known about the DTTS share of the poor, the road or the grid.
    ({"households": 100, "dtts_households": 80, "poor_households": 17}, {}, "undetermined"),
    # ... the officer entered that the village is not on the national grid: ĐBKK.
    ({"households": 100, "dtts_households": 80, "poor_households": 17}, {"has_national_grid": False}, "dbkk"),
    # 10 % DTTS households: out of scope whatever its poverty.
    ({"households": 100, "dtts_households": 10, "poor_households": 40}, {}, "out_of_scope"),
    # A census count of DTTS households wins over the surveyed ones: 20 of 100 → in scope.
    ({"households": 100, "dtts_households": 10, "poor_households": 40}, {"dtts_households": 20}, "dbkk"),
])
def test_indicative_village_status_2025(review, external, expected):
    result = st.indicative_status("village", 2025, review, external)
    assert result["status"] == expected
    assert result["indicative"] is True and result["criteria"] == "qd-33-2020"


def test_undetermined_names_the_missing_figures_and_where_figures_came_from():
    result = st.indicative_status("village", 2025, {"households": 100, "dtts_households": 80, "poor_households": 17,
                                                    "persons": 400}, {"dtts_households": 85})
    assert result["status"] == "undetermined"
    assert {"poor_dtts_households", "has_road_to_centre", "has_national_grid"} <= set(result["missing"])
    assert result["sources"] == {"households": "review", "poor_households": "review", "dtts_households": "external"}
    assert "persons" not in result["figures"]  # a key the criteria do not read is not passed to the engine


@pytest.mark.parametrize("review, external, expected", [
    # 8 % poor: khu vực I (poverty rate below 10 %), whatever NTM.
    ({"households": 1000, "dtts_households": 500, "poor_households": 80}, {}, "kv1"),
    # 25 %, not NTM certified (entered): khu vực III.
    ({"households": 1000, "dtts_households": 500, "poor_households": 250}, {"ntm_certified": False}, "kv3"),
    # 25 %, NTM certified: khu vực I.
    ({"households": 1000, "dtts_households": 500, "poor_households": 250}, {"ntm_certified": True}, "kv1"),
    # 25 % and NTM not known: KV I cannot be ruled out, so undetermined.
    ({"households": 1000, "dtts_households": 500, "poor_households": 250}, {}, "undetermined"),
    # 12 %, not NTM: neither I nor III → khu vực II.
    ({"households": 1000, "dtts_households": 500, "poor_households": 120}, {"ntm_certified": False}, "kv2"),
])
def test_indicative_commune_status_2025(review, external, expected):
    assert st.indicative_status("commune", 2025, review, external)["status"] == expected


def test_2026_uses_the_provisional_decree_and_needs_two_of_three():
    # Test figures, not the real national rate: 25 % multidimensional ≥ 4 × 5 %, and 40 % of roads hardened < 60 %.
    review = {"households": 100, "dtts_households": 60, "poor_households": 15, "near_poor_households": 10}
    two = st.indicative_status("village", 2026, review, {"national_multidim_poverty_rate_pct": 5,
                                                          "village_roads_hardened_pct": 40})
    assert (two["status"], two["criteria"], two["provisional"]) == ("dbkk", "nd-272-2025", True)
    one = st.indicative_status("village", 2026, review, {"national_multidim_poverty_rate_pct": 5})
    assert one["status"] == "undetermined"  # one met, the roads unknown, the third criterion unconfirmed


def test_inconsistent_or_missing_figures_give_undetermined_not_an_error():
    missing = st.indicative_status("village", 2025, {"households": None, "poor_households": 3}, {})
    assert missing["status"] == "undetermined" and missing["missing"] == ["households"]
    assert missing["reasons"][0]["vi"] and missing["reasons"][0]["en"]
    too_many = st.indicative_status("village", 2025, {"households": 10, "poor_households": 30}, {})
    assert too_many["status"] == "undetermined" and too_many["reasons"][0]["path"] == "poor_households"
    assert st.indicative_status("village", 2040, {"households": 10}, {})["status"] == "undetermined"


@pytest.mark.parametrize("level, official, indicative, change", [
    ("village", "dbkk", "not_dbkk", "leave"),
    ("village", "dbkk", "out_of_scope", "leave"),
    ("village", "not_dbkk", "dbkk", "enter"),
    ("village", "dbkk", "dbkk", "same"),
    ("village", "dbkk", "undetermined", "undetermined"),
    ("village", None, "dbkk", "no_official"),
    ("commune", "kv3", "kv2", "leave"),
    ("commune", "kv3", "kv1", "leave"),
    ("commune", "kv2", "kv3", "enter"),
    ("commune", "kv1", "kv2", "same"),
])
def test_leave_and_enter(level, official, indicative, change):
    result = st.compare(level, official, {"status": indicative, "reasons": [{"vi": "x", "en": "x"}]})
    assert result["change"] == change
    assert result["label"]["vi"] and result["label"]["en"]
    assert result["reasons"] == [{"vi": "x", "en": "x"}]


def test_a_class_change_inside_the_same_side_is_flagged():
    assert st.compare("commune", "kv1", {"status": "kv2"})["class_differs"] is True
    assert st.compare("commune", "kv2", {"status": "kv2"})["class_differs"] is False


# --- the import --------------------------------------------------------------------------------------------------

HEADER = ["unit_code", "status", "decision", "decision_date", "valid_from", "valid_to"]


def _csv(rows, header=HEADER, sep=","):
    return "\n".join([sep.join(header)] + [sep.join(str(r.get(c, "")) for c in header) for r in rows]) + "\n"


GOOD = [
    {"unit_code": V1, "status": "ĐBKK", "decision": "QĐ 433/QĐ-UBDT", "decision_date": "2021-06-18",
     "valid_from": "2021-06-18"},
    {"unit_code": V2, "status": "not_dbkk", "decision": "QĐ 433/QĐ-UBDT", "valid_from": "2021-06-18"},
    {"unit_code": COMMUNE, "status": "Khu vực III", "decision": "QĐ 861/QĐ-TTg", "decision_date": "2021-06-04",
     "valid_from": "2021-06-04"},
]


def _count(session):
    return session.scalar(select(func.count()).select_from(OfficialStatus))


def test_a_good_file_imports_official_statuses(session, events):
    report = st.import_statuses(_csv(GOOD).encode("utf-8-sig"), source="danh-sach-2021.csv")
    assert (report.rows, report.created, report.updated, report.closed) == (3, 3, 0, 0)
    rows = {r.unit_code: r for r in session.execute(select(OfficialStatus)).scalars()}
    assert (rows[V1].status, rows[V1].criteria, rows[V1].decision) == ("dbkk", "qd-33-2020", "QĐ 433/QĐ-UBDT")
    assert (rows[V1].decision_date, rows[V1].valid_from, rows[V1].valid_to) == (date(2021, 6, 18),
                                                                                 date(2021, 6, 18), None)
    assert (rows[COMMUNE].status, rows[V2].status) == ("kv3", "not_dbkk")
    assert (rows[V1].source, rows[V1].imported_by) == ("danh-sach-2021.csv", "cli")
    assert events("import_unit_statuses")[-1].detail["created"] == 3
    listed = {r["code"]: r for r in st.official_statuses(2025, COMMUNE)}
    assert listed[V1]["official"]["status"] == "dbkk" and listed[V1]["official"]["official"] is True
    assert listed[V1]["official"]["label"]["vi"] == "Thôn đặc biệt khó khăn"
    assert listed[COMMUNE]["official"]["label"]["en"] == "Commune area III"
    before = {r["code"]: r for r in st.official_statuses(2025, COMMUNE, on=date(2021, 6, 1))}
    assert before[V1]["official"] is None  # the day before the list came into force


def test_reimport_replaces_a_period_and_a_new_list_closes_the_old_one(session):
    st.import_statuses(_csv(GOOD), source="v1")
    again = st.import_statuses(_csv([dict(GOOD[0], decision="QĐ 433/QĐ-UBDT (đính chính)")]), source="v2")
    assert (again.created, again.updated) == (0, 1)
    assert _count(session) == 3
    new = st.import_statuses(_csv([{"unit_code": V1, "status": "not_dbkk", "decision": "QĐ 2026",
                                    "valid_from": "2026-01-29"}]), source="v3")
    assert (new.created, new.closed) == (1, 1)
    periods = session.execute(select(OfficialStatus).where(OfficialStatus.unit_code == V1)
                              .order_by(OfficialStatus.valid_from)).scalars().all()
    assert [(p.valid_from, p.valid_to, p.criteria) for p in periods] == [
        (date(2021, 6, 18), date(2026, 1, 29), "qd-33-2020"), (date(2026, 1, 29), None, "nd-272-2025")]
    assert periods[0].decision == "QĐ 433/QĐ-UBDT (đính chính)"
    assert st.official_on([V1], date(2026, 1, 28))[V1].status == "dbkk"
    assert st.official_on([V1], date(2026, 1, 29))[V1].status == "not_dbkk"


BAD = [
    ("unknown unit", {"unit_code": "NOPE"}, "unit_code"),
    ("the province", {"unit_code": "20"}, "unit_code"),
    ("a commune status for a village", {"status": "kv3"}, "status"),
    ("an unknown status", {"status": "rất khó"}, "status"),
    ("no status", {"status": ""}, "status"),
    ("no decision", {"decision": ""}, "decision"),
    ("a date as people type it", {"valid_from": "18/06/2021"}, "valid_from"),
    ("no start date", {"valid_from": ""}, "valid_from"),
    ("ends before it starts", {"valid_to": "2020-01-01"}, "valid_to"),
    ("no criteria for the year", {"valid_from": "2019-01-01"}, "valid_from"),
]


@pytest.mark.parametrize("why, change, column", BAD, ids=[b[0] for b in BAD])
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(session, why, change, column):
    data = _csv([GOOD[1], GOOD[2], dict(GOOD[0], **change)])
    with pytest.raises(Problem) as info:
        st.import_statuses(data, source="bad.csv")
    assert info.value.code == "import_invalid" and info.value.status == 422
    paths = [f["path"] for f in info.value.fields]
    assert f"row 4, {column}" in paths, paths
    for f in info.value.fields:
        assert f["message"]["vi"].startswith("Dòng 4") and f["message"]["en"].startswith("Row 4")
    assert _count(session) == 0


def test_overlapping_periods_and_repeats_are_refused(session):
    twice = _csv([GOOD[0], dict(GOOD[0], status="not_dbkk")])
    with pytest.raises(Problem) as info:
        st.import_statuses(twice, source="x")
    assert [f["path"] for f in info.value.fields] == ["row 3, valid_from"]
    st.import_statuses(_csv([dict(GOOD[0], valid_to="2026-01-01")]), source="closed")
    inside = _csv([dict(GOOD[0], valid_from="2024-01-01", valid_to="")])
    with pytest.raises(Problem) as info:
        st.import_statuses(inside, source="y")
    assert "QĐ 433/QĐ-UBDT" in info.value.fields[0]["message"]["vi"]
    assert _count(session) == 1


def test_a_header_missing_a_column_or_unknown_is_refused(session):
    with pytest.raises(Problem) as info:
        st.import_statuses(_csv(GOOD, header=["unit_code", "status", "valid_from", "colour"]), source="x")
    paths = {f["path"] for f in info.value.fields}
    assert paths == {"row 1, decision", "row 1, colour"}


def test_an_officer_imports_only_inside_the_area(session, make_user):
    outsider = make_user("officer", "04")
    with pytest.raises(Problem) as info:
        st.import_statuses(_csv(GOOD), source="x", actor=outsider)
    assert {f["path"] for f in info.value.fields} == {"row 2, unit_code", "row 3, unit_code", "row 4, unit_code"}
    officer = make_user("officer", "20", username="officer-ls")
    assert st.import_statuses(_csv(GOOD), source="x", actor=officer).created == 3
    assert session.execute(select(OfficialStatus.imported_by)).scalars().first() == "officer-ls"


# --- official beside indicative, from the database ---------------------------------------------------------------

@pytest.fixture
def figures(monkeypatch):
    """Replace the review's figures (server.indicators, tested on its own) by these per unit code."""
    given: dict[str, dict] = {}
    monkeypatch.setattr(st, "review_figures", lambda year, units, basis, actor=None: given)
    return given


def test_status_changes_lists_who_would_leave_or_enter_with_reasons(session, figures, make_user):
    from server.indicators.targets import save_external_figure

    st.import_statuses(_csv(GOOD), source="list.csv")
    figures.update({V1: {"households": 100, "dtts_households": 80, "poor_households": 12},   # dbkk → not_dbkk
                    V2: {"households": 80, "dtts_households": 60, "poor_households": 13},    # not_dbkk → ?
                    COMMUNE: {"households": 1000, "dtts_households": 700, "poor_households": 60}})  # kv3 → kv1
    officer = make_user("officer", "20")
    # 13 of 80 = 16.25 %: decided by the grid, which the officer entered.
    save_external_figure(officer, {"unit_code": V2, "year": "2025", "indicator": "has_national_grid",
                                   "value": "0", "source": "Sở Công Thương"})
    result = st.status_changes(2025, COMMUNE)
    rows = {r["code"]: r for r in result["rows"]}
    assert result["indicative"] is True and result["criteria"] == "qd-33-2020"
    assert (rows[V1]["official"]["status"], rows[V1]["indicative"]["status"]) == ("dbkk", "not_dbkk")
    assert rows[V1]["change"]["change"] == "leave"
    assert any("12%" in r["vi"] for r in rows[V1]["change"]["reasons"])
    assert rows[V2]["change"]["change"] == "enter"
    assert rows[V2]["indicative"]["sources"]["has_national_grid"] == "external"
    assert rows[COMMUNE]["change"]["change"] == "leave"
    assert [r["code"] for r in result["leave"]] == [COMMUNE, V1]
    assert [r["code"] for r in result["enter"]] == [V2]
    assert result["counts"]["village"]["leave"] == 1 and result["counts"]["commune"]["leave"] == 1


def test_units_without_an_official_status_or_figures_are_said_so(session, figures):
    figures.update({V1: {"households": 100}})
    rows = {r["code"]: r for r in st.status_changes(2025, COMMUNE)["rows"]}
    assert rows[V1]["change"]["change"] == "no_official" and rows[V1]["official"] is None
    assert rows[V1]["indicative"]["status"] == "undetermined"
    assert "dtts_households" in rows[V1]["indicative"]["missing"]


def test_a_rule_set_change_between_list_and_year_is_flagged(session, figures):
    st.import_statuses(_csv(GOOD), source="list.csv")
    figures.update({V1: {"households": 100, "dtts_households": 80, "poor_households": 30}})
    rows = {r["code"]: r for r in st.status_changes(2026, COMMUNE)["rows"]}
    assert rows[V1]["official"]["criteria"] == "qd-33-2020" and rows[V1]["indicative"]["criteria"] == "nd-272-2025"
    assert rows[V1]["change"]["rule_set_differs"] is True


def test_the_real_figures_of_an_unreviewed_year_leave_every_status_undetermined(session):
    st.import_statuses(_csv(GOOD), source="list.csv")
    result = st.status_changes(2025, COMMUNE)
    assert {r["indicative"]["status"] for r in result["rows"]} == {"undetermined"}
    assert result["leave"] == [] and result["enter"] == []


def test_scope_and_unknown_units(session, make_user):
    other = make_user("supervisor", "05977")
    with pytest.raises(Problem) as info:
        st.status_changes(2025, COMMUNE, actor=other)
    assert info.value.code == "out_of_scope"
    with pytest.raises(Problem) as info:
        st.official_statuses(2025, "NOPE")
    assert info.value.code == "unit_unknown"
    with pytest.raises(Problem):
        st.indicative_statuses(2025, COMMUNE, "everything")


def test_a_province_covers_its_communes_and_villages(session):
    codes = {r["code"]: r["level"] for r in st.official_statuses(2025, "20")}
    assert codes[COMMUNE] == "commune" and codes[V1] == "village"
    assert "01273" not in codes and "20" not in codes


# --- the page and the command ----------------------------------------------------------------------------------

def test_an_officer_imports_the_list_on_the_page(client, make_user, login, session, events):
    import io

    login(make_user("officer", "20", username="officer-page"))
    page = client.get("/plans")
    assert page.status_code == 200 and "Trạng thái chính thức của thôn, xã" in page.get_data(as_text=True)
    response = client.post("/plans/statuses", data={"file": (io.BytesIO(_csv(GOOD).encode()), "list.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "Đã nhập 3 trạng thái" in response.get_data(as_text=True)
    assert events("import_unit_statuses")[-1].actor_name == "officer-page"
    bad = _csv([dict(GOOD[0], status="kv9")])
    refused = client.post("/plans/statuses", data={"file": (io.BytesIO(bad.encode()), "bad.csv")},
                          content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Dòng 2, cột status" in text
    assert _count(session) == 3
    assert client.post("/plans/statuses", data={}).status_code == 422


def test_enumerators_and_supervisors_do_not_get_the_page(client, make_user, login):
    for role, unit in (("enumerator", V1), ("supervisor", COMMUNE)):
        login(make_user(role, unit))
        assert client.get("/plans").status_code == 403
        assert client.post("/plans/statuses", data={}).status_code == 403


def test_the_command_imports_all_or_nothing(app, session, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(_csv(GOOD), encoding="utf-8")
    bad.write_text(_csv([dict(GOOD[0], unit_code="NOPE")]), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-unit-statuses", str(good)])
    assert result.exit_code == 0 and "3 rows, 3 created" in result.output
    result = runner.invoke(args=["import-unit-statuses", str(bad)])
    assert result.exit_code == 1 and "Row 2, column unit_code" in result.output
    assert _count(session) == 3


# --- end to end: the hand-made province 98 (tests/indicators/province.py), its 2026 forms --------------------------

def _province_list():
    """Official list of 29/01/2026 (NĐ 272/2025) for four villages of province 98."""
    return ("unit_code,status,decision,valid_from\n"
            "V-98001-A,dbkk,QĐ thử 2026,2026-01-29\nV-98001-B,dbkk,QĐ thử 2026,2026-01-29\n"
            "V-98003-A,not_dbkk,QĐ thử 2026,2026-01-29\nV-98003-B,dbkk,QĐ thử 2026,2026-01-29\n")


def test_status_changes_from_the_real_figures_of_the_province(session, province, events):
    """By hand, 2026 (NĐ 272: 2 of 3 criteria; multidimensional rate ≥ 4 × a test national rate of 5 % = 20 %;
    village roads hardened < 60 %; the third criterion unconfirmed), approved basis:

        village  resident  counted: poor near  DTTS heads  multidim  roads  indicative     official  change
        1A       20        5 poor, 2 near      4 → 20 %    35 %      40 %   dbkk (2 met)   dbkk      same
        1B       10        1, 1                3 → 30 %    20 %      80 %   undetermined   dbkk      undetermined
        3A       10        1, 1 (p20 approved) 3 → 30 %    20 %      40 %   dbkk           not_dbkk  enter
        3B       10        0, 0 (p40 is only submitted)  1 → 10 %, 10 % of its area high or steep (< 2/3):
                                                          out of scope                 dbkk      leave
    """
    from server.indicators.targets import save_external_figure

    officer = province.officer
    st.import_statuses(_province_list(), source="list-98.csv", actor=officer)
    for unit, indicator, value in (("98", "national_multidim_poverty_rate_pct", "5"),
                                   ("V-98001-A", "village_roads_hardened_pct", "40"),
                                   ("V-98001-B", "village_roads_hardened_pct", "80"),
                                   ("V-98003-A", "village_roads_hardened_pct", "40"),
                                   ("V-98003-B", "area_high_or_steep_pct", "10")):
        save_external_figure(officer, {"unit_code": unit, "year": "2026", "indicator": indicator, "value": value,
                                       "source": "test"})
    result = st.status_changes(2026, "98", "approved", actor=officer)
    rows = {r["code"]: r for r in result["rows"]}
    assert "V-98009-A" not in rows  # the old commune's village ended on 01/07/2025
    got = {c: (rows[c]["indicative"]["status"], rows[c]["change"]["change"])
           for c in ("V-98001-A", "V-98001-B", "V-98003-A", "V-98003-B")}
    assert got == {"V-98001-A": ("dbkk", "same"), "V-98001-B": ("undetermined", "undetermined"),
                   "V-98003-A": ("dbkk", "enter"), "V-98003-B": ("out_of_scope", "leave")}
    assert rows["V-98001-A"]["indicative"]["figures"]["dtts_households"] == 4
    assert rows["V-98001-A"]["indicative"]["sources"]["national_multidim_poverty_rate_pct"] == "external"
    assert rows["V-98002-A"]["change"]["change"] == "no_official"
    # The decree's commune criteria are not confirmed: no commune status can be computed.
    assert {rows[c]["indicative"]["status"] for c in ("98001", "98002", "98003")} == {"undetermined"}
    assert [r["code"] for r in result["leave"]] == ["V-98003-B"]
    assert [r["code"] for r in result["enter"]] == ["V-98003-A"]
    # On the submitted basis 3B's submitted near-poor form counts: 2 DTTS heads of 10 bring it in scope, its
    # roads are not known, so it is undetermined rather than leaving.
    submitted = {r["code"]: r for r in st.status_changes(2026, "98", "submitted", actor=officer)["rows"]}
    assert submitted["V-98003-B"]["indicative"]["status"] == "undetermined"
    assert "village_roads_hardened_pct" in submitted["V-98003-B"]["indicative"]["missing"]


def test_a_supervisor_reads_only_their_commune(session, province):
    sup = province.supervisors["98001"]
    assert {r["code"] for r in st.official_statuses(2026, "98001", actor=sup)} == {"98001", "V-98001-A",
                                                                                   "V-98001-B"}
    with pytest.raises(Problem) as info:
        st.indicative_statuses(2026, "98003", actor=sup)
    assert info.value.code == "out_of_scope"
