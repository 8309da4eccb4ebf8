"""A household Phiếu A stopped skips Phiếu B (poverty-review.md §3.4): validate_record and classify without it."""
import pytest

from poverty_records import base_record, result_of
from server.poverty import RecordInvalid, validate_record
from server.poverty.schema import PHIEU_B_MEMBER, PHIEU_B_RECORD


def without_phieu_b(**fields):
    record = base_record(**fields)
    for key in PHIEU_B_RECORD:
        record.pop(key, None)
    for member in record["members"]:
        for key in PHIEU_B_MEMBER:
            member.pop(key)
    return record


@pytest.mark.parametrize("year", [2025, 2027])
def test_a_stopped_screen_without_phieu_b_is_classified_stopped(year):
    # from 2027 the rule set needs waste_handling: not of a household that skipped Phiếu B
    record = without_phieu_b(review_year=year, quick_screen={"items": ["a1_car"], "stopped": True},
                             interview={"started_at": f"{year}-10-05T08:30:00+07:00"})
    result = result_of(record)
    assert (result["class"], result["stopped_by_quick_screen"], result["deficits"]) == ("not_poor", True, [])
    assert (result["b1_points"], result["b2_points"], result["income_basis"]) == (None, None, None)
    assert [n["code"] for n in result["notes"]][-1] == "quick_screen_stopped"


def test_null_phieu_b_answers_are_taken_as_not_asked():
    record = base_record(quick_screen={"items": ["a1_car"], "stopped": True},
                         **{key: None for key in PHIEU_B_RECORD})
    for member in record["members"]:
        member.update({key: None for key in PHIEU_B_MEMBER})
    cleaned = validate_record(record)
    assert cleaned["housing"] is None and cleaned["members"][0]["employment"] is None
    assert result_of(record)["stopped_by_quick_screen"] is True


def test_items_that_stop_do_not_excuse_a_phone_that_surveyed_the_household():
    # the phone said "not stopped", so Phiếu B was asked: its answers are required though the items stop it
    record = without_phieu_b(quick_screen={"items": ["a1_car"], "stopped": False})
    with pytest.raises(RecordInvalid) as e:
        validate_record(record)
    paths = [x["path"] for x in e.value.errors]
    assert set(PHIEU_B_RECORD) <= set(paths) and "members[1].disability" in paths
    assert all(x["message"]["en"] == "This field is required." for x in e.value.errors)


def test_a_stopped_screen_with_a_wrong_answer_or_an_unknown_key_is_still_refused():
    record = without_phieu_b(quick_screen={"items": ["a1_car"], "stopped": True})
    record.update(income={"method": "barter"}, internet_use="yes")
    record["members"][0]["shoe_size"] = 42
    with pytest.raises(RecordInvalid) as e:
        validate_record(record)
    assert {x["path"] for x in e.value.errors} == {"income.method", "internet_use", "members[0].shoe_size"}
