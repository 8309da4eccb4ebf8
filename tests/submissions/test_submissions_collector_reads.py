"""What the collector reads back: last year's households of its village, and one stored form with its comments."""

from __future__ import annotations

import uuid

import pytest

from server.review import operations as review


@pytest.fixture
def get(client, bearer):
    tokens = {}

    def send(url, user):
        if user.id not in tokens:
            tokens[user.id] = bearer(user)
        return client.get(url, headers=tokens[user.id])

    return send


def year_record(household, year, **fields):
    return household(review_year=year, interview={"started_at": f"{year}-10-05T08:30:00+07:00"}, **fields)


# --- GET /api/v1/households/previous --------------------------------------------------------------------------------

def test_last_years_households_are_offered_as_the_start(session, get, post, enumerator, household, events):
    old = year_record(household, 2024, household_code="LB-002")
    old["members"][0]["name"] = "Hoàng Văn Thắng"
    post(old, enumerator)
    post(year_record(household, 2023, household_code="LB-OLD"), enumerator)  # two years back: not offered
    post(year_record(household, 2025, household_code="LB-NOW"), enumerator)  # this year: not offered
    post(year_record(household, 2024, household_code="LB-001"), enumerator)
    resp = get("/api/v1/households/previous?village=T-06529-01&year=2025", enumerator)
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["review_year"], body["current_review_year"], body["village_code"]) == (2024, 2025, "T-06529-01")
    assert [h["household_code"] for h in body["households"]] == ["LB-001", "LB-002"]
    second = body["households"][1]
    assert second["head_name"] == "Hoàng Văn Thắng" and second["first_id"] == second["version_id"] == old["id"]
    start = second["start"]
    assert start["members"] == old["members"] and start["housing"] == old["housing"]
    assert start["household_code"] == "LB-002" and "income" not in start and "quick_screen" not in start
    audit = events("households.previous_read")
    assert len(audit) == 1 and audit[0].actor_id == enumerator.id and audit[0].target_id == "T-06529-01"
    assert audit[0].detail["count"] == 2 and audit[0].detail["review_year"] == 2024


def test_the_current_version_is_offered_and_set_aside_forms_are_not(session, get, post, enumerator, supervisor,
                                                                      household):
    first = year_record(household, 2024, household_code="LB-001")
    post(first, enumerator)
    fix = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], toilet="none")
    post(fix, enumerator)
    dup = year_record(household, 2024, household_code="LB-009")
    dup_id = post(dup, enumerator).get_json()["submission"]
    from sqlalchemy import select
    from server.core.scoping import unscoped
    from server.submissions.models import Submission
    rows = {s.first_id: s for s in session.execute(unscoped(select(Submission), "test")).scalars()}
    review.set_aside(supervisor, rows[dup["id"]], duplicate_of=rows[first["id"]].id, revision=rows[dup["id"]].revision)
    session.commit()
    body = get("/api/v1/households/previous?village=T-06529-01&year=2025", enumerator).get_json()
    assert [(h["first_id"], h["version_id"]) for h in body["households"]] == [(first["id"], fix["id"])]
    assert body["households"][0]["start"]["toilet"] == "none"
    assert dup_id["id"] == dup["id"]


def test_the_current_review_year_comes_from_the_setting(app, get, post, enumerator, household):
    post(year_record(household, 2022, household_code="LB-22"), enumerator)
    app.config["REVIEW_YEAR"] = 2023
    try:
        body = get("/api/v1/households/previous?village=T-06529-01", enumerator).get_json()
    finally:
        app.config["REVIEW_YEAR"] = 0
    assert body["review_year"] == 2022 and [h["household_code"] for h in body["households"]] == ["LB-22"]


def test_only_the_village_enumerator_and_the_commune_supervisor_may_read(get, make_user, post, enumerator,
                                                                         supervisor, household, events):
    post(year_record(household, 2024), enumerator)
    url = "/api/v1/households/previous?village=T-06529-01&year=2025"
    assert get(url, supervisor).status_code == 200
    other = make_user("enumerator", "T-06529-02")
    resp = get(url, other)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "out_of_scope"
    outside = make_user("supervisor", "05977")
    assert get(url, outside).status_code == 403
    for role in ("officer", "admin"):
        assert get(url, make_user(role, "20")).status_code == 403
    assert len(events("households.previous_read")) == 1  # refusals read nothing


@pytest.mark.parametrize("query, path", [("", "village"), ("?village=06529", "village"),
                                         ("?village=T-06529-01&year=soon", "year"),
                                         ("?village=T-06529-01&year=99999", "year")])
def test_bad_parameters_are_named(get, supervisor, query, path):
    resp = get(f"/api/v1/households/previous{query}", supervisor)
    assert resp.status_code == 422
    assert [f["path"] for f in resp.get_json()["error"]["fields"]] == [path]


def test_a_token_is_needed(client):
    assert client.get("/api/v1/households/previous?village=T-06529-01").status_code == 401


# --- GET /api/v1/submissions/<version_id> ----------------------------------------------------------------------------

def test_a_returned_form_comes_back_with_each_comment_at_its_field(session, get, post, enumerator, supervisor,
                                                                    household, events):
    record = household()
    post(record, enumerator)
    from sqlalchemy import select
    from server.core.scoping import unscoped
    from server.submissions.models import Submission
    form = session.execute(unscoped(select(Submission), "test")).scalar_one()
    review.add_comment(supervisor, form, "Năm sinh không khớp CCCD.", "members[1].birth_date")
    review.act(supervisor, form, "return", revision=form.revision, comment="Sửa năm sinh thành viên 2.")
    session.commit()
    resp = get(f"/api/v1/submissions/{record['id']}", enumerator)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["state"] == "returned" and body["submission"]["state"] == "returned"
    assert body["record"] == record
    assert body["version"] == {"id": record["id"], "number": 1, "current": True, "supersedes": None,
                               "received_at": body["version"]["received_at"]}
    assert [(c["field_path"], c["comment"], c["actor_name"]) for c in body["comments"]] == [
        ("members[1].birth_date", "Năm sinh không khớp CCCD.", supervisor.full_name),
        (None, "Sửa năm sinh thành viên 2.", supervisor.full_name)]
    assert all(c["at"] and c["version_id"] == record["id"] for c in body["comments"])
    audit = events("submission.viewed")
    assert len(audit) == 1 and audit[0].target_id == record["id"] and audit[0].actor_id == enumerator.id


def test_an_older_version_is_marked_not_current(get, post, enumerator, household):
    first = household()
    post(first, enumerator)
    fix = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], toilet="none")
    post(fix, enumerator)
    old = get(f"/api/v1/submissions/{first['id']}", enumerator).get_json()
    new = get(f"/api/v1/submissions/{fix['id']}", enumerator).get_json()
    assert (old["version"]["current"], new["version"]["current"]) == (False, True)
    assert old["record"]["toilet"] == "septic" and new["record"]["toilet"] == "none"
    assert new["version"]["supersedes"] == first["id"] and new["submission"]["id"] == fix["id"]


def test_a_form_outside_the_callers_area_is_not_found(get, make_user, post, enumerator, household, events):
    record = household()
    post(record, enumerator)
    for user in (make_user("enumerator", "T-06529-02"), make_user("supervisor", "05977")):
        resp = get(f"/api/v1/submissions/{record['id']}", user)
        assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert get(f"/api/v1/submissions/{uuid.uuid4()}", enumerator).status_code == 404
    assert get("/api/v1/submissions/not-a-uuid", enumerator).status_code == 404
    assert events("submission.viewed") == []
    assert get(f"/api/v1/submissions/{record['id']}", make_user("admin", "20")).status_code == 403
