"""Properties over generated households: more deficits never help, more income never hurts."""
import copy
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from poverty_records import INTERVIEW_DAY, RURAL_COMMUNE, URBAN_COMMUNE, base_record
from server.poverty import classify, codes, load_rule_set, validate_record

RANK = {"poor": 0, "near_poor": 1, "middle": 2, "not_poor": 3}  # higher is better off

# Changes that can only add deficits, never remove one.
WORSEN = {
    "water": lambda r: r.update(water_source="surface"),
    "toilet": lambda r: r.update(toilet="none"),
    "internet": lambda r: r.update(internet_use=False),
    "devices": lambda r: r.update(info_devices=[]),
    "house": lambda r: r["housing"].update(durable={"foundation": False, "walls": False, "roof": False}),
    "crowded": lambda r: r["housing"].update(floor_area_m2=1),
    "uninsured": lambda r: [m.update(health_insurance=False) for m in r["members"]],
    "jobless": lambda r: r["members"][0].update(employment="unemployed"),
    "waste": lambda r: r.update(waste_handling="dumped"),
}


@st.composite
def members(draw):
    """1-12 members of any age and circumstance, the first the head."""
    out = []
    for line in range(1, draw(st.integers(1, 12)) + 1):
        age_days = draw(st.integers(0, 95 * 365))
        child = age_days < 16 * 365
        out.append({
            "line": line, "name": f"Người {line}", "relation": "head" if line == 1 else draw(
                st.sampled_from(codes.RELATIONS[1:])),
            "sex": draw(st.sampled_from(codes.SEXES)),
            "birth_date": (INTERVIEW_DAY - timedelta(days=age_days)).isoformat(),
            "ethnicity": draw(st.sampled_from(("tay", "nung", "kinh", "dao", "san_chay", "hoa", "mong"))),
            "health_insurance": draw(st.booleans()), "schooling": draw(st.sampled_from(codes.SCHOOLING)),
            "school_level": draw(st.none() | st.sampled_from(codes.SCHOOL_LEVELS)),
            "highest_diploma": draw(st.sampled_from(codes.DIPLOMAS)),
            "employment": draw(st.sampled_from(codes.EMPLOYMENT)),
            "disability": draw(st.sampled_from(codes.DISABILITY)),
            "malnutrition": draw(st.none() | st.sampled_from(codes.MALNUTRITION)) if child else None,
        })
    return out


@st.composite
def records(draw, year=2025):
    """A valid record with random answers, income by actual amount or by points."""
    income = draw(st.one_of(
        st.builds(lambda a: {"method": "actual", "annual_income_vnd": a}, st.integers(0, 600_000_000)),
        st.builds(lambda b: {"method": "points", "b1_points": b}, st.integers(0, 400))))
    return base_record(
        review_year=year, commune_code=draw(st.sampled_from((RURAL_COMMUNE, URBAN_COMMUNE))),
        interview={"started_at": f"{INTERVIEW_DAY.replace(year=year).isoformat()}T09:00:00+07:00"},
        income=income if year < 2027 else {"method": "actual", "annual_income_vnd": draw(st.integers(0, 600_000_000))},
        members=draw(members()),
        housing={"floor_area_m2": draw(st.floats(0, 300, allow_nan=False)),
                 "durable": {p: draw(st.booleans()) for p in codes.HOUSE_PARTS}},
        water_source=draw(st.sampled_from(codes.WATER_SOURCES)), toilet=draw(st.sampled_from(codes.TOILETS)),
        internet_use=draw(st.booleans()), info_devices=draw(st.lists(st.sampled_from(codes.INFO_DEVICES),
                                                                     unique=True)),
        waste_handling=draw(st.sampled_from(codes.WASTE_HANDLING)) if year >= 2027 else None,
    )


def run(record, **kw):
    return classify(validate_record(record), **kw)


@settings(max_examples=150, deadline=None)
@given(records(), st.sampled_from(sorted(WORSEN)))
def test_adding_a_deficit_never_moves_a_household_to_a_better_class(record, change):
    before = run(record)
    worse = copy.deepcopy(record)
    WORSEN[change](worse)
    after = run(worse)
    assert set(before["deficits"]) <= set(after["deficits"])
    assert RANK[after["class"]] <= RANK[before["class"]]


@settings(max_examples=150, deadline=None)
@given(records(), st.integers(0, 100_000_000))
def test_raising_income_never_moves_a_household_to_a_worse_class(record, raise_by):
    before = run(record)
    richer = copy.deepcopy(record)
    income = richer["income"]
    key = "annual_income_vnd" if income["method"] == "actual" else "b1_points"
    income[key] += raise_by if key == "annual_income_vnd" else raise_by % 200
    after = run(richer)
    assert RANK[after["class"]] >= RANK[before["class"]]
    assert after["deficits"] == before["deficits"]


@settings(max_examples=200, deadline=None)
@given(records())
def test_result_invariants(record):
    result = run(record)
    rule_set = load_rule_set(result["rule_set"])
    numbers = [i.number for i in rule_set.indicators]
    assert result["deficits"] == sorted(set(result["deficits"])) and set(result["deficits"]) <= set(numbers)
    if result["stopped_by_quick_screen"]:
        assert result["class"] == "not_poor"
    else:
        assert result["b2_points"] == rule_set.points_per_deficit * len(result["deficits"])
    if result["class"] == "poor":
        assert len(result["deficits"]) >= rule_set.poor_min_deficits
    if result["class"] == "near_poor":
        assert len(result["deficits"]) < rule_set.poor_min_deficits


@settings(max_examples=200, deadline=None)
@given(records())
def test_urban_lines_are_never_kinder_than_rural_ones(record):
    assert RANK[run(record, area="urban")["class"]] <= RANK[run(record, area="rural")["class"]]


@settings(max_examples=100, deadline=None)
@given(records(year=2028), st.sampled_from(sorted(WORSEN)))
def test_2027_rule_set_keeps_the_same_monotony(record, change):
    before = run(record)
    worse = copy.deepcopy(record)
    WORSEN[change](worse)
    assert RANK[run(worse)["class"]] <= RANK[before["class"]]


@settings(max_examples=100, deadline=None)
@given(records())
def test_validation_is_idempotent(record):
    once = validate_record(record)
    assert validate_record(once) == once

