"""What the sync API answers about a form: its state, class and comments; the record itself only when asked."""

from __future__ import annotations

from collections import defaultdict

from marshmallow import Schema, fields, validate
from sqlalchemy import select

from server.core.scoping import scoped, unscoped
from server.extensions import db
from server.poverty.codes import AREAS, CLASSES, INCOME_METHODS
from server.poverty.schema import Record, StoppedRecord
from server.poverty.village import VillageRecord
from server.submissions.history import format_cursor
from server.submissions.lifecycle import KINDS, STATES, WITH_ENUMERATOR
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


# What the sync API reads and answers, as marshmallow schemas: the OpenAPI document (server/exports/openapi.py) is
# generated from them. They describe the dictionaries above and in api.py and previous.py as they are built; a
# field with `records` in its metadata holds one of the record schemas named there, as stored.

RECORDS = (Record, StoppedRecord, VillageRecord)


def record_field(description: str, **kw) -> fields.Raw:
    """A stored record: a household record (Phiếu A stopped or not) or a village's."""
    return fields.Raw(metadata={"records": RECORDS, "description": description}, **kw)


class Note(Schema):
    """A note of the classification: its code and what people read."""

    code = fields.String(required=True)
    vi = fields.String(required=True)
    en = fields.String(required=True)


class Classification(Schema):
    """The rule engine's result for a household record (server.poverty.classify)."""

    rule_set = fields.String(required=True)
    area = fields.String(required=True, allow_none=True, validate=validate.OneOf(AREAS))
    income_basis = fields.String(required=True, allow_none=True, validate=validate.OneOf(INCOME_METHODS))
    b1_points = fields.Integer(required=True, allow_none=True)
    income_per_person_month = fields.Integer(required=True, allow_none=True)
    deficits = fields.List(fields.Integer(validate=validate.Range(1, 12)), required=True,
                           metadata={"description": "The numbers of the deficit indicators met."})
    b2_points = fields.Integer(required=True, allow_none=True)
    class_ = fields.String(required=True, data_key="class", validate=validate.OneOf(CLASSES))
    stopped_by_quick_screen = fields.Boolean(required=True)
    notes = fields.List(fields.Nested(Note), required=True)


class Comment(Schema):
    """A supervisor's comment on a form (in a list of forms), with the field it is about."""

    at = fields.DateTime(required=True)
    by = fields.String(required=True, allow_none=True)
    action = fields.String(required=True)
    version_id = fields.String(required=True, allow_none=True)
    field = fields.String(required=True, allow_none=True)
    text = fields.String(required=True)


class Summary(Schema):
    """One form as the phone and the provincial system read it (summary() above)."""

    id = fields.String(required=True, metadata={"description": "The current version's id."})
    first_id = fields.String(required=True, metadata={"description": "The phone's id: its first version's."})
    version = fields.Integer(required=True)
    revision = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    with_enumerator = fields.Boolean(required=True)
    set_aside = fields.Boolean(required=True)
    duplicate_of = fields.String(required=True, allow_none=True)
    review_year = fields.Integer(required=True)
    commune_code = fields.String(required=True)
    village_code = fields.String(required=True)
    household_code = fields.String(required=True, allow_none=True)
    rule_set = fields.String(required=True, allow_none=True)
    class_ = fields.String(required=True, allow_none=True, data_key="class", validate=validate.OneOf(CLASSES))
    classification = fields.Nested(Classification, required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)
    cursor = fields.String(required=True)
    comments = fields.List(fields.Nested(Comment), metadata={"description": "In a list of forms."})
    record = record_field("Only with include=record.")


class PostAnswer(Schema):
    """A stored post: the form's summary, the version received, the photos still to send."""

    submission = fields.Nested(Summary, required=True)
    received = fields.String(required=True)
    attachments_missing = fields.List(fields.String(), required=True)


class BatchRequest(Schema):
    """POST /api/v1/submissions/batch: the records, each checked as the single post checks it."""

    records = fields.List(fields.Dict(), required=True, metadata={"description": "At most SUBMISSIONS_BATCH_MAX."})


class BatchResult(Schema):
    """One record's result: its id (None when it had none), the status a single post would get, and the body."""

    id = fields.String(required=True, allow_none=True)
    status = fields.Integer(required=True)
    body = fields.Dict(required=True, metadata={
        "description": "PostAnswer for 200 and 201, else an error envelope ({\"error\": {...}})."})


class BatchAnswer(Schema):
    """The results of a batch, one per record in order."""

    results = fields.List(fields.Nested(BatchResult), required=True)


class AttachmentAnswer(Schema):
    """A photo stored."""

    received = fields.String(required=True)
    name = fields.String(required=True)


class ListQuery(Schema):
    """GET /api/v1/submissions: the cursor, the page size, and whether to include the records."""

    since = fields.String(metadata={"description": "A cursor a previous answer gave; empty or 0: from the start."})
    limit = fields.Integer(validate=validate.Range(1, 500), metadata={"default": 100})
    include = fields.String(validate=validate.OneOf(["record"]), metadata={
        "description": "`record` adds each form's record (an audited export)."})
    purpose = fields.String(metadata={"description": "Why the records are pulled (audited; 200 characters kept)."})


class ListAnswer(Schema):
    """A page of forms changed since the cursor, oldest change first."""

    items = fields.List(fields.Nested(Summary), required=True)
    cursor = fields.String(required=True)
    more = fields.Boolean(required=True)


class StoredVersion(Schema):
    """The version asked for and where it stands."""

    id = fields.String(required=True)
    number = fields.Integer(required=True)
    current = fields.Boolean(required=True)
    supersedes = fields.String(required=True, allow_none=True)
    received_at = fields.DateTime(required=True)


class StoredComment(Schema):
    """A comment of a stored form."""

    field_path = fields.String(required=True, allow_none=True)
    comment = fields.String(required=True)
    actor_name = fields.String(required=True, allow_none=True)
    at = fields.DateTime(required=True)
    action = fields.String(required=True)
    version_id = fields.String(required=True, allow_none=True)


class StoredForm(Schema):
    """GET /api/v1/submissions/<version_id> (server.submissions.previous.stored_form)."""

    submission = fields.Nested(Summary, required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    version = fields.Nested(StoredVersion, required=True)
    record = record_field("The version as posted.", required=True)
    comments = fields.List(fields.Nested(StoredComment), required=True)


class PreviousQuery(Schema):
    """GET /api/v1/households/previous: the village and the current review year."""

    village = fields.String(required=True, metadata={"description": "A village code in the caller's area."})
    year = fields.Integer(validate=validate.Range(2001, 2100), metadata={
        "description": "The current review year (default: the installation's); households of year - 1."})


class PreviousHousehold(Schema):
    """A household of last year, with the answers this year's form starts from."""

    first_id = fields.String(required=True)
    version_id = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    class_ = fields.String(required=True, allow_none=True, data_key="class", validate=validate.OneOf(CLASSES))
    household_code = fields.String(required=True, allow_none=True)
    head_name = fields.String(required=True, allow_none=True)
    members_count = fields.Integer(required=True, allow_none=True)
    start = fields.Dict(required=True, metadata={
        "description": "What the new form starts from: the record's keys of previous.START_KEYS."})


class PreviousHouseholds(Schema):
    """The village's households of the previous review year (server.submissions.previous.previous_households)."""

    village_code = fields.String(required=True)
    review_year = fields.Integer(required=True)
    current_review_year = fields.Integer(required=True)
    households = fields.List(fields.Nested(PreviousHousehold), required=True)
