"""Classes at their boundaries, area, Phiếu A, and the result's shape (poverty-review.md §3.2, §3.4)."""
import pytest

from poverty_records import URBAN_COMMUNE, base_record, person, result_of
from server.poverty import RecordInvalid, classify, load_rule_set, rule_set_for_year, validate_record

RESULT_KEYS = ["rule_set", "area", "income_basis", "b1_points", "income_per_person_month", "deficits", "b2_points",
               "class", "stopped_by_quick_screen", "notes"]
DEPRIVED_3 = {"water_source": "surface", "toilet": "hanging", "internet_use": False}  # indicators 9, 10, 11
DEPRIVED_2 = {"water_source": "surface", "toilet": "hanging"}


def actual(annual, size=2, **fields):
    """A record of `size` members with this annual income."""
    members = [person(i + 1) for i in range(size)]
    return base_record(members=members, income={"method": "actual", "annual_income_vnd": annual}, **fields)


def points(b1, **fields):
    return base_record(income={"method": "points", "b1_points": b1}, **fields)


def line(area, name="2022-2026"):
    return load_rule_set(name).lines[area]


def test_result_has_exactly_the_contract_shape(record):
    result = result_of(record)
    assert list(result) == RESULT_KEYS
    assert result["rule_set"] == "2022-2026" and result["area"] == "rural" and result["income_basis"] == "actual"


@pytest.mark.parametrize("area, commune", [("rural", "06529"), ("urban", URBAN_COMMUNE)])
@pytest.mark.parametrize("size", [1, 4, 7])
def test_income_exactly_on_the_line_is_at_or_below_it(area, commune, size):
    annual = line(area) * 12 * size
    on_line = result_of(actual(annual, size, commune_code=commune, **DEPRIVED_3))
    assert on_line["area"] == area
    assert on_line["income_per_person_month"] == line(area)
    assert on_line["class"] == "poor"
    assert result_of(actual(annual, size, commune_code=commune, **DEPRIVED_2))["class"] == "near_poor"
    assert result_of(actual(annual + 1, size, commune_code=commune, **DEPRIVED_3))["class"] == "middle"


@pytest.mark.parametrize("area, commune", [("rural", "06529"), ("urban", URBAN_COMMUNE)])
def test_middle_band_upper_bound_is_inclusive(area, commune):
    upper = load_rule_set("2022-2026").middle_upper[area]
    assert result_of(actual(upper * 12 * 3, 3, commune_code=commune))["class"] == "middle"
    assert result_of(actual(upper * 12 * 3 + 1, 3, commune_code=commune))["class"] == "not_poor"


def test_the_middle_band_is_one_and_a_half_times_the_line():
    rule_set = load_rule_set("2022-2026")
    for area in ("rural", "urban"):
        assert rule_set.middle_upper[area] * 2 == rule_set.lines[area] * 3  # poverty-review.md §3.2: L < inc ≤ 1.5·L


def test_poor_needs_the_income_condition_and_the_deficits():
    rich_but_deprived = actual(line("rural") * 12 * 2 * 10, **DEPRIVED_3)
    result = result_of(rich_but_deprived)
    assert len(result["deficits"]) >= 3 and result["class"] == "not_poor"


def test_b2_is_ten_points_a_deficit():
    result = result_of(actual(0, **DEPRIVED_3))
    assert result["b2_points"] == load_rule_set("2022-2026").points_per_deficit * len(result["deficits"])
    assert result["b2_points"] == 30


def test_urban_and_rural_lines_differ_for_the_same_income():
    annual = (line("rural") + 1) * 12 * 2  # above the rural line, below the urban one
    assert result_of(actual(annual))["class"] == "middle"
    assert result_of(actual(annual, commune_code=URBAN_COMMUNE))["class"] == "near_poor"


@pytest.mark.parametrize("area, commune", [("rural", "06529"), ("urban", URBAN_COMMUNE)])
def test_b1_points_at_the_threshold(area, commune):
    threshold = load_rule_set("2022-2026").b1_thresholds[area]
    assert result_of(points(threshold, commune_code=commune, **DEPRIVED_3))["class"] == "poor"
    assert result_of(points(threshold, commune_code=commune, **DEPRIVED_2))["class"] == "near_poor"
    above = result_of(points(threshold + 1, commune_code=commune, **DEPRIVED_3))
    assert above["class"] == "not_poor" and above["income_per_person_month"] is None
    assert [n["code"] for n in above["notes"]] == ["points_cannot_decide_middle"]


def test_b1_thresholds_of_the_domain():
    rule_set = load_rule_set("2022-2026")
    assert (rule_set.b1_thresholds["rural"], rule_set.b1_thresholds["urban"]) == (140, 175)  # b1-points.md [C]


def test_2027_has_no_middle_band_and_says_so():
    rule_set = load_rule_set("2027-2030")
    record = actual(rule_set.lines["rural"] * 12 * 2 + 1, review_year=2027, waste_handling="collected",
                    interview={"started_at": "2027-10-01T09:00:00+07:00"})
    result = result_of(record)
    assert result["rule_set"] == "2027-2030" and result["class"] == "not_poor"
    assert [n["code"] for n in result["notes"]] == ["rule_set_provisional", "middle_band_not_loaded"]


def test_2027_points_without_a_threshold_are_refused_not_guessed():
    record = points(100, review_year=2027, waste_handling="collected",
                    interview={"started_at": "2027-10-01T09:00:00+07:00"})
    with pytest.raises(RecordInvalid) as e:
        result_of(record)
    assert e.value.errors[0]["path"] == "income.method"
    assert "2027-2030" in e.value.errors[0]["message"]["vi"]


def test_explicit_rule_set_overrides_the_year(record):
    result = classify(validate_record(record), load_rule_set("2022-2026"))
    assert result["rule_set"] == "2022-2026" and result["notes"] == []
    with pytest.raises(RecordInvalid) as e:  # 2027-2030 needs waste handling, which a 2025 record lacks
        classify(validate_record(record), "2027-2030")
    assert [x["path"] for x in e.value.errors] == ["waste_handling"]
    result = classify(validate_record(dict(record, waste_handling="dumped")), "2027-2030")
    assert result["rule_set"] == "2027-2030"
    assert "rule_set_not_of_year" in [n["code"] for n in result["notes"]]


@pytest.mark.parametrize("year, name", [(2022, "2022-2026"), (2025, "2022-2026"), (2026, "2022-2026"),
                                        (2027, "2027-2030"), (2030, "2027-2030")])
def test_rule_set_by_review_year(year, name):
    assert rule_set_for_year(year).name == name


# Area
def test_area_from_commune_record_and_override(record):
    assert result_of(record)["area"] == "rural"
    assert result_of(dict(record, commune_code=URBAN_COMMUNE))["area"] == "urban"
    assert classify(validate_record(record), area="urban")["area"] == "urban"
    given = result_of(dict(record, area="urban"))
    assert given["area"] == "urban" and [n["code"] for n in given["notes"]] == ["area_differs_from_commune"]
    assert "thành thị" in given["notes"][0]["vi"] and "nông thôn" in given["notes"][0]["vi"]


def test_unknown_commune_without_area_is_refused_naming_area(record):
    with pytest.raises(RecordInvalid) as e:
        result_of(dict(record, commune_code="99999"))
    assert e.value.errors[0]["path"] == "area"
    assert result_of(dict(record, commune_code="99999", area="rural"))["area"] == "rural"


# Phiếu A
def form():
    return load_rule_set("2022-2026").quick_screen


def group_items(g):
    return [i["code"] for i in form().data["groups"][g]["items"]]


def test_quick_screen_any_item_of_a_stop_at_one_group_stops():
    g = next(i for i, t in enumerate(form().thresholds) if t == 1)
    record = actual(0, quick_screen={"items": group_items(g)[:1], "stopped": True}, **DEPRIVED_3)
    result = result_of(record)
    assert result["class"] == "not_poor" and result["stopped_by_quick_screen"] is True
    assert result["deficits"] == [] and result["b2_points"] is None
    assert [n["code"] for n in result["notes"]] == ["quick_screen_stopped"]


def test_quick_screen_counted_group_stops_only_at_its_count():
    g = next(i for i, t in enumerate(form().thresholds) if t > 1)
    need = form().thresholds[g]
    below = actual(0, quick_screen={"items": group_items(g)[:need - 1], "stopped": False}, **DEPRIVED_3)
    assert result_of(below)["class"] == "poor"
    at = actual(0, quick_screen={"items": group_items(g)[:need], "stopped": True}, **DEPRIVED_3)
    assert result_of(at)["class"] == "not_poor"


def test_quick_screen_stops_when_either_the_items_or_the_record_say_so():
    g = next(i for i, t in enumerate(form().thresholds) if t == 1)
    said_continue = result_of(actual(0, quick_screen={"items": group_items(g)[:1], "stopped": False}))
    assert said_continue["stopped_by_quick_screen"] and said_continue["class"] == "not_poor"
    assert [n["code"] for n in said_continue["notes"]] == ["quick_screen_should_stop", "quick_screen_stopped"]
    said_stop = result_of(actual(0, quick_screen={"items": [], "stopped": True}, **DEPRIVED_3))
    assert said_stop["stopped_by_quick_screen"] and said_stop["class"] == "not_poor"
    assert [n["code"] for n in said_stop["notes"]] == ["quick_screen_should_continue", "quick_screen_stopped"]
    went_on = result_of(actual(0, quick_screen={"items": [], "stopped": False}, **DEPRIVED_3))
    assert not went_on["stopped_by_quick_screen"] and went_on["class"] == "poor" and went_on["notes"] == []


def test_quick_screen_item_unknown_to_the_form_is_refused(record):
    with pytest.raises(RecordInvalid) as e:
        validate_record(dict(record, quick_screen={"items": ["no_such_item"], "stopped": False}))
    assert e.value.errors[0]["path"] == "quick_screen.items[0]"


def test_notes_are_bilingual_and_coded():
    result = result_of(points(500, **DEPRIVED_3))
    for n in result["notes"]:
        assert set(n) == {"code", "vi", "en"} and n["vi"] and n["en"] and n["vi"] != n["en"]


def test_income_per_person_month_is_exact_enough_never_to_cross_a_line():
    annual = line("rural") * 12 * 7 + 1  # one VND a year above the line, seven members
    result = result_of(actual(annual, 7))
    assert result["income_per_person_month"] > line("rural") and result["class"] == "middle"
