"""The sync API under hostile input and flaky links: every refusal a coded 4xx naming the field, never a 500."""

from __future__ import annotations

import json
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from poverty_records import person
from sqlalchemy import func, select

from server.core.scoping import unscoped
from server.submissions.models import ReviewEvent, Submission, SubmissionVersion


def count(session, model) -> int:
    return session.scalar(unscoped(select(func.count()).select_from(model), "test"))


def field_paths(resp) -> list[str]:
    return [f["path"] for f in resp.get_json()["error"].get("fields", [])]


# -- retries of a correction (item 1)

def test_a_retry_of_a_correction_is_200_and_stores_nothing_more(session, post, enumerator, household):
    first = household()
    assert post(first, enumerator).status_code == 201
    correction = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], water_source="borehole")
    assert post(correction, enumerator).status_code == 201
    again = post(correction, enumerator)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["received"] == correction["id"]
    assert again.get_json()["submission"]["version"] == 2
    assert count(session, SubmissionVersion) == 2 and count(session, ReviewEvent) == 2


def test_a_retry_of_a_version_no_longer_current_is_200(session, post, enumerator, household):
    first = household()
    post(first, enumerator)
    second = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], water_source="borehole")
    third = dict(first, id=str(uuid.uuid4()), supersedes=second["id"], water_source="surface")
    assert [post(r, enumerator).status_code for r in (second, third)] == [201, 201]
    # The phone never saw the answer to `second`, and resends it after `third` was stored.
    again = post(second, enumerator)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["submission"]["id"] == third["id"]  # the form as it stands now
    assert count(session, SubmissionVersion) == 3


def test_a_correction_id_reused_with_other_content_is_still_a_conflict(session, post, enumerator, household):
    first = household()
    post(first, enumerator)
    correction = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], water_source="borehole")
    post(correction, enumerator)
    resp = post(dict(correction, water_source="surface"), enumerator)
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "submission_conflict"


# -- NFC (item 2)

def test_the_same_name_typed_on_two_keyboards_is_the_same_content(session, post, enumerator, household):
    composed = "Hoàng Văn Đức"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    record = household(members=[person(1, name=decomposed), person(2)])
    assert post(record, enumerator).status_code == 201
    stored = session.get(SubmissionVersion, record["id"], execution_options={"rasoat_unscoped": "test"})
    assert stored.content["members"][0]["name"] == composed
    same = dict(record, members=[person(1, name=composed), person(2)])
    assert post(same, enumerator).status_code == 200
    row = session.execute(unscoped(select(Submission), "test")).scalar_one()
    assert row.head_name == composed


# -- bodies that answered 500 (items 4-7, 9)

def raw_post(client, bearer, user, body: str):
    return client.post("/api/v1/submissions", data=body.encode("utf-8", "surrogatepass"),
                       headers=bearer(user) | {"Content-Type": "application/json"})


@pytest.mark.parametrize("where", ["name", "key", "code"])
def test_a_lone_surrogate_is_a_422_naming_the_field(client, bearer, enumerator, household, where):
    record = household()
    body = json.dumps(record)
    if where == "name":
        body = body.replace('"Th\\u00e0nh vi\\u00ean 1"', '"Th\\ud800nh"')
        expected = "members[0].name"
    elif where == "key":
        body = body.replace('"water_source"', '"water_\\udfffsource"')
        expected = "water_\\udfffsource"
    else:
        body = body.replace('"piped"', '"\\ud800"')
        expected = "water_source"
    resp = raw_post(client, bearer, enumerator, body)
    assert resp.status_code == 422, resp.data[:300]
    assert resp.get_json()["error"]["code"] == "validation_failed"
    assert expected in field_paths(resp)


def test_a_lone_surrogate_in_a_multipart_record_is_a_422(client, bearer, enumerator, household):
    body = json.dumps(household()).replace('"piped"', '"\\ud800"')
    resp = client.post("/api/v1/submissions", data={"record": body}, headers=bearer(enumerator),
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "water_source" in field_paths(resp)


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_refused_early_naming_the_depth(client, bearer, enumerator, depth):
    body = '{"id": ' + "[" * depth + "]" * depth + "}"
    resp = raw_post(client, bearer, enumerator, body)
    assert resp.status_code in (400, 422), resp.data[:300]
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_json"
    assert error["fields"][0]["path"] == "body" and "32 levels" in error["fields"][0]["message"]["en"]


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                                   "2299-01-01T08:00:00+07:00", "1850-01-01T08:00:00+07:00"])
def test_far_future_and_far_past_interview_times_are_field_errors(post, enumerator, household, value):
    record = household()
    record["interview"]["ended_at"] = value
    resp = post(record, enumerator)
    assert resp.status_code == 422, resp.get_json()
    assert "interview.ended_at" in field_paths(resp)


def test_an_interview_in_the_future_is_refused(post, enumerator, household):
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=2)).astimezone(timezone(timedelta(hours=7)))
    record = household()
    record["interview"]["started_at"] = tomorrow.isoformat(timespec="seconds")
    resp = post(record, enumerator)
    assert resp.status_code == 422 and "interview.started_at" in field_paths(resp)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\u200b\x00", "\x7f", "\u202e", "\u2067"])
def test_control_characters_in_text_are_refused_with_the_same_message(post, enumerator, household, char):
    record = household(members=[person(1, name=f"Hoàng{char}Văn"), person(2)], household_code=f"LB{char}1")
    resp = post(record, enumerator)
    assert resp.status_code == 422, resp.get_json()
    fields = {f["path"]: f["message"] for f in resp.get_json()["error"]["fields"]}
    assert {"members[0].name", "household_code"} <= set(fields)
    assert fields["members[0].name"] == fields["household_code"]
    assert "control" in fields["household_code"]["en"]


def test_a_nul_in_a_village_code_or_an_attachment_name_is_a_422(client, post, bearer, enumerator, household):
    resp = post(household(village_code="T-06529-01\x00"), enumerator)
    assert resp.status_code == 422 and "village_code" in field_paths(resp)
    record = household()
    post(record, enumerator)
    resp = client.put(f"/api/v1/submissions/{record['id']}/attachments/a%00b.jpg", data=b"x",
                      headers=bearer(enumerator))
    assert resp.status_code == 422 and "name" in field_paths(resp)


def test_a_huge_roster_is_refused_by_its_length_with_few_errors(post, enumerator, household):
    members = [person(i + 1, name=None) for i in range(5000)]  # every member also invalid
    resp = post(household(members=members), enumerator)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert "members" in field_paths(resp)
    assert len(error["fields"]) <= 100
    assert not any(p.startswith("members[") for p in field_paths(resp))  # not validated one by one


def test_errors_are_capped_at_100_with_a_count_of_the_rest(post, enumerator, household):
    record = household(**{f"unknown_{i}": i for i in range(250)})
    resp = post(record, enumerator)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert len(error["fields"]) == 100
    assert error["fields_omitted"] == 150
