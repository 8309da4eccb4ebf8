"""Two supervisors recording the same commune decision at once, with real commits (issue 10, item 8).

The same number and date is one decision: both sittings' households are recognised by it. The same number with
another date is refused at the date; the same households cannot be recognised twice. Each case runs on its own
committed database (no rolled-back test transaction), on SQLite and on PostgreSQL. The second supervisor starts
while the first's decision is inserted but not committed: PostgreSQL makes the second INSERT wait for the first
commit and then fail on the unique (commune, number), which used to answer 500.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from live_db import committed_app
from poverty_records import base_record, person
from sqlalchemy import func, select

from server.core.db import local_today
from server.core.scoping import unscoped
from server.extensions import db
from server.review.models import CommuneDecision
from server.submissions.models import Submission


def today():
    """Today in Vietnam, read when used: a run may cross midnight there (17:00 UTC)."""
    return local_today()


PEOPLE = (("enum", "enumerator", "T-06529-01"), ("sup-a", "supervisor", "06529"), ("sup-b", "supervisor", "06529"))


@pytest.fixture(scope="module")
def live(backend, tmp_path_factory):
    """An app on its own committed database, with an enumerator and two supervisors holding tokens."""
    with committed_app(backend, tmp_path_factory.mktemp(f"decision-race-{backend}"), people=PEOPLE) as (app, tokens):
        yield app, tokens


def _user(name):
    from server.accounts.models import User

    return db.session.execute(unscoped(select(User).where(User.username == name), "test")).scalar_one()


def agreed(app, tokens, n, monkeypatch) -> list[int]:
    """n household forms brought to "agreed", committed: approved ten days ago, agreed at a meeting five days ago
    (so that a decision may be dated any day since)."""
    from server.core.db import utcnow
    from server.review.operations import act, get_submission, record_meeting
    from server.submissions import history

    ten_days_ago = utcnow() - timedelta(days=10)
    monkeypatch.setattr(history, "utcnow", lambda: ten_days_ago)

    ids = []
    for i in range(n):
        record = base_record(members=[person(1, name=f"Hộ Thử {time.time_ns()} {i}"), person(2)])
        assert app.test_client().post("/api/v1/submissions", json=record, headers=tokens["enum"]).status_code == 201
        with app.test_request_context(method="POST"):
            sup = _user("sup-a")
            sid = db.session.execute(unscoped(select(Submission.id).where(Submission.first_id == record["id"]),
                                              "test")).scalar_one()
            act(sup, get_submission(sup, sid), "approve", revision=1)
            db.session.commit()
            record_meeting(sup, village_code="T-06529-01", held_on=today() - timedelta(days=5), attendees=10,
                           minutes_ref=None, note=None, votes={sid: (2, 10)})
            db.session.commit()
            db.session.remove()
        ids.append(sid)
    monkeypatch.undo()
    return ids


def one_after_another(app, steps):
    """Run two supervisors' steps: the first takes its step and holds its transaction open a moment; the second
    starts meanwhile. Each step is a function of nothing, run in a request of its own; returns their outcomes
    ("won", or a problem code with its first field, or the error's repr)."""
    taken = threading.Event()
    results = [None, None]

    def run(i):
        if i == 1:
            taken.wait(10)
        with app.test_request_context(method="POST"):
            try:
                steps[i]()
                if i == 0:
                    taken.set()
                    time.sleep(0.5)  # the second supervisor's request runs into this open transaction
                db.session.commit()
                results[i] = "won"
            except Exception as exc:  # noqa: BLE001 - the loser's problem is the point of the test
                db.session.rollback()
                fields = getattr(exc, "fields", None)
                results[i] = (getattr(exc, "code", repr(exc)), fields[0]["path"] if fields else None)
            finally:
                taken.set()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def race(app, calls):
    """Two decisions, one after another as above: `calls` is [(supervisor, number, signed_on, form ids)]."""
    from server.review.operations import record_decision

    def decide(name, number, signed_on, ids):
        user = _user(name)
        revisions = dict(db.session.execute(unscoped(
            select(Submission.id, Submission.revision).where(Submission.id.in_(ids)), "test")).all())
        record_decision(user, commune_code="06529", number=number, signed_on=signed_on, revisions=revisions)

    return one_after_another(app, [lambda call=call: decide(*call) for call in calls])


def decisions(app, number):
    with app.app_context():
        rows = db.session.execute(unscoped(select(CommuneDecision.id).where(CommuneDecision.number == number),
                                           "test")).scalars().all()
        db.session.remove()
        return rows


def states(app, ids):
    with app.app_context():
        rows = db.session.execute(unscoped(select(Submission.id, Submission.state, Submission.decision_id)
                                           .where(Submission.id.in_(ids)), "test")).all()
        db.session.remove()
        return {r.id: (r.state, r.decision_id) for r in rows}


def test_the_same_decision_entered_at_once_is_one_decision_for_both(live, monkeypatch):
    app, tokens = live
    first, second = agreed(app, tokens, 2, monkeypatch)
    results = race(app, [("sup-a", "41/QĐ-UBND", today(), [first]), ("sup-b", "41/QĐ-UBND", today(), [second])])
    assert results == ["won", "won"]
    [decision_id] = decisions(app, "41/QĐ-UBND")
    assert states(app, [first, second]) == {first: ("recognised", decision_id), second: ("recognised", decision_id)}


def test_the_same_number_with_another_date_at_once_is_refused_at_the_date(live, monkeypatch):
    app, tokens = live
    first, second = agreed(app, tokens, 2, monkeypatch)
    results = race(app, [("sup-a", "42/QĐ-UBND", today(), [first]),
                         ("sup-b", "42/QĐ-UBND", today() - timedelta(days=2), [second])])
    assert results == ["won", ("validation_failed", "signed_on")]
    assert len(decisions(app, "42/QĐ-UBND")) == 1
    assert states(app, [second])[second][0] == "agreed"


def test_the_same_households_at_once_are_recognised_once(live, monkeypatch):
    app, tokens = live
    (only,) = agreed(app, tokens, 1, monkeypatch)
    results = race(app, [("sup-a", "43/QĐ-UBND", today(), [only]), ("sup-b", "43/QĐ-UBND", today(), [only])])
    # The loser is told the form changed (PostgreSQL: it read it before the winner's commit) or is no longer
    # agreed (SQLite: one writer at a time, it read it after): a 409 either way.
    assert results[0] == "won" and results[1] in (("changed_meanwhile", None), ("invalid_transition", None))
    assert len(decisions(app, "43/QĐ-UBND")) == 1


def test_no_decision_is_left_behind_by_a_refused_entry(live):
    app, _tokens = live
    with app.app_context():
        count = db.session.execute(unscoped(select(func.count()).select_from(CommuneDecision), "test")).scalar_one()
        db.session.remove()
    assert count == len({*decisions(app, "41/QĐ-UBND"), *decisions(app, "42/QĐ-UBND"), *decisions(app, "43/QĐ-UBND")})


def test_two_forms_set_aside_as_each_others_duplicate_at_once_leave_one_kept(live):
    from server.review.operations import get_submission, set_aside

    app, tokens = live
    ids = []
    for i in range(2):
        record = base_record(members=[person(1, name=f"Hộ Trùng {time.time_ns()} {i}"), person(2)])
        assert app.test_client().post("/api/v1/submissions", json=record, headers=tokens["enum"]).status_code == 201
        with app.app_context():
            ids.append(db.session.execute(unscoped(select(Submission.id).where(Submission.first_id == record["id"]),
                                                   "test")).scalar_one())
            db.session.remove()

    def aside(name, mine, theirs):
        user = _user(name)
        set_aside(user, get_submission(user, mine), duplicate_of=theirs, revision=1)

    results = one_after_another(app, [lambda: aside("sup-a", ids[0], ids[1]), lambda: aside("sup-b", ids[1], ids[0])])
    # The second finds the first's form set aside: it is told to choose the form that is kept.
    assert results == ["won", ("validation_failed", "duplicate_of")], results
    with app.app_context():
        rows = db.session.execute(unscoped(select(Submission.id, Submission.duplicate_of_id)
                                           .where(Submission.id.in_(ids)), "test")).all()
        db.session.remove()
    assert sum(1 for _, dup in rows if dup is not None) == 1  # one form set aside, the other kept
