"""Review operations: a supervisor's steps on a form, comments, the village meeting and the commune decision.

Each step names the revision of the form the supervisor saw. The state change is one conditional UPDATE
(`WHERE revision = :seen AND state = :from`), so of two supervisors acting at once exactly one wins and the
other is told the form changed meanwhile. Steps are appended to `review_events`, never edited.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from server.audit.operations import record_event
from server.core.db import LOCAL_ZONE, local_today, utcnow
from server.core.errors import Problem, field_error
from server.core.scoping import scoped
from server.extensions import db
from server.review.models import CommuneDecision, VillageMeeting
from server.review.rules import meeting_outcome
from server.submissions.history import add_event, touch
from server.submissions.lifecycle import ACTION_LABELS, ACTIONS, SET_ASIDE_LABEL, STATE_LABELS, may_set_aside
from server.submissions.models import ReviewEvent, Submission

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
    if submission.is_set_aside or submission.state not in spec.from_states or submission.kind not in spec.kinds:
        raise _not_now(action, submission)
    if spec.needs_comment and not comment:
        raise Problem("validation_failed", fields=[field_error(
            "comment", "Cần ghi lý do.", "A reason is required.")])
    values = {"state": spec.to_state}
    if meeting is not None:
        values["meeting_id"] = meeting.id
    if decision is not None:
        values["decision_id"] = decision.id
    from_state = submission.state
    _update(submission, revision, **values)
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


def _update(submission: Submission, revision: int, **values) -> None:
    """Change the form if it is still as the supervisor saw it (revision, state, not set aside or still so).

    One conditional UPDATE: of two supervisors acting at once, exactly one wins, the other is told."""
    result = db.session.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.revision == revision, Submission.state == submission.state,
               Submission.duplicate_of_id.is_(None) if submission.duplicate_of_id is None
               else Submission.duplicate_of_id == submission.duplicate_of_id)
        .values(revision=Submission.revision + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(submission)
        raise _changed(submission)
    db.session.refresh(submission)


def _state_label(submission: Submission) -> tuple[str, str]:
    """What people read for the form's state (set aside: that, whatever the state under it)."""
    return SET_ASIDE_LABEL if submission.is_set_aside else STATE_LABELS[submission.state]


def _changed(submission: Submission) -> Problem:
    vi, en = _state_label(submission)
    return Problem("changed_meanwhile", state=en, state_vi=vi)


def _not_now(action: str, submission: Submission) -> Problem:
    """The step cannot be taken on the form as it is (its state, its kind, or set aside)."""
    vi, en = _state_label(submission)
    return Problem("invalid_transition", action=ACTION_LABELS[action][1], action_vi=ACTION_LABELS[action][0],
                   state=en, state_vi=vi)


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


def set_aside(actor, submission: Submission, *, duplicate_of: int | None, revision: int,
              comment: str | None = None) -> None:
    """Set a household form aside as a duplicate of form `duplicate_of` (the same household surveyed twice).

    Nothing is deleted: the form keeps its state, versions and history, takes no step until restored, and counts
    nowhere. The form kept must be another household form of the same commune and review year, itself not set
    aside; a form others were set aside against cannot be set aside before they are restored (no chains)."""
    comment = _clean_comment(comment)
    if submission.revision != revision:
        raise _changed(submission)
    if submission.is_set_aside or not may_set_aside(submission.state, submission.kind):
        raise _not_now("set_aside", submission)
    other = None
    if duplicate_of is not None and duplicate_of != submission.id:
        other = db.session.execute(scoped(select(Submission).where(Submission.id == duplicate_of), actor)
                                   ).scalar_one_or_none()
    if other is None or other.kind != "household" or (other.commune_code, other.review_year) != (
            submission.commune_code, submission.review_year):
        raise Problem("validation_failed", fields=[field_error(
            "duplicate_of", "Nhập số của một phiếu hộ khác của xã, cùng năm rà soát (số phiếu ghi sau dấu #).",
            "Enter the number of another household form of the commune, of the same review year (the number "
            "after #).")])
    # Both rows locked, in id order, and read again: two supervisors setting two forms aside as each other's
    # duplicate at once would otherwise leave neither kept. The second waits, then finds the first's change.
    db.session.execute(scoped(select(Submission).where(Submission.id.in_([submission.id, other.id])), actor)
                       .order_by(Submission.id).with_for_update().execution_options(populate_existing=True)).all()
    if submission.revision != revision or submission.is_set_aside:
        raise _changed(submission)
    if other.is_set_aside:
        raise Problem("validation_failed", fields=[field_error(
            "duplicate_of", f"Phiếu #{other.id} cũng đã bị gác lại (trùng với phiếu #{other.duplicate_of_id}): "
                            "chọn phiếu được giữ lại.",
            f"Form #{other.id} is itself set aside (a duplicate of form #{other.duplicate_of_id}): choose the "
            "form that is kept.")])
    leaning = db.session.execute(scoped(select(Submission.id).where(Submission.duplicate_of_id == submission.id),
                                        actor).order_by(Submission.id)).scalars().all()
    if leaning:
        ids = ", ".join(f"#{i}" for i in leaning)
        raise Problem("validation_failed", fields=[field_error(
            "duplicate_of", f"Phiếu {ids} đã được gác lại là trùng với phiếu này: hãy khôi phục trước.",
            f"Form(s) {ids} were set aside as duplicates of this form: restore them first.")])
    _update(submission, revision, duplicate_of_id=other.id)
    add_event(submission, "set_aside", actor, from_state=submission.state, to_state=submission.state,
              comment=comment, detail={"duplicate_of": other.id})
    record_event("review.set_aside", actor, target_type="submission", target_id=submission.id,
                 unit_code=submission.village_code, duplicate_of=other.id, state=submission.state)
    touch(submission)


def restore(actor, submission: Submission, *, revision: int, comment: str | None = None) -> None:
    """Restore a form set aside as a duplicate: it is back in its state, in the queue and in every count."""
    comment = _clean_comment(comment)
    if submission.revision != revision:
        raise _changed(submission)
    if not submission.is_set_aside:
        raise _not_now("restore", submission)
    was = submission.duplicate_of_id
    _update(submission, revision, duplicate_of_id=None)
    add_event(submission, "restore", actor, from_state=submission.state, to_state=submission.state,
              comment=comment, detail={"duplicate_of": was})
    record_event("review.restore", actor, target_type="submission", target_id=submission.id,
                 unit_code=submission.village_code, duplicate_of=was, state=submission.state)
    touch(submission)


def _approved_on(actor, submissions: list[Submission]) -> dict[int, date]:
    """The local date (Vietnam) each form was last approved by the commune, from its history."""
    stmt = scoped(select(ReviewEvent.submission_id, ReviewEvent.at).where(
        ReviewEvent.submission_id.in_([s.id for s in submissions]), ReviewEvent.action == "approve"), actor)
    out: dict[int, date] = {}
    for submission_id, at in db.session.execute(stmt).all():
        day = at.astimezone(LOCAL_ZONE).date()
        out[submission_id] = max(day, out.get(submission_id, day))
    return out


def _too_early(path: str, day: date, submissions: list[Submission], earliest: dict[int, date], what_vi: str,
               what_en: str) -> list[dict]:
    """A field error when `day` is before the earliest date of any of the forms (naming the latest such form)."""
    late = [(earliest[s.id], s) for s in submissions if s.id in earliest and day < earliest[s.id]]
    if not late:
        return []
    limit, s = max(late, key=lambda pair: pair[0])
    name = s.head_name or f"#{s.id}"
    return [field_error(
        path, f"Ngày {day:%d/%m/%Y} trước ngày {what_vi} hộ {name} ({limit:%d/%m/%Y}): không thể có.",
        f"{day:%d/%m/%Y} is before the household {name} was {what_en} ({limit:%d/%m/%Y}): that cannot be.")]


def record_meeting(actor, *, village_code: str, held_on: date, attendees: int, minutes_ref: str | None,
                   note: str | None, votes: dict[int, tuple[int, int]]) -> VillageMeeting:
    """Record a village meeting and its vote on approved households: {submission_id: (revision, votes_for)}.

    A household with at least half the attendees in favour is agreed, otherwise sent back for re-survey
    (server/review/rules.py). All or nothing: one refused household refuses the whole meeting.
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
    errors = _too_early("held_on", held_on, submissions, _approved_on(actor, submissions),
                        "xã duyệt", "approved by the commune")
    for submission in submissions:
        votes_for = votes[submission.id][1]
        if votes_for is None:
            errors.append(field_error(
                f"votes[{submission.id}]", "Nhập số người đồng ý (hoặc đánh dấu “tất cả đồng ý”).",
                "Enter the votes in favour (or mark “all in favour”)."))
        elif not 0 <= votes_for <= attendees:
            errors.append(field_error(
                f"votes[{submission.id}]", f"Số người đồng ý phải từ 0 đến {attendees}.",
                f"Votes in favour must be between 0 and {attendees}."))
    if errors:
        raise Problem("validation_failed", fields=errors)
    village = submissions[0]
    meeting = VillageMeeting(commune_code=village.commune_code, village_code=village_code, held_on=held_on,
                             attendees=attendees, minutes_ref=(minutes_ref or "").strip() or None,
                             note=(note or "").strip() or None, recorded_by=actor.id)
    db.session.add(meeting)
    db.session.flush()
    for submission in submissions:
        revision, votes_for = votes[submission.id]
        outcome = meeting_outcome(votes_for, attendees)
        comment = None
        if outcome == "resurvey":
            # The enumerator reads this on the phone (in Vietnamese); pages write it in their own language from
            # the step's detail (the meeting, its date and votes).
            comment = f"Họp dân ngày {held_on:%d/%m/%Y}: {votes_for}/{attendees} người đồng ý, dưới một nửa."
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
    errors = _too_early("signed_on", signed_on, submissions, _approved_on(actor, submissions),
                        "xã duyệt", "approved by the commune")
    errors = errors or _too_early("signed_on", signed_on, submissions, _meetings_held_on(actor, submissions),
                                  "họp dân thống nhất", "agreed at its village meeting")
    if errors:
        raise Problem("validation_failed", fields=errors)
    decision = _decision(actor, commune_code, number, signed_on)
    for submission in submissions:
        act(actor, submission, "recognise", revision=revisions[submission.id], decision=decision)
    record_event("review.decision", actor, target_type="commune_decision", target_id=decision.id,
                 unit_code=commune_code, number=number, households=len(submissions))
    return decision


def _meetings_held_on(actor, submissions: list[Submission]) -> dict[int, date]:
    """The date of the village meeting each form was put to."""
    ids = {s.meeting_id for s in submissions if s.meeting_id is not None}
    if not ids:
        return {}
    held = dict(db.session.execute(scoped(select(VillageMeeting.id, VillageMeeting.held_on)
                                          .where(VillageMeeting.id.in_(ids)), actor)).all())
    return {s.id: held[s.meeting_id] for s in submissions if s.meeting_id in held}


def _decision(actor, commune_code: str, number: str, signed_on: date) -> CommuneDecision:
    """The commune's decision with this number and date, recorded now if it is not yet.

    Two supervisors entering the same decision at once make one decision: the INSERT that loses the race on
    (commune, number) is undone to its savepoint and the winner's row read instead (PostgreSQL makes the loser
    wait for the winner's commit; SQLite has one writer at a time). The same number with another date is a typing
    slip, refused at the date."""
    stmt = scoped(select(CommuneDecision).where(CommuneDecision.commune_code == commune_code,
                                                CommuneDecision.number == number), actor)
    decision = db.session.execute(stmt).scalar_one_or_none()
    if decision is None:
        try:
            with db.session.begin_nested():
                decision = CommuneDecision(commune_code=commune_code, number=number, signed_on=signed_on,
                                           recorded_by=actor.id)
                db.session.add(decision)
        except IntegrityError:
            decision = db.session.execute(stmt).scalar_one_or_none()
            if decision is None:
                raise
    if decision.signed_on != signed_on:
        raise Problem("validation_failed", fields=[field_error(
            "signed_on", f"Quyết định số {number} đã được ghi với ngày ký {decision.signed_on:%d/%m/%Y}.",
            f"Decision {number} is already recorded as signed on {decision.signed_on:%d/%m/%Y}.")])
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
