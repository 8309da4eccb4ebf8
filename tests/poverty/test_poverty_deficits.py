"""Each deficit indicator on both sides of its boundary; boundaries are read from the shipped rule files."""
import pytest

from poverty_records import (base_record, born_aged, born_months_ago, deficits_of, params, person, result_of,
                             turning_tomorrow)
from server.poverty import codes

RS = "2022-2026"


def household(*members, **fields):
    """A record whose members are the given ones (line numbers and a head filled in)."""
    people = [person(i + 1, **m) for i, m in enumerate(members)]
    return base_record(members=people, **fields)


def deprived(number, *members, **fields):
    """Whether a household of these members is deprived on indicator `number` under 2022-2026."""
    return number in deficits_of(household(*members, **fields), RS)


def test_base_household_has_no_deficit(record):
    assert deficits_of(record, RS) == []


# 1. Employment
def test_employment_working_age_starts_at_the_lower_bound():
    p, n = params(RS, "employment")
    lo = p["working_age_min"]
    assert deprived(n, {}, {"birth_date": born_aged(lo), "employment": "unemployed", "relation": "child"})
    assert not deprived(n, {}, {"birth_date": turning_tomorrow(lo), "employment": "unemployed", "relation": "child"})


@pytest.mark.parametrize("sex", codes.SEXES)
def test_employment_working_age_ends_at_the_retirement_age_of_the_review_year(sex):
    p, n = params(RS, "employment")
    years, months = p["retirement_age"][sex]["2025"]
    limit = years * 12 + months
    at_limit = {"sex": sex, "birth_date": born_months_ago(limit), "employment": "unemployed", "relation": "parent"}
    below = dict(at_limit, birth_date=born_months_ago(limit - 1))
    assert deprived(n, {}, below)
    assert not deprived(n, {}, at_limit)


@pytest.mark.parametrize("employment", codes.EMPLOYMENT)
def test_employment_counts_the_unemployed_and_wage_jobs_without_contract(employment):
    p, n = params(RS, "employment")
    assert deprived(n, {"employment": employment}) == (employment in p["deprived_employment"])
    assert deprived(n, {"employment": "unemployed"}) and deprived(n, {"employment": "wage_without_contract"})
    assert not deprived(n, {"employment": "wage_with_contract"})


# 2. Dependants
def test_dependants_more_than_the_share_is_deprived_exactly_on_it_is_not():
    p, n = params(RS, "dependants")
    size = 4
    on_share = int(p["share_above_pct"] * size // 100)
    child = {"birth_date": born_aged(5), "relation": "child"}
    adult = {}
    exactly = [adult] * (size - on_share) + [child] * on_share
    above = [adult] * (size - on_share - 1) + [child] * (on_share + 1)
    assert not deprived(n, *exactly)
    assert deprived(n, *above)


@pytest.mark.parametrize("who, counts", [
    ("child", True), ("child_at_limit", False), ("elderly", True), ("elderly_tomorrow", False),
    ("severe", True), ("very_severe", True), ("mild", False)])
def test_dependant_definition(who, counts):
    p, n = params(RS, "dependants")
    member = {
        "child": {"birth_date": turning_tomorrow(p["child_under_age"])},
        "child_at_limit": {"birth_date": born_aged(p["child_under_age"])},
        "elderly": {"birth_date": born_aged(p["elderly_min_age"])},
        "elderly_tomorrow": {"birth_date": turning_tomorrow(p["elderly_min_age"])},
        "severe": {"disability": "severe"}, "very_severe": {"disability": "very_severe"},
        "mild": {"disability": "mild"},
    }[who]
    # Two such members in a household of three: above half only when they count as dependants.
    assert deprived(n, {}, dict(member, relation="child"), dict(member, relation="child")) == counts


# 3. Nutrition
@pytest.mark.parametrize("state, expected", [("stunted", True), ("underweight", True), ("none", False)])
def test_nutrition_of_a_child(state, expected):
    p, n = params(RS, "nutrition")
    child = {"birth_date": turning_tomorrow(p["child_under_age"]), "malnutrition": state, "relation": "child"}
    assert deprived(n, {}, child) == expected


def test_nutrition_counts_children_only():
    p, n = params(RS, "nutrition")
    assert not deprived(n, {}, {"birth_date": born_aged(p["child_under_age"]), "malnutrition": "stunted"})


def test_nutrition_not_answered_is_noted_not_guessed_as_deprived():
    result = result_of(household({}, {"birth_date": born_aged(4), "relation": "child", "schooling": "attending",
                                      "school_level": "preschool"}), RS)
    assert params(RS, "nutrition")[1] not in result["deficits"]
    assert [x["code"] for x in result["notes"]] == ["malnutrition_not_answered"]
    assert "2" in result["notes"][0]["en"] and "2" in result["notes"][0]["vi"]


# 4. Health insurance
def test_health_insurance_from_the_minimum_age():
    p, n = params(RS, "health_insurance")
    assert deprived(n, {}, {"birth_date": born_aged(p["min_age"]), "health_insurance": False, "relation": "child",
                            "schooling": "attending", "school_level": "primary"})
    assert not deprived(n, {}, {"birth_date": turning_tomorrow(p["min_age"]), "health_insurance": False,
                                "relation": "child", "schooling": "attending", "school_level": "preschool"})


# 5. Adult education
def test_adult_education_each_band_both_ends():
    p, n = params(RS, "adult_education")
    for band in p["bands"]:
        lacking = next(d for d in codes.DIPLOMAS if d not in band["diplomas"])
        for age in (band["min_age"], band["max_age"]):
            base = {"birth_date": born_aged(age), "relation": "child", "schooling": "not_attending"}
            assert deprived(n, {}, dict(base, highest_diploma=lacking)), (age, lacking)
            for ok in band["diplomas"]:
                assert not deprived(n, {}, dict(base, highest_diploma=ok)), (age, ok)
            assert not deprived(n, {}, dict(base, highest_diploma=lacking, schooling="attending",
                                            school_level="upper_secondary"))
    oldest = max(b["max_age"] for b in p["bands"])
    youngest = min(b["min_age"] for b in p["bands"])
    assert not deprived(n, {}, {"birth_date": born_aged(oldest + 1), "highest_diploma": "none"})
    assert not deprived(n, {}, {"birth_date": turning_tomorrow(youngest), "highest_diploma": "none",
                                "relation": "child"})


# 6. Children's schooling
def test_child_schooling_age_range():
    p, n = params(RS, "child_schooling")
    out_of_school = {"relation": "child", "schooling": "not_attending", "highest_diploma": "none"}
    assert deprived(n, {}, dict(out_of_school, birth_date=born_aged(p["min_age"])))
    assert not deprived(n, {}, dict(out_of_school, birth_date=turning_tomorrow(p["min_age"])))
    assert deprived(n, {}, dict(out_of_school, birth_date=turning_tomorrow(p["under_age"])))
    assert not deprived(n, {}, dict(out_of_school, birth_date=born_aged(p["under_age"])))


def test_child_schooling_level_for_age():
    p, n = params(RS, "child_schooling")
    for band in p["levels_by_age"]:
        child = {"relation": "child", "schooling": "attending", "birth_date": born_aged(band["min_age"])}
        for level in codes.SCHOOL_LEVELS:
            assert deprived(n, {}, dict(child, school_level=level)) == (level not in band["levels"]), (band, level)


def test_child_schooling_level_not_answered_is_noted():
    child = {"relation": "child", "schooling": "attending", "birth_date": born_aged(8), "malnutrition": "none"}
    result = result_of(household({}, child), RS)
    assert params(RS, "child_schooling")[1] not in result["deficits"]
    assert [x["code"] for x in result["notes"]] == ["school_level_not_answered"]


# 7. Housing quality
@pytest.mark.parametrize("foundation, walls, roof", [
    (True, True, True), (False, True, True), (True, False, True), (True, True, False),
    (False, False, True), (False, True, False), (True, False, False), (False, False, False)])
def test_housing_quality_counts_non_durable_parts(foundation, walls, roof):
    p, n = params(RS, "housing_quality")
    housing = {"floor_area_m2": 60, "durable": {"foundation": foundation, "walls": walls, "roof": roof}}
    flimsy = [foundation, walls, roof].count(False)
    assert deprived(n, {}, {}, housing=housing) == (flimsy >= p["min_non_durable_parts"])
    assert deprived(n, {}, {}, housing=housing) == (flimsy >= 2)  # poverty-review.md §3.3: 2 of the 3 parts


# 8. Floor area per person
@pytest.mark.parametrize("size", [1, 3, 7])
def test_floor_area_per_person(size):
    p, n = params(RS, "floor_area")
    members = [{}] + [{"relation": "child"}] * (size - 1)
    on_limit = {"floor_area_m2": p["min_m2_per_person"] * size, "durable": {"foundation": True, "walls": True,
                                                                            "roof": True}}
    below = dict(on_limit, floor_area_m2=on_limit["floor_area_m2"] - 0.01)
    assert not deprived(n, *members, housing=on_limit)
    assert deprived(n, *members, housing=below)


# 9-12. Water, toilet, internet, devices
@pytest.mark.parametrize("code", codes.WATER_SOURCES)
def test_water_source(code):
    p, n = params(RS, "water")
    assert deprived(n, {}, water_source=code) == (code not in p["safe_sources"])


def test_water_examples_from_the_domain():
    n = params(RS, "water")[1]
    assert deprived(n, {}, water_source="surface") and deprived(n, {}, water_source="unprotected_well")
    assert not deprived(n, {}, water_source="piped") and not deprived(n, {}, water_source="rainwater")


@pytest.mark.parametrize("code", codes.TOILETS)
def test_toilet(code):
    p, n = params(RS, "toilet")
    assert deprived(n, {}, toilet=code) == (code not in p["hygienic_toilets"])
    assert deprived(n, {}, toilet="hanging") and not deprived(n, {}, toilet="septic")


def test_internet_use():
    n = params(RS, "internet")[1]
    assert deprived(n, {}, internet_use=False)
    assert not deprived(n, {}, internet_use=True)


@pytest.mark.parametrize("device", codes.INFO_DEVICES)
def test_information_devices(device):
    p, n = params(RS, "info_devices")
    assert deprived(n, {}, info_devices=[])
    assert deprived(n, {}, info_devices=[device]) == (device not in p["devices"])


# 2027-2030: waste handling replaces the device indicator
@pytest.mark.parametrize("code", codes.WASTE_HANDLING)
def test_waste_handling_2027(code):
    p, n = params("2027-2030", "waste")
    record = household({}, review_year=2027, waste_handling=code,
                       interview={"started_at": "2027-10-05T08:30:00+07:00"})
    assert (n in deficits_of(record)) == (code not in p["safe_handling"])


def test_2027_no_longer_counts_information_devices():
    record = household({}, review_year=2027, waste_handling="collected", info_devices=[],
                       interview={"started_at": "2027-10-05T08:30:00+07:00"})
    assert deficits_of(record) == []
    assert deficits_of(dict(record, review_year=2025, interview={"started_at": "2025-10-05T08:30:00+07:00"})) == [
        params(RS, "info_devices")[1]]
