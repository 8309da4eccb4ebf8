"""The household-record contract: strict keys, field paths, bilingual messages, NFC text, bounds."""
import copy
import unicodedata

import pytest

from poverty_records import base_record, born_aged, person
from server.poverty import RecordInvalid, validate_record


def errors_of(record):
    """The {path: message} of a refused record."""
    with pytest.raises(RecordInvalid) as e:
        validate_record(record)
    for err in e.value.errors:
        assert set(err["message"]) == {"vi", "en"} and err["message"]["vi"] and err["message"]["en"]
    return {err["path"]: err["message"] for err in e.value.errors}


def with_member(record, index, **fields):
    """The record with fields of one member replaced."""
    out = copy.deepcopy(record)
    out["members"][index].update(fields)
    return out


def test_valid_record_passes_and_validation_is_idempotent(record):
    cleaned = validate_record(record)
    assert cleaned["members"][0]["name"] == record["members"][0]["name"]
    assert validate_record(cleaned) == cleaned


def test_unknown_key_is_named_not_dropped(record):
    assert list(errors_of(dict(record, colour="blue"))) == ["colour"]
    assert list(errors_of(with_member(record, 1, nickname="Tí"))) == ["members[1].nickname"]
    assert list(errors_of(dict(record, housing={**record["housing"], "rooms": 3}))) == ["housing.rooms"]


def test_error_paths_name_the_member_and_field(record):
    record["members"].append(person(3, relation="child"))
    errors = errors_of(with_member(record, 2, birth_date="2020-02-30"))
    assert list(errors) == ["members[2].birth_date"]
    assert "YYYY-MM-DD" in errors["members[2].birth_date"]["en"]
    assert "NNNN-TT-NN" in errors["members[2].birth_date"]["vi"]


def test_required_fields_are_named(record):
    for key in ("id", "review_year", "members", "housing", "water_source", "info_devices", "quick_screen"):
        broken = dict(record)
        del broken[key]
        assert list(errors_of(broken)) == [key]
    del record["members"][1]["health_insurance"]
    assert list(errors_of(record)) == ["members[1].health_insurance"]


def test_text_is_nfc_normalised(record):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    assert decomposed != "Nguyễn Thị Hường"
    cleaned = validate_record(with_member(record, 0, name=f"  {decomposed} "))
    assert cleaned["members"][0]["name"] == unicodedata.normalize("NFC", "Nguyễn Thị Hường")


@pytest.mark.parametrize("count, ok", [(0, False), (1, True), (50, True), (51, False)])
def test_member_count_bounds(record, count, ok):
    members = [person(i + 1, relation="head" if i == 0 else "child") for i in range(count)]
    record["members"] = members
    record["housing"]["floor_area_m2"] = 1000
    if ok:
        assert len(validate_record(record)["members"]) == count
    else:
        assert "50" in errors_of(record)["members"]["vi"] and "thành viên" in errors_of(record)["members"]["vi"]


@pytest.mark.parametrize("relations, count", [(["spouse", "child"], 0), (["head", "head"], 2)])
def test_exactly_one_head(record, relations, count):
    for m, relation in zip(record["members"], relations):
        m["relation"] = relation
    errors = errors_of(record)
    assert list(errors) == ["members"] and f"has {count})" in errors["members"]["en"]


@pytest.mark.parametrize("path, value", [
    ("id", "not-a-uuid"), ("supersedes", "123"), ("commune_code", "6529"), ("commune_code", "0652a"),
    ("review_type", "annual"), ("area", "suburb"), ("water_source", "river"), ("internet_use", "yes"),
    ("internet_use", 1), ("review_year", 2025.0), ("review_year", True), ("info_devices", ["tv", "tv"]),
    ("info_devices", ["fax"]), ("poverty_causes", ["bad_luck"]), ("village_code", "   "),
])
def test_header_values_are_checked(record, path, value):
    assert path in errors_of(dict(record, **{path: value})) or any(
        p.startswith(path) for p in errors_of(dict(record, **{path: value})))


@pytest.mark.parametrize("field, value", [
    ("id_number", "03608700123"), ("id_number", "03608700123X"), ("id_number", "0360870012345"),
    ("sex", "m"), ("ethnicity", "martian"), ("relation", "cousin"), ("disability", "some"),
    ("employment", "farmer"), ("health_insurance", None), ("line", 0), ("name", ""),
])
def test_member_values_are_checked(record, field, value):
    assert f"members[1].{field}" in errors_of(with_member(record, 1, **{field: value}))


def test_twelve_digit_id_and_each_ethnic_group_are_accepted(record):
    for code in ("kinh", "tay", "nung", "dao", "san_chay", "hoa", "mong"):
        assert validate_record(with_member(record, 1, ethnicity=code, id_number="020187000123"))


def test_ages_and_birth_dates(record):
    assert "members[1].birth_date" in errors_of(with_member(record, 1, birth_date="2025-10-06"))
    assert "members[1].birth_date" in errors_of(with_member(record, 1, birth_date=born_aged(121)))
    assert validate_record(with_member(record, 1, birth_date=born_aged(120)))
    no_birth = with_member(record, 1)
    del no_birth["members"][1]["birth_date"]
    assert list(errors_of(no_birth)) == ["members[1].birth_date"]
    assert validate_record(with_member(no_birth, 1, birth_year=1990))
    assert "members[1].birth_year" in errors_of(with_member(record, 1, birth_year=1900))  # disagrees with the date
    assert "members[1].birth_year" in errors_of(with_member(no_birth, 1, birth_year=2026))


def test_duplicate_lines_and_ids(record):
    assert "members[1].line" in errors_of(with_member(record, 1, line=1))
    twice = with_member(with_member(record, 0, id_number="020187000123"), 1, id_number="020187000123")
    assert "members[1].id_number" in errors_of(twice)


@pytest.mark.parametrize("path, housing", [
    ("housing.floor_area_m2", {"floor_area_m2": -1}), ("housing.floor_area_m2", {"floor_area_m2": 10_001}),
    ("housing.floor_area_m2", {"floor_area_m2": "40"}), ("housing.durable.roof", {"durable": {"foundation": True,
                                                                                               "walls": True}}),
])
def test_housing_bounds(record, path, housing):
    assert path in errors_of(dict(record, housing={**record["housing"], **housing}))


def test_income_amount_follows_the_method(record):
    assert list(errors_of(dict(record, income={"method": "actual"}))) == ["income.annual_income_vnd"]
    assert list(errors_of(dict(record, income={"method": "points"}))) == ["income.b1_points"]
    assert "income.annual_income_vnd" in errors_of(dict(record, income={"method": "actual", "annual_income_vnd": -1}))
    assert "income.method" in errors_of(dict(record, income={"method": "guess", "annual_income_vnd": 1}))
    assert validate_record(dict(record, income={"method": "actual", "annual_income_vnd": 0}))


def test_interview_times(record):
    assert "interview.started_at" in errors_of(dict(record, interview={"started_at": "2025-10-05T08:30:00"}))
    ended_early = {"started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T08:00:00+07:00"}
    assert "interview.ended_at" in errors_of(dict(record, interview=ended_early))
    across_zones = {"started_at": "2025-10-05T08:30:00+07:00", "ended_at": "2025-10-05T02:00:00+00:00"}
    assert validate_record(dict(record, interview=across_zones))
    assert "interview.gps.lat" in errors_of(dict(record, interview={**record["interview"],
                                                                    "gps": {"lat": 91, "lon": 106}}))


def test_answers_the_rule_set_needs_are_required_by_year(record):
    del record["housing"]["floor_area_m2"]
    assert list(errors_of(record)) == ["housing.floor_area_m2"]
    r2027 = base_record(review_year=2027, interview={"started_at": "2027-10-05T08:30:00+07:00"})
    assert list(errors_of(r2027)) == ["waste_handling"]
    assert validate_record(dict(r2027, waste_handling="collected"))


def test_review_year_without_a_rule_set(record):
    errors = errors_of(dict(record, review_year=2031))
    assert list(errors) == ["review_year"] and "2031" in errors["review_year"]["vi"]


def test_not_an_object():
    assert list(errors_of([1, 2])) == [""]


def test_enumerator_is_a_user_id_string_or_number(record):
    for enumerator in ("u-17", 17):
        assert validate_record(dict(record, interview={**record["interview"], "enumerator": enumerator}))
    for bad in (0, True, ""):
        assert "interview.enumerator" in errors_of(dict(record, interview={**record["interview"], "enumerator": bad}))
