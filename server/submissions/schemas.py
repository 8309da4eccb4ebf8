"""What the sync API answers about a form: its state, class and comments; the record itself only when asked."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from server.core.scoping import scoped, unscoped
from server.extensions import db
from server.submissions.history import format_cursor
from server.submissions.lifecycle import WITH_ENUMERATOR
from server.submissions.models import ReviewEvent, Submission, SubmissionVersion


_UNKNOWN = object()


def summary(s: Submission, comments: list | None = None, record: dict | None = None, *,
            duplicate_of=_UNKNOWN) -> dict:
    """One form as the phone and the provincial system read it (`duplicate_of`: the kept form's phone id, when
    the caller has read it already)."""
    out = {
        "id": s.current_id,
        "first_id": s.first_id,
        "version": s.version,
        "revision": s.revision,
        "kind": s.kind,
        "state": s.state,
        "with_enumerator": s.state in WITH_ENUMERATOR and s.duplicate_of_id is None,
        # Set aside by the supervisor as a duplicate: the phone should stop offering it for correction.
        "set_aside": s.duplicate_of_id is not None,
        "duplicate_of": _first_ids([s.duplicate_of_id]).get(s.duplicate_of_id) if duplicate_of is _UNKNOWN
        else duplicate_of,
        "review_year": s.review_year,
        "commune_code": s.commune_code,
        "village_code": s.village_code,
        "household_code": s.household_code,
        "rule_set": s.rule_set,
        "class": s.poverty_class,
        "classification": s.classification,
        "updated_at": s.updated_at.isoformat(),
        "cursor": format_cursor(s.change_seq),
    }
    if comments is not None:
        out["comments"] = comments
    if record is not None:
        out["record"] = record
    return out


def _first_ids(submission_ids) -> dict[int, str]:
    """The phone's ids (first versions' ids) of the forms that set-aside forms duplicate, in one query."""
    wanted = {i for i in submission_ids if i is not None}
    if not wanted:
        return {}
    # Only the opaque id of the form kept is read (the duplicate may lie in another village of the commune).
    stmt = unscoped(select(Submission.id, Submission.first_id).where(Submission.id.in_(wanted)),
                    "the form ids that set-aside duplicates name")
    return dict(db.session.execute(stmt).all())


def summaries(actor, rows: list[Submission], *, include_record: bool = False) -> list[dict]:
    """Summaries of several forms with their comments (and records), in four queries whatever their number."""
    ids = [s.id for s in rows]
    comments = defaultdict(list)
    if ids:
        stmt = (scoped(select(ReviewEvent).where(ReviewEvent.submission_id.in_(ids),
                                                 ReviewEvent.comment.is_not(None)), actor)
                .order_by(ReviewEvent.id))
        for e in db.session.execute(stmt).scalars():
            comments[e.submission_id].append({
                "at": e.at.isoformat(), "by": e.actor_name, "action": e.action, "version_id": e.version_id,
                "field": e.field_path, "text": e.comment})
    records = {}
    if include_record and ids:
        stmt = scoped(select(SubmissionVersion.id, SubmissionVersion.content).where(
            SubmissionVersion.id.in_([s.current_id for s in rows])), actor, SubmissionVersion)
        records = dict(db.session.execute(stmt).all())
    kept = _first_ids(s.duplicate_of_id for s in rows)
    return [summary(s, comments[s.id], records.get(s.current_id) if include_record else None,
                    duplicate_of=kept.get(s.duplicate_of_id)) for s in rows]
