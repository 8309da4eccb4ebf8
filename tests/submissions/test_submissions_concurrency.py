"""Races with real commits: identical posts at the same instant, two corrections, two supervisors at once.

These run against their own database with committed transactions (no rolled-back test transaction), one
thread per client, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from live_db import at_once, committed_app
from poverty_records import base_record
from sqlalchemy import func, select

from server.core.scoping import unscoped
from server.extensions import db
from server.submissions.models import Submission, SubmissionVersion

THREADS = 8




PEOPLE = (("enum", "enumerator", "T-06529-01"), ("sup-a", "supervisor", "06529"), ("sup-b", "supervisor", "06529"))


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory):
    """An app on its own committed database, with an enumerator and two supervisors holding tokens."""
    with committed_app(backend, tmp_path_factory.mktemp(f"race-{backend}"), people=PEOPLE) as (app, tokens):
        yield app, tokens




def post(app, headers, record):
    resp = app.test_client().post("/api/v1/submissions", json=record, headers=headers)
    return resp.status_code, resp.get_json()


def rows(app, model, **where):
    with app.app_context():
        stmt = select(func.count()).select_from(model).filter_by(**where)
        n = db.session.scalar(unscoped(stmt, "test"))
        db.session.remove()
        return n


def test_identical_posts_at_the_same_instant_store_one_row(live):
    app, tokens = live
    record = base_record()
    results = at_once(THREADS, lambda i: post(app, tokens["enum"], record))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert rows(app, SubmissionVersion, id=record["id"]) == 1
    assert rows(app, Submission, first_id=record["id"]) == 1
    assert {body["submission"]["id"] for _, body in results} == {record["id"]}


def test_the_same_id_with_different_content_at_once_stores_one_and_refuses_the_others(live):
    app, tokens = live
    record = base_record()
    variants = [dict(record, household_code=f"H-{i}") for i in range(THREADS)]
    results = at_once(THREADS, lambda i: post(app, tokens["enum"], variants[i]))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1)
    assert {body["error"]["code"] for status, body in results if status == 409} == {"submission_conflict"}
    assert rows(app, SubmissionVersion, id=record["id"]) == 1


def test_two_corrections_of_the_same_version_cannot_both_land(live):
    app, tokens = live
    first = base_record()
    assert post(app, tokens["enum"], first)[0] == 201
    corrections = [dict(first, id=str(uuid.uuid4()), supersedes=first["id"], household_code=f"C-{i}")
                   for i in range(THREADS)]
    results = at_once(THREADS, lambda i: post(app, tokens["enum"], corrections[i]))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (THREADS - 1)
    assert {body["error"]["code"] for status, body in results if status == 409} == {"stale_version"}
    assert rows(app, SubmissionVersion, supersedes=first["id"]) == 1


def test_two_supervisors_acting_at_once_cannot_both_win(live):
    from server.review.operations import act, get_submission
    from server.accounts.models import User

    app, tokens = live
    record = base_record()
    status, body = post(app, tokens["enum"], record)
    assert status == 201
    with app.app_context():
        submission_id = db.session.execute(unscoped(
            select(Submission.id).where(Submission.first_id == record["id"]), "test")).scalar_one()
        db.session.remove()

    def decide(i):
        action = "approve" if i % 2 else "return"
        with app.test_request_context(method="POST"):
            user = db.session.execute(unscoped(select(User).where(User.username == ("sup-a", "sup-b")[i % 2]),
                                               "test")).scalar_one()
            try:
                submission = get_submission(user, submission_id)
                act(user, submission, action, revision=1, comment="Kiểm tra lại")
                db.session.commit()
                return "won"
            except Exception as exc:  # noqa: BLE001 - the loser's problem is the point of the test
                db.session.rollback()
                return getattr(exc, "code", repr(exc))
            finally:
                db.session.remove()

    results = at_once(4, decide)
    assert sorted(results) == ["changed_meanwhile"] * 3 + ["won"]
    with app.app_context():
        sub = db.session.execute(unscoped(select(Submission).where(Submission.id == submission_id), "t")).scalar_one()
        assert sub.revision == 2 and sub.state in ("approved", "returned")
        db.session.remove()


def test_a_reader_polling_during_concurrent_posts_misses_nothing(live):
    """Cursors follow commit order, so a reader that resumes from its cursor never skips a later commit."""
    app, tokens = live
    writers, per_writer, readers = 4, 6, 2
    records = [[base_record() for _ in range(per_writer)] for _ in range(writers)]
    done = threading.Event()
    cursor0 = app.test_client().get("/api/v1/submissions?since=0&limit=500", headers=tokens["sup-a"]).get_json()
    while cursor0["more"]:
        cursor0 = app.test_client().get(f"/api/v1/submissions?since={cursor0['cursor']}&limit=500",
                                        headers=tokens["sup-a"]).get_json()

    def poll(cursor, seen):
        page = app.test_client().get(f"/api/v1/submissions?since={cursor}&limit=500", headers=tokens["sup-a"])
        body = page.get_json()
        seen.update(item["id"] for item in body["items"])
        return body["cursor"]

    def work(i):
        if i < writers:
            statuses = [post(app, tokens["enum"], r)[0] for r in records[i]]
            return statuses
        cursor, seen = cursor0["cursor"], set()
        while not done.is_set():
            cursor = poll(cursor, seen)
        poll(cursor, seen)
        return seen

    threads_results = {}

    def runner(i):
        threads_results[i] = work(i)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(writers + readers)]
    for t in threads:
        t.start()
    for t in threads[:writers]:
        t.join(timeout=120)
    done.set()
    for t in threads[writers:]:
        t.join(timeout=60)
    posted = {r["id"] for batch in records for r in batch}
    assert all(status == 201 for i in range(writers) for status in threads_results[i])
    for i in range(writers, writers + readers):
        assert posted <= threads_results[i]


def test_reads_that_write_beside_posts_never_fail(live):
    """A plain pull, an audited read and posts at the same instant: on SQLite a read that began reading and then
    wrote (the token's last use, an audit entry) could not take the write lock once a post had committed, and
    answered 500. Every answer here is a 2xx."""
    from server.accounts.models import ApiToken

    app, tokens = live
    stored = base_record()
    assert post(app, tokens["enum"], stored)[0] == 201
    with app.app_context():
        db.session.execute(unscoped(ApiToken.__table__.update().values(last_used_at=None), "test"))
        db.session.commit()
        db.session.remove()
    client = app.test_client

    def act(i):
        kind = i % 3
        if kind == 0:
            return post(app, tokens["enum"], base_record())[0]
        if kind == 1:
            return client().get("/api/v1/submissions", headers=tokens["enum"]).status_code
        return client().get(f"/api/v1/submissions/{stored['id']}", headers=tokens["sup-a"]).status_code

    for _ in range(3):
        statuses = at_once(9, act)
        assert all(200 <= s < 300 for s in statuses), statuses
