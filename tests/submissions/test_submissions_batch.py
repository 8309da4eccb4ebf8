"""POST /api/v1/submissions/batch: one transaction, one result per record with the single post's status and body."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from server.core.scoping import unscoped
from server.submissions.models import ReviewEvent, Submission, SubmissionVersion


def count(session, model) -> int:
    return session.scalar(unscoped(select(func.count()).select_from(model), "test"))


@pytest.fixture
def batch(client, bearer):
    """Factory: batch(records_or_body, user) → the response of POST /api/v1/submissions/batch."""
    tokens = {}

    def send(records, user, **kw):
        if user.id not in tokens:
            tokens[user.id] = bearer(user)
        body = {"records": records} if isinstance(records, list) else records
        if isinstance(body, (bytes, str)):
            return client.post("/api/v1/submissions/batch", data=body, content_type="application/json",
                               headers=tokens[user.id])
        return client.post("/api/v1/submissions/batch", json=body, headers=tokens[user.id], **kw)

    return send


def test_each_record_gets_the_answer_the_single_post_gives(session, batch, post, enumerator, household, app):
    records = [household(household_code=f"LB-{i}") for i in range(3)]
    resp = batch(records, enumerator)
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [(rec["id"], 201) for rec in records]
    assert count(session, Submission) == count(session, SubmissionVersion) == 3
    # the body is what the single post answers for the same record (a retry of it now: 200, same summary)
    single = post(records[1], enumerator)
    assert single.status_code == 200
    assert results[1]["body"] == single.get_json()


def test_a_refused_record_keeps_its_error_and_undoes_only_itself(session, batch, enumerator, household):
    good, bad, other_village, also_good = household(), household(water_source="river"), \
        household(village_code="T-06529-02"), household()
    resp = batch([good, bad, other_village, also_good, "not a record"], enumerator)
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [r["status"] for r in results] == [201, 422, 403, 201, 400]
    assert results[1]["body"]["error"]["code"] == "validation_failed"
    assert "water_source" in {f["path"] for f in results[1]["body"]["error"]["fields"]}
    assert results[1]["id"] == bad["id"] and results[4]["id"] is None
    assert results[2]["body"]["error"]["code"] == "out_of_scope"
    assert results[4]["body"]["error"]["code"] == "invalid_json"
    stored = set(session.execute(unscoped(select(SubmissionVersion.id), "test")).scalars())
    assert stored == {good["id"], also_good["id"]}
    # each kept record has its history step once
    assert count(session, ReviewEvent) == 2


def test_the_same_batch_sent_again_after_a_lost_answer_is_all_200(session, batch, enumerator, household):
    records = [household() for _ in range(4)]
    first = batch(records, enumerator).get_json()["results"]
    again = batch(records, enumerator).get_json()["results"]
    assert [r["status"] for r in first] == [201] * 4 and [r["status"] for r in again] == [200] * 4
    assert [r["body"]["submission"]["id"] for r in again] == [r["id"] for r in records]
    assert count(session, Submission) == count(session, SubmissionVersion) == 4


def test_a_record_twice_in_one_batch_is_stored_once(session, batch, enumerator, household):
    record = household()
    changed = dict(record, toilet="none")
    results = batch([record, record, changed], enumerator).get_json()["results"]
    assert [r["status"] for r in results] == [201, 200, 409]
    assert results[2]["body"]["error"]["code"] == "submission_conflict"
    assert count(session, Submission) == count(session, SubmissionVersion) == 1


def test_a_correction_in_the_same_batch_as_its_original(session, batch, enumerator, household):
    first = household()
    fix = dict(first, id=str(uuid.uuid4()), supersedes=first["id"], toilet="none")
    results = batch([first, fix, fix], enumerator).get_json()["results"]
    assert [r["status"] for r in results] == [201, 201, 200]
    assert results[1]["body"]["submission"]["version"] == 2
    assert count(session, Submission) == 1 and count(session, SubmissionVersion) == 2


def test_more_records_than_the_most_is_413_naming_records(session, app, batch, enumerator, household):
    most = app.config["SUBMISSIONS_BATCH_MAX"]
    resp = batch([household() for _ in range(most + 1)], enumerator)
    assert resp.status_code == 413
    error = resp.get_json()["error"]
    assert error["code"] == "payload_too_large" and error["fields"][0]["path"] == "records"
    assert str(most) in error["fields"][0]["message"]["en"]
    assert count(session, SubmissionVersion) == 0
    assert batch([household() for _ in range(most)], enumerator).status_code == 200


@pytest.mark.parametrize("body, status, path", [
    (b"", 400, None), (b"not json", 400, None), (b"[1, 2]", 400, "body"), (b'{"records": {"a": 1}}', 422, "records"),
    (b'{"records": [], "extra": 1}', 422, "extra"), (b'{}', 422, "records"), (b'"records"', 400, "body"),
    (b'{"records": null}', 422, "records"), (b"{" * 100_000, 400, None),
])
def test_a_hostile_body_is_refused_naming_what_is_wrong(session, batch, enumerator, body, status, path):
    resp = batch(body, enumerator)
    assert resp.status_code == status
    error = resp.get_json()["error"]
    if path is not None:
        assert path in {f["path"] for f in error["fields"]}
    assert error["message"]["vi"] and error["message"]["en"]
    assert count(session, SubmissionVersion) == 0


def test_hostile_records_inside_a_batch_each_get_their_error(session, batch, enumerator, household):
    deep = {"id": str(uuid.uuid4())}
    node = deep
    for _ in range(200):
        node["x"] = {}
        node = node["x"]
    records = [None, 5, [], {"id": 7}, {"id": "x" * 10_000}, deep, {"kind": "tax"}, household(name="\x00")]
    results = batch(records, enumerator).get_json()["results"]
    assert len(results) == len(records)
    assert all(400 <= r["status"] < 500 and r["body"]["error"]["code"] for r in results)
    assert results[3]["id"] is None  # not a string: not echoed as an id
    assert count(session, SubmissionVersion) == 0


def test_an_empty_batch_is_an_empty_answer(batch, enumerator):
    resp = batch([], enumerator)
    assert resp.status_code == 200 and resp.get_json() == {"results": []}


def test_only_enumerators_and_supervisors_may_post_and_a_token_is_needed(client, make_user, batch, household):
    for role in ("officer", "admin"):
        assert batch([household()], make_user(role, "20")).status_code == 403
    assert client.post("/api/v1/submissions/batch", json={"records": []}).status_code == 401


def test_the_batch_is_one_transaction_committed_before_the_answer(session, batch, enumerator, household,
                                                                   monkeypatch):
    """A failing commit answers 500 for the whole batch (nothing acknowledged, nothing kept), as the single post."""
    from server.extensions import db

    assert batch([], enumerator).status_code == 200  # the token is issued (and committed) before commits fail

    def fail():
        raise RuntimeError("disk full")
    monkeypatch.setattr(db.session, "commit", fail)
    resp = batch([household(), household()], enumerator)
    assert resp.status_code == 500 and resp.get_json()["error"]["code"] == "internal_error"
    monkeypatch.undo()
    assert count(session, SubmissionVersion) == 0


# Races with real commits (tests/live_db.py): two phones sync the same rescue file at the same instant -----------------

PEOPLE = (("enum", "enumerator", "T-06529-01"), ("sup", "supervisor", "06529"))


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory):
    from live_db import committed_app

    with committed_app(backend, tmp_path_factory.mktemp(f"batch-race-{backend}"), people=PEOPLE) as (app, tokens):
        yield app, tokens


def test_the_same_records_in_batches_at_once_are_stored_once(live):
    from live_db import at_once
    from poverty_records import base_record

    from server.extensions import db

    app, tokens = live
    shared = [base_record() for _ in range(6)]
    own = [[base_record()] for _ in range(4)]

    def send(i):
        headers = tokens["enum" if i % 2 else "sup"]
        # each phone sends the shared records (in its own order) and one of its own
        records = (shared if i % 2 else shared[::-1]) + own[i]
        resp = app.test_client().post("/api/v1/submissions/batch", json={"records": records}, headers=headers)
        return resp.status_code, resp.get_json()
    results = at_once(4, send)
    assert [status for status, _ in results] == [200] * 4
    created = {}
    for _, body in results:
        for r in body["results"]:
            assert r["status"] in (200, 201), r
            created[r["id"]] = created.get(r["id"], 0) + (r["status"] == 201)
    # every record was acknowledged, and created exactly once whoever came first
    assert set(created) == {r["id"] for r in shared} | {r[0]["id"] for r in own}
    assert set(created.values()) == {1}
    with app.app_context():
        ids = [r["id"] for r in shared] + [r[0]["id"] for r in own]
        stmt = select(func.count()).select_from(SubmissionVersion).where(SubmissionVersion.id.in_(ids))
        assert db.session.scalar(unscoped(stmt, "test")) == len(ids)
        stmt = select(func.count()).select_from(Submission).where(Submission.first_id.in_(ids))
        assert db.session.scalar(unscoped(stmt, "test")) == len(ids)
        db.session.remove()
