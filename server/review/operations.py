"""Review operations: a supervisor's steps on a form, comments, the village meeting and the commune decision.

Each step names the revision of the form the supervisor saw. The state change is one conditional UPDATE
(`WHERE revision = :seen AND state = :from`), so of two supervisors acting at once exactly one wins and the
other is told the form changed meanwhile. Steps are appended to `review_events`, never edited.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update

from server.audit.operations import record_event
from server.core.db import local_today, utcnow
from server.core.errors import Problem, field_error
from server.core.scoping import scoped
from server.extensions import db
from server.review.models import CommuneDecision, VillageMeeting
from server.review.rules import ACTION_LABELS, ACTIONS, STATE_LABELS, meeting_outcome
from server.submissions.models import Submission
from server.submissions.operations import add_event, touch

COMMENT_MAX = 2000

PATH_RE = re.compile(r"[a-z_0-9]+(\[\d+\])?(\.[a-z_0-9]+(\[\d+\])?)*")


def get_submission(actor, submission_id: int) -> Submission:
    """The form with this id in the actor's area, or 404 (a form outside it is not revealed)."""
    stmt = scoped(select(Submission).where(Submission.id == submission_id), actor)
    submission = db.session.execute(stmt).scalar_one_or_none()
    if submission is None:
        raise Problem("not_found")
    return submission


def act(actor, submission: Submission, action: str, *, revision: int, comment: str | None = None,
        meeting: VillageMeeting | None = None, decision: CommuneDecision | None = None, votes_for=None) -> None:
    """Take the step `action` on a form the actor saw at `revision`; refuse a step its state does not allow."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Problem("bad_request")
    comment = _clean_comment(comment)
    if submission.revision != revision:
        raise _changed(submission)
    if submission.state not in spec.from_states or submission.kind not in spec.kinds:
        raise Problem("invalid_transition", action=action, action_vi=ACTION_LABELS[action][0],
                      state=submission.state, state_vi=STATE_LABELS[submission.state][0])
    if spec.needs_comment and not comment:
        raise Problem("validation_failed", fields=[field_error(
            "comment", "Cần ghi lý do.", "A reason is required.")])
    values = {"state": spec.to_state, "revision": Submission.revision + 1, "updated_at": utcnow()}
    if meeting is not None:
        values["meeting_id"] = meeting.id
    if decision is not None:
        values["decision_id"] = decision.id
    result = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.revision == revision, Submission.state == submission.state)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(submission)
        raise _changed(submission)
    from_state = submission.state
    db.session.refresh(submission)
    detail = {}
    if meeting is not None:
        detail.update(meeting_id=meeting.id, held_on=meeting.held_on.isoformat(), attendees=meeting.attendees,
                      votes_for=votes_for)
    if decision is not None:
        detail.update(decision_id=decision.id, number=decision.number, signed_on=decision.signed_on.isoformat())
    add_event(submission, action, actor, from_state=from_state, to_state=spec.to_state, comment=comment,
              detail=detail)
    record_event(f"review.{action}", actor, target_type="submission", target_id=submission.id,
                 unit_code=submission.village_code, from_state=from_state, to_state=spec.to_state, **detail)
    touch(submission)


def _changed(submission: Submission) -> Problem:
    return Problem("changed_meanwhile", state=submission.state, state_vi=STATE_LABELS[submission.state][0])


def _clean_comment(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise Problem("validation_failed", fields=[field_error(
            "comment", f"Tối đa {COMMENT_MAX} ký tự.", f"At most {COMMENT_MAX} characters.")])
    return text or None


def add_comment(actor, submission: Submission, text: str, field_path: str | None = None) -> None:
    """Comment on the whole form or on one answer (`members[2].employment`); the phone shows it to the enumerator."""
    text = _clean_comment(text)
    if not text:
        raise Problem("validation_failed", fields=[field_error("comment", "Hãy nhập góp ý.", "Write a comment.")])
    field_path = (field_path or "").strip() or None
    if field_path is not None and not PATH_RE.fullmatch(field_path):
        raise Problem("validation_failed", fields=[field_error(
            "field_path", "Đường dẫn trường không hợp lệ (ví dụ: members[2].employment).",
            "Not a field path (e.g. members[2].employment).")])
    add_event(submission, "comment", actor, field_path=field_path, comment=text)
    submission.updated_at = utcnow()
    record_event("review.comment", actor, target_type="submission", target_id=submission.id,
                 unit_code=submission.village_code, field_path=field_path)
    touch(submission)


def record_meeting(actor, *, village_code: str, held_on: date, attendees: int, minutes_ref: str | None,
                   note: str | None, votes: dict[int, tuple[int, int]]) -> VillageMeeting:
    """Record a village meeting and its vote on approved households: {submission_id: (revision, votes_for)}.

    A household with at least half the attendees in favour is agreed, otherwise sent back for re-survey
    (review/rules.py). All or nothing: one refused household refuses the whole meeting.
    """
    if attendees is None or attendees < 1:
        raise Problem("validation_failed", fields=[field_error(
            "attendees", "Số người dự họp phải từ 1 trở lên.", "The number of attendees must be at least 1.")])
    if held_on > local_today():
        raise Problem("validation_failed", fields=[field_error(
            "held_on", "Ngày họp không thể ở tương lai.", "The meeting date cannot be in the future.")])
    if not votes:
        raise Problem("validation_failed", fields=[field_error(
            "households", "Chọn ít nhất một hộ đã được xã duyệt.", "Pick at least one household approved by the commune.")])
    submissions = _pick(actor, votes, village_code=village_code)
    village = submissions[0]
    meeting = VillageMeeting(commune_code=village.commune_code, village_code=village_code, held_on=held_on,
                             attendees=attendees, minutes_ref=(minutes_ref or "").strip() or None,
                             note=(note or "").strip() or None, recorded_by=actor.id)
    db.session.add(meeting)
    db.session.flush()
    for submission in submissions:
        revision, votes_for = votes[submission.id]
        if votes_for is None or not 0 <= votes_for <= attendees:
            raise Problem("validation_failed", fields=[field_error(
                f"votes[{submission.id}]", f"Số người đồng ý phải từ 0 đến {attendees}.",
                f"Votes in favour must be between 0 and {attendees}.")])
        outcome = meeting_outcome(votes_for, attendees)
        comment = None
        if outcome == "resurvey":
            comment = (f"Họp dân ngày {held_on:%d/%m/%Y}: {votes_for}/{attendees} người đồng ý, dưới một nửa. / "
                       f"Village meeting of {held_on:%d/%m/%Y}: {votes_for} of {attendees} in favour, under half.")
        act(actor, submission, outcome, revision=revision, comment=comment, meeting=meeting, votes_for=votes_for)
    record_event("review.meeting", actor, target_type="village_meeting", target_id=meeting.id,
                 unit_code=village_code, households=len(submissions), held_on=held_on.isoformat())
    return meeting


def record_decision(actor, *, commune_code: str, number: str, signed_on: date,
                    revisions: dict[int, int]) -> CommuneDecision:
    """Record the commune chair's decision recognising agreed households: {submission_id: revision}.

    A decision already recorded with this number and date gets the households added (a decision may list
    households entered over several sittings); the same number with another date is refused as a typing slip.
    """
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise Problem("validation_failed", fields=[field_error(
            "number", "Nhập số quyết định (tối đa 64 ký tự).", "Enter the decision number (at most 64 characters).")])
    if signed_on > local_today():
        raise Problem("validation_failed", fields=[field_error(
            "signed_on", "Ngày ký không thể ở tương lai.", "The signing date cannot be in the future.")])
    if not revisions:
        raise Problem("validation_failed", fields=[field_error(
            "households", "Chọn ít nhất một hộ đã được họp dân thống nhất.",
            "Pick at least one household agreed at a village meeting.")])
    submissions = _pick(actor, revisions, commune_code=commune_code)
    stmt = scoped(select(CommuneDecision).where(CommuneDecision.commune_code == commune_code,
                                                CommuneDecision.number == number), actor)
    decision = db.session.execute(stmt).scalar_one_or_none()
    if decision is not None and decision.signed_on != signed_on:
        raise Problem("validation_failed", fields=[field_error(
            "signed_on", f"Quyết định số {number} đã được ghi với ngày ký {decision.signed_on:%d/%m/%Y}.",
            f"Decision {number} is already recorded as signed on {decision.signed_on:%d/%m/%Y}.")])
    if decision is None:
        decision = CommuneDecision(commune_code=commune_code, number=number, signed_on=signed_on,
                                   recorded_by=actor.id)
        db.session.add(decision)
        db.session.flush()
    for submission in submissions:
        act(actor, submission, "recognise", revision=revisions[submission.id], decision=decision)
    record_event("review.decision", actor, target_type="commune_decision", target_id=decision.id,
                 unit_code=commune_code, number=number, households=len(submissions))
    return decision


def _pick(actor, ids, *, village_code: str | None = None, commune_code: str | None = None) -> list[Submission]:
    """The forms with these ids in the actor's area (and the village or commune given), in id order."""
    stmt = scoped(select(Submission).where(Submission.id.in_(list(ids))), actor).order_by(Submission.id)
    found = db.session.execute(stmt).scalars().all()
    wrong = [s for s in found if (village_code and s.village_code != village_code)
             or (commune_code and s.commune_code != commune_code)]
    if len(found) != len(ids) or wrong:
        raise Problem("validation_failed", fields=[field_error(
            "households", "Có hộ không thuộc thôn/xã đã chọn hoặc ngoài địa bàn của bạn.",
            "Some households are not in the chosen village/commune or are outside your area.")])
    return found
