"""GET /api/v1/records: the household records as JSON Lines by sync cursor, for the provincial system.

A pull never skips a change and never sends one (form, revision) twice, also when forms change between its pages
and while others post and approve at the same instant (committed transactions, both backends)."""

from __future__ import annotations

import json
import threading

import pytest
from live_db import committed_app
from poverty_records import base_record
from sqlalchemy import select

from server.accounts.models import User
from server.core.scoping import unscoped
from server.extensions import db
from server.review.operations import act, get_submission
from server.submissions.models import Submission

URL = "/api/v1/records"


def pull(client, headers, since="", **params):
    params = {"purpose": "đồng bộ hệ thống tỉnh", "since": since, **params}
    return client.get(URL, query_string=params, headers=headers)


def lines(response) -> list[dict]:
    return [json.loads(x) for x in response.get_data(as_text=True).splitlines()]


def pull_all(client, headers, since="", limit=2):
    seen = []
    while True:
        answer = pull(client, headers, since, limit=limit)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        seen += lines(answer)
        since = answer.headers["RaSoat-Cursor"]
        if answer.headers["RaSoat-More"] == "false":
            return seen, since


@pytest.fixture
def officer(make_user):
    return make_user("officer", "20")


def test_lines_are_the_records_with_their_state_and_class(client, bearer, post, enumerator, household, officer,
                                                          events):
    record = household()
    assert post(record, enumerator).status_code == 201
    answer = pull(client, bearer(officer))
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    [line] = lines(answer)
    assert line["first_id"] == record["id"] and line["state"] == "submitted"
    assert line["record"]["members"] == record["members"] and line["class"] in ("poor", "near_poor", "middle",
                                                                                 "not_poor")
    assert line["classification"]["deficits"] is not None
    assert answer.headers["RaSoat-Cursor"] == line["cursor"] and answer.headers["RaSoat-More"] == "false"
    event = events("records.exported")[-1]
    assert event.actor_id == officer.id and event.detail["count"] == 1
    assert event.detail["purpose"] == "đồng bộ hệ thống tỉnh"


def test_changes_between_pages_are_met_again_never_skipped_nor_repeated(client, bearer, post, enumerator,
                                                                        supervisor, household, officer, session):
    records = [household() for _ in range(5)]
    for r in records:
        assert post(r, enumerator).status_code == 201
    headers = bearer(officer)
    first = pull(client, headers, limit=2)
    page1 = lines(first)
    assert [x["first_id"] for x in page1] == [r["id"] for r in records[:2]]
    # between pages: a form already read and one not yet read change (approved)
    for r in (records[0], records[3]):
        sid = session.execute(unscoped(select(Submission.id).where(Submission.first_id == r["id"]), "t")).scalar()
        act(supervisor, get_submission(supervisor, sid), "approve", revision=1)
        session.commit()
    rest, _ = pull_all(client, headers, first.headers["RaSoat-Cursor"])
    seen = page1 + rest
    pairs = [(x["first_id"], x["revision"]) for x in seen]
    assert len(pairs) == len(set(pairs))  # no (form, revision) twice
    newest = {}
    for x in seen:
        newest[x["first_id"]] = x
    assert set(newest) == {r["id"] for r in records}  # nothing skipped
    assert newest[records[0]["id"]]["state"] == newest[records[3]["id"]]["state"] == "approved"
    assert [x["first_id"] for x in rest].count(records[3]["id"]) == 1


@pytest.mark.parametrize("params,field", [({"purpose": ""}, "purpose"), ({"limit": "0"}, "limit"),
                                          ({"limit": "10001"}, "limit"), ({"year": "20x"}, "year"),
                                          ({"since": "abc"}, "since")])
def test_bad_parameters_are_422_naming_them(client, bearer, officer, params, field, events):
    answer = pull(client, bearer(officer), **params)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"][0]["path"] == field
    assert events("records.exported") == []


def test_who_may_read_and_where(client, bearer, officer, enumerator, supervisor, make_user):
    assert pull(client, bearer(enumerator)).status_code == 403
    assert pull(client, bearer(supervisor)).status_code == 403
    assert pull(client, bearer(officer), unit="04").status_code == 403  # Cao Bằng: outside the area
    assert pull(client, bearer(officer), unit="99999").status_code == 404
    assert pull(client, {}).status_code == 401
    assert pull(client, bearer(officer), since="ffff.1").status_code == 409  # another epoch: pull again


def test_a_puller_during_concurrent_posts_and_approvals_ends_with_every_form_once_per_revision(backend,
                                                                                              tmp_path_factory):
    people = (("enum", "enumerator", "T-06529-01"), ("sup", "supervisor", "06529"), ("prov", "officer", "20"))
    with committed_app(backend, tmp_path_factory.mktemp(f"records-{backend}"), people=people) as (app, tokens):
        posted = [base_record() for _ in range(16)]
        done = threading.Event()
        seen: list[dict] = []
        errors: list = []

        def write():
            try:
                for i, record in enumerate(posted):
                    assert app.test_client().post("/api/v1/submissions", json=record,
                                                  headers=tokens["enum"]).status_code == 201
                    if i % 2:  # approve an earlier one: a change to a form the puller may have read
                        with app.test_request_context(method="POST"):
                            sup = db.session.execute(unscoped(select(User).where(User.username == "sup"),
                                                              "t")).scalar_one()
                            sid = db.session.execute(unscoped(select(Submission.id).where(
                                Submission.first_id == posted[i - 1]["id"]), "t")).scalar_one()
                            act(sup, get_submission(sup, sid), "approve", revision=1)
                            db.session.commit()
                            db.session.remove()
            except Exception as exc:  # reported by the test thread
                errors.append(exc)
            finally:
                done.set()

        def read():
            cursor = ""
            while True:
                finished = done.is_set()
                answer = pull(app.test_client(), tokens["prov"], cursor, limit=3)
                assert answer.status_code == 200
                seen.extend(lines(answer))
                cursor = answer.headers["RaSoat-Cursor"]
                if finished and answer.headers["RaSoat-More"] == "false":
                    return

        writer = threading.Thread(target=write)
        writer.start()
        read()
        writer.join(timeout=120)
        assert not errors
        pairs = [(x["first_id"], x["revision"]) for x in seen]
        assert len(pairs) == len(set(pairs))
        newest = {}
        for x in seen:
            newest[x["first_id"]] = x["revision"]
        with app.app_context():
            stored = dict(db.session.execute(unscoped(select(Submission.first_id, Submission.revision), "t")).all())
        assert newest == stored  # every form, at its final revision
