"""The sync API: idempotent posts, conflicts, corrections, 422 paths, area rules and the change cursor."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from poverty_records import person
from sqlalchemy import func, select

from server.core.scoping import unscoped
from server.submissions.models import ReviewEvent
from server.submissions.models import Submission, SubmissionVersion


def count(session, model) -> int:
    return session.scalar(unscoped(select(func.count()).select_from(model), "test"))


def test_a_new_record_is_stored_classified_and_answered_201(session, post, enumerator, household):
    record = household(household_code="LB-001")
    resp = post(record, enumerator)
    assert resp.status_code == 201
    body = resp.get_json()["submission"]
    assert body["id"] == body["first_id"] == record["id"]
    assert (body["state"], body["version"], body["kind"]) == ("submitted", 1, "household")
    assert body["class"] == "not_poor" and body["rule_set"] == "2022-2026"
    row = session.execute(unscoped(select(Submission), "test")).scalar_one()
    assert (row.commune_code, row.village_code, row.household_code) == ("06529", "T-06529-01", "LB-001")
    assert (row.head_ethnicity, row.members_count, row.head_birth_year, row.poverty_class) == ("tay", 2, 1990, "not_poor")
    version = session.get(SubmissionVersion, record["id"], execution_options={"rasoat_unscoped": "test"})
    assert version.content == record and version.classification["class"] == "not_poor"


def test_a_retry_of_the_same_record_is_200_and_stores_nothing_more(session, post, enumerator, household):
    record = household()
    first = post(record, enumerator)
    # Key order does not make it another record.
    again = post(dict(reversed(list(record.items()))), enumerator)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["submission"]["id"] == record["id"]
    assert count(session, Submission) == count(session, SubmissionVersion) == 1
    assert count(session, ReviewEvent) == 1


def test_the_same_id_with_other_content_is_a_409_conflict(session, post, enumerator, household):
    record = household()
    post(record, enumerator)
    changed = dict(record, water_source="surface")
    resp = post(changed, enumerator)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "submission_conflict" and record["id"] in error["message"]["en"]
    assert error["message"]["vi"]
    assert count(session, SubmissionVersion) == 1


def test_a_correction_becomes_the_current_version_and_the_old_one_is_kept(session, post, enumerator, household):
    first = household()
    sid = post(first, enumerator).get_json()["submission"]
    correction = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], water_source="surface")
    resp = post(correction, enumerator)
    assert resp.status_code == 201
    body = resp.get_json()["submission"]
    assert (body["id"], body["first_id"], body["version"]) == (correction["id"], first["id"], 2)
    assert count(session, Submission) == 1 and count(session, SubmissionVersion) == 2
    old = session.get(SubmissionVersion, first["id"], execution_options={"rasoat_unscoped": "test"})
    assert old.content["water_source"] == "piped"
    assert body["cursor"] > sid["cursor"]


def test_correcting_a_version_that_is_no_longer_current_is_a_409(post, enumerator, household):
    first = household()
    post(first, enumerator)
    second = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], toilet="none")
    post(second, enumerator)
    late = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], toilet="hanging")
    resp = post(late, enumerator)
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "stale_version" and second["id"] in error["message"]["en"]


def test_a_correction_of_an_unknown_record_names_supersedes(post, enumerator, household):
    resp = post(household(supersedes=str(uuid.uuid4())), enumerator)
    assert resp.status_code == 422
    assert [f["path"] for f in resp.get_json()["error"]["fields"]] == ["supersedes"]


def test_a_correction_may_not_move_the_form_to_another_commune_or_year(post, enumerator, household):
    first = household()
    post(first, enumerator)
    resp = post(dict(first, id=str(uuid.uuid4()), supersedes=first["id"], review_year=2026), enumerator)
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"][0]["path"] == "review_year"


def test_an_invalid_record_gets_422_with_every_field_path_and_nothing_is_stored(session, post, enumerator, household):
    bad = household(water_source="river", colour="blue")
    bad["members"][1]["birth_date"] = "2025-02-30"
    resp = post(bad, enumerator)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_failed"
    paths = {f["path"] for f in error["fields"]}
    assert {"water_source", "colour", "members[1].birth_date"} <= paths
    assert all(f["message"]["vi"] and f["message"]["en"] for f in error["fields"])
    assert count(session, Submission) == count(session, SubmissionVersion) == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_a_body_that_is_not_a_record_is_refused(client, bearer, enumerator, body):
    resp = client.post("/api/v1/submissions", data=body, content_type="application/json", headers=bearer(enumerator))
    assert resp.status_code in (400, 422)
    assert resp.get_json()["error"]["code"] in ("invalid_json", "validation_failed")


def test_an_unknown_village_or_one_of_another_commune_is_named(post, supervisor, household):
    resp = post(household(village_code="NO-SUCH"), supervisor)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"][0]["path"] == "village_code"
    resp = post(household(village_code="T-05977-01"), supervisor)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"][0]["path"] == "commune_code"


def test_a_village_no_longer_in_force_is_refused(session, post, supervisor, household):
    from datetime import date

    from server.places.models import Unit

    session.get(Unit, "T-06529-02").valid_to = date(2025, 12, 31)
    session.commit()
    resp = post(household(village_code="T-06529-02"), supervisor)
    assert resp.status_code == 422
    field = resp.get_json()["error"]["fields"][0]
    assert field["path"] == "village_code" and "31/12/2025" in field["message"]["en"]


def test_an_enumerator_posts_only_for_their_village(make_user, post, enumerator, household):
    resp = post(household(village_code="T-06529-02"), enumerator)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "out_of_scope"
    other = make_user("enumerator", "T-06529-02")
    record = household()
    post(record, enumerator)
    # Someone outside the village cannot learn about the record by retrying its id either.
    assert post(record, other).status_code == 403


def test_a_supervisor_may_post_for_the_commune_and_officers_and_admins_may_not(make_user, post, supervisor, household):
    assert post(household(village_code="T-06529-02"), supervisor).status_code == 201
    for role in ("officer", "admin"):
        assert post(household(), make_user(role, "20")).status_code == 403


def test_the_posts_are_audited_and_the_history_starts(session, post, enumerator, household, events):
    record = household()
    post(record, enumerator)
    audit = events("submission.submitted")
    assert len(audit) == 1 and audit[0].target_id == record["id"] and audit[0].actor_id == enumerator.id
    history = session.execute(unscoped(select(ReviewEvent), "test")).scalars().all()
    assert [(e.action, e.to_state) for e in history] == [("submitted", "submitted")]


def test_a_points_record_the_rule_set_cannot_score_is_refused_on_arrival(post, enumerator, household):
    record = household(review_year=2027, waste_handling="collected",
                       income={"method": "points", "b1_points": 100})
    resp = post(record, enumerator)
    assert resp.status_code == 422
    assert "income.method" in {f["path"] for f in resp.get_json()["error"]["fields"]}


# The change cursor ------------------------------------------------------------------------------------------------

def test_since_lists_changes_after_the_cursor_in_order(client, bearer, post, enumerator, household):
    first, second = household(), household()
    post(first, enumerator)
    headers = bearer(enumerator)
    page = client.get("/api/v1/submissions", headers=headers).get_json()
    assert [i["id"] for i in page["items"]] == [first["id"]] and page["more"] is False
    cursor = page["cursor"]
    post(second, enumerator)
    page = client.get(f"/api/v1/submissions?since={cursor}", headers=headers).get_json()
    assert [i["id"] for i in page["items"]] == [second["id"]]
    assert client.get(f"/api/v1/submissions?since={page['cursor']}", headers=headers).get_json()["items"] == []


def test_limit_pages_through_the_changes(client, bearer, post, enumerator, household):
    ids = [household()["id"] for _ in range(3)]
    for i in ids:
        post(household(id=i), enumerator)
    headers, seen, cursor = bearer(enumerator), [], "0"
    while True:
        page = client.get(f"/api/v1/submissions?since={cursor}&limit=2", headers=headers).get_json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == ids


@pytest.mark.parametrize("query", ["since=-1", "since=abc", "limit=0", "limit=100000"])
def test_bad_cursor_parameters_are_named(client, bearer, enumerator, query):
    resp = client.get(f"/api/v1/submissions?{query}", headers=bearer(enumerator))
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"][0]["path"] == query.split("=")[0]


def test_each_role_lists_only_its_area(client, bearer, make_user, post, supervisor, household):
    mine, neighbours = household(), household(village_code="T-06529-02")
    post(mine, supervisor)
    post(neighbours, supervisor)
    seen = {}
    for role, unit in (("enumerator", "T-06529-01"), ("supervisor", "06529"), ("officer", "20"),
                       ("supervisor", "05977"), ("officer", "04")):
        resp = client.get("/api/v1/submissions", headers=bearer(make_user(role, unit)))
        seen[(role, unit)] = {i["id"] for i in resp.get_json()["items"]}
    assert seen[("enumerator", "T-06529-01")] == {mine["id"]}
    assert seen[("supervisor", "06529")] == seen[("officer", "20")] == {mine["id"], neighbours["id"]}
    assert seen[("supervisor", "05977")] == seen[("officer", "04")] == set()
    assert client.get("/api/v1/submissions", headers=bearer(make_user("admin", "20"))).status_code == 403


def test_records_are_included_only_on_request_and_that_pull_is_audited(client, bearer, make_user, post, enumerator,
                                                                        household, events):
    record = household()
    post(record, enumerator)
    officer = make_user("officer", "20")
    headers = bearer(officer)
    item = client.get("/api/v1/submissions", headers=headers).get_json()["items"][0]
    assert "record" not in item and events("submissions.exported") == []
    item = client.get("/api/v1/submissions?include=record&purpose=province-sync", headers=headers).get_json()["items"][0]
    assert item["record"]["members"][0]["name"] == record["members"][0]["name"]
    audit = events("submissions.exported")
    assert len(audit) == 1 and audit[0].actor_id == officer.id
    assert audit[0].detail["count"] == 1 and audit[0].detail["purpose"] == "province-sync"


# Photos -----------------------------------------------------------------------------------------------------------

PHOTO = b"\xff\xd8\xff\xe0 a small jpeg"


def declared(name="house.jpg", data=PHOTO):
    return {"name": name, "content_type": "image/jpeg", "sha256": hashlib.sha256(data).hexdigest()}


def test_photos_beside_the_record_in_one_multipart_post(app, client, bearer, enumerator, household):
    import io
    import json

    record = household(attachments=[declared()])
    resp = client.post("/api/v1/submissions", headers=bearer(enumerator), content_type="multipart/form-data",
                       data={"record": json.dumps(record), "photo": (io.BytesIO(PHOTO), "house.jpg", "image/jpeg")})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["attachments_missing"] == []
    from server.submissions.attachments import path_of

    with app.test_request_context():
        assert path_of(hashlib.sha256(PHOTO).hexdigest()).read_bytes() == PHOTO


def test_a_photo_may_follow_its_record_and_a_resend_is_harmless(client, bearer, post, enumerator, household):
    record = household(attachments=[declared()])
    assert post(record, enumerator).get_json()["attachments_missing"] == ["house.jpg"]
    headers = bearer(enumerator)
    url = f"/api/v1/submissions/{record['id']}/attachments/house.jpg"
    assert client.put(url, data=PHOTO, headers=headers, content_type="image/jpeg").status_code == 201
    assert client.put(url, data=PHOTO, headers=headers, content_type="image/jpeg").status_code == 200
    assert post(record, enumerator).get_json()["attachments_missing"] == []


def test_a_damaged_or_undeclared_photo_is_refused_naming_it(client, bearer, post, enumerator, household):
    record = household(attachments=[declared()])
    post(record, enumerator)
    headers = bearer(enumerator)
    base = f"/api/v1/submissions/{record['id']}/attachments"
    resp = client.put(f"{base}/house.jpg", data=PHOTO + b"x", headers=headers)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"][0]["path"] == "attachments.house.jpg"
    resp = client.put(f"{base}/other.jpg", data=PHOTO, headers=headers)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"][0]["path"] == "attachments.other.jpg"


def test_photos_of_another_village_are_not_found(client, bearer, make_user, post, enumerator, household):
    record = household(attachments=[declared()])
    post(record, enumerator)
    other = make_user("enumerator", "T-06529-02")
    url = f"/api/v1/submissions/{record['id']}/attachments/house.jpg"
    assert client.put(url, data=PHOTO, headers=bearer(other)).status_code == 404


# Village records --------------------------------------------------------------------------------------------------

def village_record(**fields):
    out = {"kind": "village", "id": str(uuid.uuid4()), "form_version": "2025.1", "review_year": 2025,
           "commune_code": "06529", "village_code": "T-06529-01",
           "interview": {"started_at": "2025-10-05T08:30:00+07:00"},
           "facts": {"has_road_to_centre": True, "has_national_grid": True, "households_off_grid": 4,
                     "village_roads_hardened_pct": 55.5}}
    out.update(fields)
    return out


def test_a_village_record_is_stored_and_listed_as_such(client, bearer, post, enumerator):
    record = village_record()
    resp = post(record, enumerator)
    assert resp.status_code == 201
    body = resp.get_json()["submission"]
    assert (body["kind"], body["class"], body["state"]) == ("village", None, "submitted")
    assert post(record, enumerator).status_code == 200


def test_a_village_record_with_bad_facts_names_them(post, enumerator):
    resp = post(village_record(facts={"village_roads_hardened_pct": 120, "bridges": 2}), enumerator)
    assert resp.status_code == 422
    assert {f["path"] for f in resp.get_json()["error"]["fields"]} == {"facts.village_roads_hardened_pct",
                                                                      "facts.bridges"}


def test_an_unknown_kind_is_named(post, enumerator):
    resp = post(village_record(kind="commune"), enumerator)
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"][0]["path"] == "kind"


def test_a_large_household_keeps_every_member(session, post, enumerator, household):
    members = [person(1)] + [person(i, relation="child", birth_date="2015-01-01", schooling="attending",
                                    school_level="primary", highest_diploma="none", employment="not_in_labour_force")
                             for i in range(2, 9)]
    resp = post(household(members=members), enumerator)
    assert resp.status_code == 201
    assert session.execute(unscoped(select(Submission), "test")).scalar_one().members_count == 8
