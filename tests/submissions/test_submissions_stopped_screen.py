"""A household Phiếu A stopped skips Phiếu B (poverty-review.md §3.4): the server takes it without those answers.

Its identity (header, interview, Phiếu A, the roster's line, name, relation, sex, birth, ethnicity) stays required;
a record the screen did not stop keeps every Phiếu B answer required.
"""

from __future__ import annotations

from sqlalchemy import select

from server.core.scoping import unscoped
from server.poverty.schema import PHIEU_B_MEMBER, PHIEU_B_RECORD
from server.submissions.models import Submission, SubmissionVersion


def stopped_without_phieu_b(household) -> dict:
    """A household the screen stopped, as the form sends it: no income, living conditions or members' Phiếu B."""
    record = household(quick_screen={"items": ["a1_car"], "stopped": True})
    for key in PHIEU_B_RECORD:
        del record[key]
    for member in record["members"]:
        for key in PHIEU_B_MEMBER:
            del member[key]
    return record


def test_a_stopped_household_without_phieu_b_is_stored_201(session, post, enumerator, household):
    record = stopped_without_phieu_b(household)
    resp = post(record, enumerator)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()["submission"]
    assert body["class"] == "not_poor"
    row = session.execute(unscoped(select(Submission), "test")).scalar_one()
    assert (row.poverty_class, row.deficit_count, row.b1_points, row.b2_points) == ("not_poor", 0, None, None)
    assert row.classification["stopped_by_quick_screen"] is True and row.classification["income_basis"] is None
    # the household's identity, for the commune's lists and the persons counts
    assert (row.members_count, row.head_name, row.head_sex, row.head_ethnicity, row.head_birth_year) == (
        2, "Thành viên 1", "male", "tay", 1990)
    version = session.get(SubmissionVersion, record["id"], execution_options={"rasoat_unscoped": "test"})
    assert version.content == record


def test_a_stopped_household_still_needs_its_roster(post, enumerator, household):
    record = stopped_without_phieu_b(household)
    del record["members"][1]["name"], record["members"][0]["ethnicity"]
    resp = post(record, enumerator)
    assert resp.status_code == 422
    assert {f["path"] for f in resp.get_json()["error"]["fields"]} == {"members[1].name", "members[0].ethnicity"}
    no_members = stopped_without_phieu_b(household)
    del no_members["members"]
    resp = post(no_members, enumerator)
    assert resp.status_code == 422 and [f["path"] for f in resp.get_json()["error"]["fields"]] == ["members"]


def test_a_stopped_households_answers_given_are_still_checked(post, enumerator, household):
    record = stopped_without_phieu_b(household)
    record["toilet"], record["members"][0]["employment"], record["housing"] = "bucket", 3, {"rooms": 2}
    resp = post(record, enumerator)
    assert resp.status_code == 422
    fields = resp.get_json()["error"]["fields"]
    assert {f["path"] for f in fields} == {"toilet", "members[0].employment", "housing.rooms"}
    assert all(f["message"]["vi"] and f["message"]["en"] for f in fields)


def test_a_household_not_stopped_without_housing_is_refused_naming_it(session, post, enumerator, household):
    record = household()
    del record["housing"]
    resp = post(record, enumerator)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert [f["path"] for f in error["fields"]] == ["housing"]
    assert error["fields"][0]["message"] == {"vi": "Thiếu thông tin bắt buộc.", "en": "This field is required."}
    # nor does a phone that says "not stopped" get away without Phiếu B because its items would stop it
    record = stopped_without_phieu_b(household)
    record["quick_screen"]["stopped"] = False
    resp = post(record, enumerator)
    assert resp.status_code == 422
    assert {f["path"] for f in resp.get_json()["error"]["fields"]} >= {"housing", "income", "members[0].employment"}
    assert session.scalar(unscoped(select(Submission.id), "test")) is None
