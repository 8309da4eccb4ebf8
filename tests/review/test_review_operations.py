"""Review steps: every action from every state, allowed or refused; stale revisions; meeting and decision."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from server.core.errors import Problem
from server.core.scoping import unscoped
from server.submissions.models import ReviewEvent
from server.core.db import local_today
from server.review.operations import act, add_comment, get_submission, record_decision, record_meeting
from server.submissions.lifecycle import STATE_LABELS
from server.submissions.models import Submission


def today():
    """Today in Vietnam, read when used: a run may cross midnight there (17:00 UTC)."""
    return local_today()

# The procedure written out independently of server/submissions/lifecycle.py (poverty-review.md §3.5).
ALLOWED = {
    "submitted": {"return", "approve"},
    "returned": set(),
    "resubmitted": {"return", "approve"},
    "approved": {"agree", "resurvey"},
    "agreed": {"recognise"},
    "resurvey": set(),
    "recognised": set(),
}
CORRECTABLE = {"submitted", "returned", "resubmitted", "resurvey"}
ACTIONS = ("return", "approve", "agree", "resurvey", "recognise")
TARGET = {"return": "returned", "approve": "approved", "agree": "agreed", "resurvey": "resurvey",
          "recognise": "recognised"}


@pytest.fixture
def reach(session, post, enumerator, supervisor, household):
    """Factory: reach(state) → a household form brought to `state` through the real steps."""

    def step(submission, action, **kw):
        act(supervisor, submission, action, revision=submission.revision, comment="Lý do", **kw)
        session.commit()  # each step is its own request

    def correct(submission, record):
        fixed = dict(record, id=str(uuid.uuid4()), supersedes=submission.current_id)
        assert post(fixed, enumerator).status_code == 201
        session.refresh(submission)

    def make(state):
        record = household()
        assert post(record, enumerator).status_code == 201
        submission = session.execute(unscoped(
            select(Submission).where(Submission.first_id == record["id"]), "test")).scalar_one()
        path = {"submitted": [], "returned": ["return"], "resubmitted": ["return", "correct"],
                "approved": ["approve"], "agreed": ["approve", "agree"], "resurvey": ["approve", "resurvey"],
                "recognised": ["approve", "agree", "recognise"]}[state]
        for action in path:
            if action == "correct":
                correct(submission, record)
            elif action == "recognise":
                record_decision(supervisor, commune_code="06529", number=f"{uuid.uuid4().hex[:6]}/QĐ-UBND",
                                signed_on=today(), revisions={submission.id: submission.revision})
                session.commit()
                session.refresh(submission)
            else:
                step(submission, action)
        assert submission.state == state
        return submission, record

    return make


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_every_state(session, reach, supervisor, state, action):
    submission, _ = reach(state)
    before = submission.revision
    if action in ALLOWED[state]:
        if action == "recognise":
            record_decision(supervisor, commune_code="06529", number="12/QĐ-UBND", signed_on=today(),
                            revisions={submission.id: before})
        else:
            act(supervisor, submission, action, revision=before, comment="Lý do")
        session.refresh(submission)
        assert submission.state == TARGET[action] and submission.revision == before + 1
        last = session.execute(unscoped(select(ReviewEvent).where(ReviewEvent.submission_id == submission.id)
                                        .order_by(ReviewEvent.id.desc()).limit(1), "test")).scalar_one()
        assert (last.action, last.from_state, last.to_state, last.actor_id) == (action, state, TARGET[action],
                                                                              supervisor.id)
    else:
        with pytest.raises(Problem) as refused:
            act(supervisor, submission, action, revision=before, comment="Lý do")
        assert refused.value.code == "invalid_transition"
        message = refused.value.to_dict()["message"]
        # People read the state's and the step's names, never their codes.
        assert STATE_LABELS[state][0] in message["vi"] and STATE_LABELS[state][1] in message["en"]
        assert f"'{state}'" not in message["en"] and f"'{action}'" not in message["en"]
        session.refresh(submission)
        assert submission.state == state and submission.revision == before


@pytest.mark.parametrize("state", list(ALLOWED))
def test_a_correction_is_accepted_only_before_approval(session, reach, post, enumerator, state):
    submission, record = reach(state)
    fixed = dict(record, id=str(uuid.uuid4()), supersedes=submission.current_id, toilet="none")
    resp = post(fixed, enumerator)
    session.refresh(submission)
    if state in CORRECTABLE:
        assert resp.status_code == 201
        assert submission.state == ("submitted" if state == "submitted" else "resubmitted")
        assert submission.current_id == fixed["id"]
    else:
        assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "submission_locked"
        assert submission.state == state


def test_a_step_on_a_stale_revision_is_refused(session, reach, supervisor):
    submission, _ = reach("submitted")
    act(supervisor, submission, "return", revision=1, comment="Thiếu ảnh")
    with pytest.raises(Problem) as refused:
        act(supervisor, submission, "approve", revision=1)
    assert refused.value.code == "changed_meanwhile"


@pytest.mark.parametrize("action", ["return", "resurvey"])
def test_returning_or_sending_back_needs_a_reason(reach, supervisor, action):
    submission, _ = reach("submitted" if action == "return" else "approved")
    with pytest.raises(Problem) as refused:
        act(supervisor, submission, action, revision=submission.revision, comment="  ")
    assert refused.value.fields[0]["path"] == "comment"


def test_a_supervisor_of_another_commune_does_not_find_the_form(reach, make_user):
    submission, _ = reach("submitted")
    with pytest.raises(Problem) as hidden:
        get_submission(make_user("supervisor", "05977"), submission.id)
    assert hidden.value.code == "not_found"


def test_comments_on_the_form_and_on_one_answer_reach_the_phone(client, bearer, reach, supervisor, enumerator):
    submission, _ = reach("submitted")
    add_comment(supervisor, submission, "Kiểm tra lại nghề nghiệp", field_path="members[1].employment")
    act(supervisor, submission, "return", revision=submission.revision, comment="Sửa giúp mục việc làm")
    page = client.get("/api/v1/submissions", headers=bearer(enumerator)).get_json()
    item = page["items"][0]
    assert item["state"] == "returned" and item["with_enumerator"] is True
    assert [(c["field"], c["text"]) for c in item["comments"]] == [
        ("members[1].employment", "Kiểm tra lại nghề nghiệp"), (None, "Sửa giúp mục việc làm")]


def test_a_comment_needs_text_and_a_well_formed_path(reach, supervisor):
    submission, _ = reach("submitted")
    with pytest.raises(Problem):
        add_comment(supervisor, submission, "")
    with pytest.raises(Problem) as bad:
        add_comment(supervisor, submission, "x", field_path="members[1]..name")
    assert bad.value.fields[0]["path"] == "field_path"


@pytest.mark.parametrize("attendees,votes,outcome", [(40, 20, "agreed"), (40, 40, "agreed"), (41, 20, "resurvey"),
                                                    (40, 0, "resurvey"), (1, 1, "agreed")])
def test_the_village_meeting_agrees_with_at_least_half_of_the_attendees(session, reach, supervisor, attendees, votes,
                                                                        outcome):
    submission, _ = reach("approved")
    meeting = record_meeting(supervisor, village_code="T-06529-01", held_on=today(), attendees=attendees,
                             minutes_ref="BB-01", note=None, votes={submission.id: (submission.revision, votes)})
    session.refresh(submission)
    assert submission.state == outcome and submission.meeting_id == meeting.id


def test_a_meeting_is_all_or_nothing(session, reach, supervisor):
    good, _ = reach("approved")
    not_ready, _ = reach("submitted")
    with pytest.raises(Problem) as refused:
        record_meeting(supervisor, village_code="T-06529-01", held_on=today(), attendees=30, minutes_ref=None,
                       note=None, votes={good.id: (good.revision, 30), not_ready.id: (not_ready.revision, 30)})
    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize("kw,path", [({"attendees": 0}, "attendees"),
                                     ({"held_on": today() + timedelta(days=1)}, "held_on"),
                                     ({"votes_for": 31}, "votes[{id}]")])
def test_a_meeting_with_impossible_figures_is_refused_naming_the_field(reach, supervisor, kw, path):
    submission, _ = reach("approved")
    kw = dict(kw)
    votes_for = kw.pop("votes_for", 10)
    args = {"village_code": "T-06529-01", "held_on": today(), "attendees": 30, "minutes_ref": None, "note": None,
            "votes": {submission.id: (submission.revision, votes_for)}}
    args.update(kw)
    with pytest.raises(Problem) as refused:
        record_meeting(supervisor, **args)
    assert refused.value.fields[0]["path"] == path.format(id=submission.id)


def test_a_household_of_another_village_cannot_be_put_to_this_meeting(reach, supervisor):
    submission, _ = reach("approved")
    with pytest.raises(Problem) as refused:
        record_meeting(supervisor, village_code="T-06529-02", held_on=today(), attendees=10, minutes_ref=None,
                       note=None, votes={submission.id: (submission.revision, 10)})
    assert refused.value.fields[0]["path"] == "households"


def test_the_commune_decision_recognises_agreed_households_with_its_number_and_date(session, reach, supervisor,
                                                                                    events):
    first, _ = reach("agreed")
    second, _ = reach("agreed")
    decision = record_decision(supervisor, commune_code="06529", number="125/QĐ-UBND", signed_on=today(),
                               revisions={first.id: first.revision, second.id: second.revision})
    for s in (first, second):
        session.refresh(s)
        assert s.state == "recognised" and s.decision_id == decision.id
    assert events("review.decision")[0].detail["number"] == "125/QĐ-UBND"
    # The same number with another date is a typing slip, not a second decision.
    third, _ = reach("agreed")
    with pytest.raises(Problem) as refused:
        record_decision(supervisor, commune_code="06529", number="125/QĐ-UBND", signed_on=today() - timedelta(days=1),
                        revisions={third.id: third.revision})
    assert refused.value.fields[0]["path"] == "signed_on"


def test_every_step_is_audited_with_who_and_from_where(reach, supervisor, events):
    submission, _ = reach("approved")
    audit = events("review.approve")
    assert len(audit) == 1 and audit[0].actor_id == supervisor.id
    assert audit[0].detail == {"from_state": "submitted", "to_state": "approved"}


def test_the_history_and_the_versions_cannot_be_edited(session, reach):
    reach("resubmitted")
    for table in ("review_events", "submission_versions"):
        nested = session.begin_nested()
        with pytest.raises(DBAPIError):
            session.execute(text(f"UPDATE {table} SET village_code = 'X'"))
        nested.rollback()
        nested = session.begin_nested()
        with pytest.raises(DBAPIError):
            session.execute(text(f"DELETE FROM {table}"))
        nested.rollback()
