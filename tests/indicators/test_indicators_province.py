"""The hand-made province (tests/indicators/province.py): every figure below was worked out by hand from the
table of forms there, before the code ran; the comments show the working.

Forms counted for 2027 under the default basis `approved` (states approved, agreed, recognised; never a form set
aside): h05 (submitted), h06 (resurvey), h15 (returned), h20 (submitted) do not count, nor h10 (set aside as a
duplicate of h11). So:

    V-98001-A  h01 poor 4p, h02 poor 5p, h03 near 3p, h04 middle 4p (agricultural), h07 poor 3p (no code)
    V-98001-B  h11 poor 2p, h08 near 4p, h09 middle 3p (not agricultural), h24 near 3p
    V-98002-A  h12 poor 3p, h13 near 2p, h14 not poor 4p
    V-98002-B  h16 near 5p, h17 not poor 1p
    V-98003-A  h18 poor 5p, h19 poor 4p
    V-98003-B  h21 middle 6p (agricultural), h22 poor 3p, h23 poor 2p

    98001: poor 4 (4+5+3+2 = 14p), near 3 (3+4+3 = 10p), middle 2 (4+3 = 7p), agricultural 1, counted 9
    98002: poor 1 (3p), near 2 (2+5 = 7p), middle 0, not poor 2, counted 5
    98003: poor 4 (5+4+3+2 = 14p), near 0, middle 1 (6p), agricultural 1, counted 5
    98:    poor 9 (31p), near 5 (17p), middle 3 (13p), agricultural 2, not poor 2, counted 19

Resident counts 2027: 98001 = 20 + 10 = 30 households, 80 + 40 = 120 persons; 98002 = 15 + 5 = 20, 50 + 20 = 70;
98003 = 10 + 10 = 20 households, persons unknown (V-98003-B has none); the province 70 households, persons
unknown.
"""

from __future__ import annotations

import pytest

from server.indicators.flows import identity_holds
from server.indicators.operations import indicator_table, unit_figures

from province import C1, C2, C3, PROVINCE, V1A, V1B

pct = lambda n, d: pytest.approx(n * 100 / d)  # noqa: E731 - a rate as the test states it: n of d, in %


def rows_of(table):
    return {r["code"]: r for r in table["rows"]}


def test_table_shape_and_contract_keys(province):
    table = indicator_table(2027, PROVINCE)
    assert table["year"] == 2027 and table["basis"] == "approved" and table["rule_set"] == "2027-2030"
    assert table["unit"] == {"code": PROVINCE, "name": "Tỉnh Thử Chỉ Số", "level": "province"}
    # Children in force in 2027 by code (the old commune 98009 ended on 01/07/2025), then the province itself.
    assert [r["code"] for r in table["rows"]] == [C1, C2, C3, PROVINCE]
    contract = {"code", "name", "level", "households", "persons", "surveyed", "poor", "near_poor", "middle",
                "poor_persons", "near_poor_persons", "poor_rate", "near_poor_rate", "multidimensional_rate",
                "poor_persons_rate", "deficits_poor", "mean_deficits_poor", "flows_poor"}
    for row in table["rows"]:
        assert contract <= set(row)
        assert set(row["flows_poor"]) == {"begin", "escaped_to_near_poor", "escaped_above_near_poor",
                                          "other_decrease", "near_poor_to_poor", "fell_back", "newly_poor",
                                          "other_increase", "end"}


def test_counts_and_rates(province):
    rows = rows_of(indicator_table(2027, PROVINCE))
    c1, c2, c3, p = rows[C1], rows[C2], rows[C3], rows[PROVINCE]
    assert (c1["households"], c1["persons"], c1["poor"], c1["near_poor"], c1["middle"]) == (30, 120, 4, 3, 2)
    assert (c1["poor_persons"], c1["near_poor_persons"], c1["middle_agricultural"]) == (14, 10, 1)
    assert c1["poor_rate"] == pct(4, 30) and c1["near_poor_rate"] == pct(3, 30)
    assert c1["multidimensional_rate"] == pct(7, 30) and c1["poor_persons_rate"] == pct(14, 120)
    assert c1["middle_agricultural_rate"] == pct(1, 30)
    assert (c2["households"], c2["persons"], c2["poor"], c2["near_poor"], c2["middle"]) == (20, 70, 1, 2, 0)
    assert c2["poor_rate"] == pct(1, 20) and c2["multidimensional_rate"] == pct(3, 20)
    assert c2["poor_persons_rate"] == pct(3, 70) and c2["near_poor_persons_rate"] == pct(7, 70)
    # 98003: households known, persons not (V-98003-B): the persons rates are null with the reason.
    assert (c3["households"], c3["persons"], c3["poor"], c3["near_poor"]) == (20, None, 4, 0)
    assert c3["poor_rate"] == pct(4, 20) and c3["poor_persons_rate"] is None
    assert "V-98003-B" in c3["rate_missing"]["persons"]["en"] and "V-98003-B" in c3["rate_missing"]["persons"]["vi"]
    assert (p["households"], p["poor"], p["near_poor"], p["middle"], p["middle_agricultural"]) == (70, 9, 5, 3, 2)
    assert (p["poor_persons"], p["near_poor_persons"]) == (31, 17)
    assert p["poor_rate"] == pct(9, 70) and p["near_poor_rate"] == pct(5, 70)
    assert p["multidimensional_rate"] == pct(14, 70) and p["poor_persons_rate"] is None
    assert p["counted"] == 19


def test_coverage(province):
    # Surveyed = every current form not set aside, any state: 98001 h01-h07 and h08, h09, h11, h24 = 11;
    # 98002 h12-h17 = 6; 98003 h18-h23 = 6; province 23. Approved or further = the counted 9, 5, 5, 19.
    # Recognised: h01, h09 (98001), h16 (98002).
    rows = rows_of(indicator_table(2027, PROVINCE))
    assert [rows[c]["surveyed"] for c in (C1, C2, C3, PROVINCE)] == [11, 6, 6, 23]
    assert rows[C1]["coverage"] == {"surveyed": 11, "approved": 9, "recognised": 2, "households": 30,
                                    "surveyed_pct": pct(11, 30), "approved_pct": pct(9, 30),
                                    "recognised_pct": pct(2, 30)}
    assert rows[PROVINCE]["coverage"]["approved"] == 19 and rows[PROVINCE]["coverage"]["recognised"] == 3


def test_deficits(province):
    # Poor households' deficits (2027): h01 1,4,9; h02 2,4,6; h07 9,10,11; h11 4,5,8; h12 5,6,7;
    # h18 1,2,3,4; h19 4,6,9; h22 8,9,10; h23 1,5,12.
    # Indicator 1: h01 h18 h23 = 3; 2: h02 h18 = 2; 3: h18 = 1; 4: h01 h02 h11 h18 h19 = 5; 5: h11 h12 h23 = 3;
    # 6: h02 h12 h19 = 3; 7: h12 = 1; 8: h11 h22 = 2; 9: h01 h07 h19 h22 = 4; 10: h07 h22 = 2; 11: h07 = 1;
    # 12: h23 = 1. Total 28 = 8 households × 3 + h18's 4; mean 28 / 9.
    p = rows_of(indicator_table(2027, PROVINCE))[PROVINCE]
    assert p["deficits_poor"] == {"1": 3, "2": 2, "3": 1, "4": 5, "5": 3, "6": 3, "7": 1, "8": 2, "9": 4,
                                  "10": 2, "11": 1, "12": 1}
    assert p["mean_deficits_poor"] == pytest.approx(28 / 9) and p["total_deficits_poor"] == 28
    assert p["deficits_poor_pct"]["4"] == pct(5, 9)
    # Near-poor: h03 4; h08 1,12; h24 4; h13 7; h16 3,11 → 1:1, 3:1, 4:2, 7:1, 11:1, 12:1; total 7, mean 7/5.
    assert {k: v for k, v in p["deficits_near_poor"].items() if v} == {"1": 1, "3": 1, "4": 2, "7": 1, "11": 1,
                                                                       "12": 1}
    assert p["mean_deficits_near_poor"] == pytest.approx(1.4)
    # 98001's poor h01, h02, h07, h11: 4 is on h01 h02 h11 = 3; 9 on h01 h07 = 2; total 12, mean 3.
    c1 = rows_of(indicator_table(2027, PROVINCE))[C1]
    assert c1["deficits_poor"]["4"] == 3 and c1["deficits_poor"]["9"] == 2 and c1["mean_deficits_poor"] == 3


def test_flows_poor_households_and_persons(province):
    """2026 → 2027, approved basis. 2026 counted poor: 98001 H01 4p, H03 3p, H04 4p, H05 2p, H30 3p, H10 3p;
    98002 H12 3p, H13 2p, one without code 2p; 98003 H18 4p (H40 was only submitted): begin 10, 30 persons.

    H01 stays poor (4 → 4). H03 → near-poor: escaped to near-poor; H13 too. H04 → middle: escaped above.
    H05's 2027 form is only submitted, H30 has no 2027 form, the 2026 form without a code cannot be linked:
    3 other decreases (2 + 3 + 2 persons). H10 stays poor (h11; its set-aside duplicate h10 does not count),
    3 → 2 members: 1 person in other decreases. H12 stays (3 → 3). H18 stays, 4 → 5: 1 person in other increases.
    H02 near-poor → poor (5p). H19: middle in 2026, poor in 2025 → fell back (4p). H22: not poor → poor: newly
    poor (3p); h07 has no code: newly poor, unlinked (3p). H23 has no 2026 form: other increase (2p).

    Households: 10 − 2 − 1 − 3 + 1 + 1 + 2 + 1 = 9 = poor 2027.
    Persons: 30 − (3 + 2) − 4 − (2 + 3 + 2 + 1) + 5 + 4 + (3 + 3) + (2 + 1) = 31 = poor persons 2027.
    """
    rows = rows_of(indicator_table(2027, PROVINCE))
    p = rows[PROVINCE]
    assert p["flows_poor"] == {"begin": 10, "escaped_to_near_poor": 2, "escaped_above_near_poor": 1,
                               "other_decrease": 3, "near_poor_to_poor": 1, "fell_back": 1, "newly_poor": 2,
                               "other_increase": 1, "end": 9}
    assert p["flows_poor_persons"] == {"begin": 30, "escaped_to_near_poor": 5, "escaped_above_near_poor": 4,
                                       "other_decrease": 8, "near_poor_to_poor": 5, "fell_back": 4,
                                       "newly_poor": 6, "other_increase": 3, "end": 31}
    assert p["flows_unlinked"]["poor"] == {"begin": 1, "end": 1}
    # Per commune: 98001 6 − 1 (H03) − 1 (H04) − 2 (H05, H30) + 1 (H02) + 1 (h07) = 4;
    # 98002 3 − 1 (H13) − 1 (no code) = 1; 98003 1 + 1 (H19) + 1 (H22) + 1 (H23) = 4.
    assert rows[C1]["flows_poor"] == {"begin": 6, "escaped_to_near_poor": 1, "escaped_above_near_poor": 1,
                                      "other_decrease": 2, "near_poor_to_poor": 1, "fell_back": 0, "newly_poor": 1,
                                      "other_increase": 0, "end": 4}
    assert rows[C2]["flows_poor"] == {"begin": 3, "escaped_to_near_poor": 1, "escaped_above_near_poor": 0,
                                      "other_decrease": 1, "near_poor_to_poor": 0, "fell_back": 0, "newly_poor": 0,
                                      "other_increase": 0, "end": 1}
    assert rows[C3]["flows_poor"] == {"begin": 1, "escaped_to_near_poor": 0, "escaped_above_near_poor": 0,
                                      "other_decrease": 0, "near_poor_to_poor": 0, "fell_back": 1, "newly_poor": 1,
                                      "other_increase": 1, "end": 4}
    for row in rows.values():
        assert row["flows_poor"]["end"] == row["poor"]
        assert row["flows_poor_persons"]["end"] == row["poor_persons"]
        for side in ("flows_poor", "flows_poor_persons"):
            assert identity_holds(row[side], "poor")


def test_flows_near_poor_and_the_old_commune(province):
    """2026 counted near-poor: H02, H06, H08 (98001), H14 (98002), H20 (98003): begin 5.

    H14 → not poor: escaped. H02 → poor: near-poor → poor. H06 (resurvey in 2027) and H20 (only submitted in
    2027): other decreases. H08 stays. H03 and H13 poor → near-poor. H24: middle in 2026, near-poor in 2025
    under the old commune 98009, which maps to 98001: fell back into near-poverty (without the mapping it would
    be newly near-poor). H16: middle → near-poor: newly near-poor. End 5 − 1 − 1 − 2 + 2 + 1 + 1 = 5.
    """
    rows = rows_of(indicator_table(2027, PROVINCE))
    assert rows[PROVINCE]["flows_near_poor"] == {"begin": 5, "escaped": 1, "near_poor_to_poor": 1,
                                                 "other_decrease": 2, "poor_to_near_poor": 2, "fell_back": 1,
                                                 "newly_near_poor": 1, "other_increase": 0, "end": 5}
    assert rows[C1]["flows_near_poor"]["fell_back"] == 1
    for row in rows.values():
        assert row["flows_near_poor"]["end"] == row["near_poor"]
        assert identity_holds(row["flows_near_poor"], "near_poor")
        assert identity_holds(row["flows_near_poor_persons"], "near_poor")


def test_basis_switch(province):
    """`submitted` adds h05 (not poor), h06 (poor, 6p), h15 (middle), h20 (near-poor) in 2027 and H40 (near-poor)
    in 2026: poor 10, near-poor 6, counted 23 = surveyed. In the flows H05 now escapes above near-poor and H06
    (near-poor in 2026) comes in as near-poor → poor: 10 − 2 − 2 − 2 + 2 + 1 + 2 + 1 = 10.

    `recognised` counts only h01 (poor), h09 (middle), h16 (near-poor) in 2027: poor rate 1 / 70. In 2026 the
    recognised poor are H01, H03, H04, H05, H30, H10; only H01 is recognised again in 2027, the other five are
    other decreases: 6 − 5 = 1."""
    submitted = rows_of(indicator_table(2027, PROVINCE, "submitted"))[PROVINCE]
    assert (submitted["poor"], submitted["near_poor"], submitted["counted"], submitted["surveyed"]) == (10, 6, 23, 23)
    assert submitted["poor_persons"] == 31 + 6
    assert submitted["flows_poor"] == {"begin": 10, "escaped_to_near_poor": 2, "escaped_above_near_poor": 2,
                                       "other_decrease": 2, "near_poor_to_poor": 2, "fell_back": 1, "newly_poor": 2,
                                       "other_increase": 1, "end": 10}
    recognised = indicator_table(2027, PROVINCE, "recognised")
    assert recognised["basis"] == "recognised"
    p = rows_of(recognised)[PROVINCE]
    assert (p["poor"], p["near_poor"], p["middle"]) == (1, 1, 1) and p["poor_rate"] == pct(1, 70)
    assert p["flows_poor"]["begin"] == 6 and p["flows_poor"]["other_decrease"] == 5 and p["flows_poor"]["end"] == 1
    # Coverage does not depend on the basis.
    assert p["coverage"]["surveyed"] == 23 and p["coverage"]["approved"] == 19


def test_cuts_and_both_dtts_mn_readings(province):
    """Counted heads: Kinh h03 h09 h12 h13 h14 h17 h22 = 7 (poor h12 h22, near-poor h03 h13); the other 12 are DTTS
    (poor h01 h02 h07 h11 h18 h19 h23 = 7, near-poor h08 h24 h16 = 3).

    DTTS&MN area: V-98001-A (yes), V-98001-B (its commune's yes), V-98003-A (yes); V-98003-B says no, 98002 no.
    Poor there: 98001's 4 + V-98003-A's 2 = 6, over their resident 20 + 10 + 10 = 40 households: 15 %.
    By head: 7 poor DTTS-headed households of 12 counted: 58.33 %. ĐBKK: V-98001-A yes (5 counted, 3 poor),
    V-98001-B no (4 counted, 1 poor), the rest unknown (10 counted, 5 poor). Urban = 98002 (5 counted, 1 poor)."""
    p = rows_of(indicator_table(2027, PROVINCE))[PROVINCE]
    head = p["cuts"]["head"]
    assert (head["kinh"]["counted"], head["kinh"]["poor"], head["kinh"]["near_poor"]) == (7, 2, 2)
    assert (head["dtts"]["counted"], head["dtts"]["poor"], head["dtts"]["near_poor"]) == (12, 7, 3)
    assert p["cuts"]["ethnicity"]["tay"]["poor"] == 3  # h01, h11, h23
    assert p["cuts"]["ethnicity"]["nung"]["counted"] == 3  # h18, h19, h21
    readings = p["dtts_mn_poverty_rate"]
    assert (readings["by_area"]["poor"], readings["by_area"]["households"]) == (6, 40)
    assert readings["by_area"]["rate"] == pct(6, 40)
    assert (readings["by_head"]["poor"], readings["by_head"]["households"]) == (7, 12)
    assert readings["by_head"]["rate"] == pct(7, 12)
    assert readings["by_area"]["label"]["vi"] and readings["by_head"]["label"]["en"]
    dbkk = p["cuts"]["especially_difficult"]
    assert {k: (v["counted"], v["poor"]) for k, v in dbkk.items()} == {"yes": (5, 3), "no": (4, 1),
                                                                        "unknown": (10, 5)}
    assert {k: (v["counted"], v["poor"]) for k, v in p["cuts"]["area"].items()} == {"urban": (5, 1),
                                                                                      "rural": (14, 8)}
    dtts_area = p["cuts"]["dtts_mn_area"]
    assert (dtts_area["yes"]["counted"], dtts_area["no"]["counted"]) == (9 + 2, 5 + 3)


def test_year_on_year_change_and_series_break(province):
    """2026 (approved basis): 98001 poor H01 H03 H04 H05 H30 H10 = 6 of 30 (20 %); 98002 H12 H13 + one = 3 of 14 + 5
    = 19; 98003 H18 = 1 of 20; the province 10 of 69. The rule set changes 2026 → 2027: the series breaks."""
    rows = rows_of(indicator_table(2027, PROVINCE))
    for code, now, before in ((C1, (4, 30), (6, 30)), (C2, (1, 20), (3, 19)), (C3, (4, 20), (1, 20)),
                              (PROVINCE, (9, 70), (10, 69))):
        change = rows[code]["change"]
        assert change["series_break"] is True and change["previous_rule_set"] == "2022-2026"
        assert change["poor_rate_pp"] == pytest.approx(now[0] * 100 / now[1] - before[0] * 100 / before[1])
    # 2026 against 2025: the same rule set, no break. 98001's 2025 counts are not given: no change figure.
    rows_2026 = rows_of(indicator_table(2026, PROVINCE))
    assert rows_2026[C1]["change"]["series_break"] is False and rows_2026[C1]["change"]["poor_rate_pp"] is None
    assert rows_2026[C1]["poor_rate"] == pct(6, 30)


def test_commune_table_has_its_villages(province):
    rows = indicator_table(2027, C1)["rows"]
    assert [r["code"] for r in rows] == [V1A, V1B, C1]
    v1a, v1b, c1 = rows
    # V-98001-A: poor h01 h02 h07 of 20; V-98001-B: poor h11 of 10.
    assert (v1a["poor"], v1a["poor_rate"], v1b["poor"], v1b["poor_rate"]) == (3, pct(3, 20), 1, pct(1, 10))
    assert c1["poor"] == 4 and c1["level"] == "commune"
    # The village's own table: just itself.
    assert [r["code"] for r in indicator_table(2027, V1A)["rows"]] == [V1A]


def test_unit_figures_for_the_unit_status(province):
    """98001's DTTS-headed counted households: h01 h02 h04 h07 h11 h08 h24 = 7, of them poor h01 h02 h07 h11 = 4,
    members 4 + 5 + 4 + 3 + 2 + 4 + 3 = 25."""
    figures = unit_figures(2027, PROVINCE)
    assert set(figures) == {C1, C2, C3, PROVINCE}
    assert figures[C1] == {"households": 30, "poor_households": 4, "near_poor_households": 3, "dtts_households": 7,
                           "poor_dtts_households": 4, "dtts_people": 25}
    assert unit_figures(2027, [V1A, C1]) == {V1A: {"households": 20, "poor_households": 3, "near_poor_households": 1,
                                                   "dtts_households": 4, "poor_dtts_households": 3,
                                                   "dtts_people": 16},
                                             C1: figures[C1]}
