"""What the collector reads back: last year's households of a village as a starting point, and one stored form.

Both hand out personal data (names, birth dates, ID numbers), so both read through `scoped` and both are audited.

    GET /api/v1/households/previous?village=CODE[&year=Y]
      {"village_code", "review_year": Y-1, "current_review_year": Y,
       "households": [{"first_id", "version_id", "state", "class", "household_code", "head_name", "members_count",
                       "start": {"household_code", "area", "members", "housing", "water_source", "toilet"}}]}
      `start` holds those keys of last year's current version (absent keys left out): the phone copies them into
      a new record (with a new id, this year's review_year and interview) as the answers a re-survey corrects.
    GET /api/v1/submissions/<version_id>
      {"submission": <summary, as the sync API gives it>, "state",
       "version": {"id", "number", "current", "supersedes", "received_at"}, "record": <the version as posted>,
       "comments": [{"field_path", "comment", "actor_name", "at", "action", "version_id"}]}
"""

from __future__ import annotations

from sqlalchemy import select

from server.audit.operations import record_event
from server.core.errors import Problem
from server.core.scoping import scoped
from server.extensions import db
from server.submissions.models import ReviewEvent, Submission, SubmissionVersion
from server.submissions.schemas import summary

# The answers a re-survey starts from (household-record.md keys): who lives there and the dwelling, which change
# little from one year to the next. Income, Phiếu A and the B2 answers are asked again.
START_KEYS = ("household_code", "area", "members", "housing", "water_source", "toilet")


def previous_households(actor, village_code: str, current_year: int) -> dict:
    """The current household records of `current_year - 1` in a village, each as the start of this year's form.

    A form set aside as a duplicate is left out. Ordered by household code, then head's name.
    """
    year = current_year - 1
    stmt = (scoped(select(Submission).where(Submission.kind == "household", Submission.review_year == year,
                                            Submission.village_code == village_code,
                                            Submission.duplicate_of_id.is_(None)), actor)
            .order_by(Submission.household_code, Submission.head_name_key, Submission.id))
    forms = db.session.execute(stmt).scalars().all()
    contents = {}
    if forms:
        versions = scoped(select(SubmissionVersion.id, SubmissionVersion.content).where(
            SubmissionVersion.id.in_([s.current_id for s in forms])), actor, SubmissionVersion)
        contents = dict(db.session.execute(versions).all())
    households = []
    for s in forms:
        record = contents.get(s.current_id) or {}
        households.append({
            "first_id": s.first_id, "version_id": s.current_id, "state": s.state, "class": s.poverty_class,
            "household_code": s.household_code, "head_name": s.head_name, "members_count": s.members_count,
            "start": {k: record[k] for k in START_KEYS if k in record},
        })
    record_event("households.previous_read", actor, target_type="village", target_id=village_code,
                 unit_code=village_code, review_year=year, count=len(households))
    return {"village_code": village_code, "review_year": year, "current_review_year": current_year,
            "households": households}


def stored_form(actor, version_id: str) -> dict:
    """One stored version as the collector shows it: the form's summary and state, the record as sent, and the
    supervisors' comments with the field each is about. Not found (or outside the caller's area): 404."""
    version = db.session.execute(scoped(
        select(SubmissionVersion).where(SubmissionVersion.id == version_id), actor)).scalar_one_or_none()
    if version is None:
        raise Problem("not_found")
    form = db.session.execute(scoped(
        select(Submission).where(Submission.id == version.submission_id), actor)).scalar_one()
    events = db.session.execute(scoped(
        select(ReviewEvent).where(ReviewEvent.submission_id == form.id, ReviewEvent.comment.is_not(None)), actor)
        .order_by(ReviewEvent.id)).scalars().all()
    comments = [{"field_path": e.field_path, "comment": e.comment, "actor_name": e.actor_name,
                 "at": e.at.isoformat(), "action": e.action, "version_id": e.version_id} for e in events]
    record_event("submission.viewed", actor, target_type="submission", target_id=version.id,
                 unit_code=version.village_code, version=version.number)
    return {"submission": summary(form), "state": form.state, "version": {
        "id": version.id, "number": version.number, "current": version.id == form.current_id,
        "supersedes": version.supersedes, "received_at": version.received_at.isoformat()},
        "record": version.content, "comments": comments}
