"""The sync API: phones post records (with photos) and pull what changed since their cursor.

    POST /api/v1/submissions                       a record as JSON, or multipart: part `record` + photo parts
    POST /api/v1/submissions/batch                 {"records": [record, ...]}: at most SUBMISSIONS_BATCH_MAX,
                                                   one result per record, as the single post answers it
    PUT  /api/v1/submissions/<id>/attachments/<n>  a photo sent after its record (raw bytes)
    GET  /api/v1/submissions?since=CURSOR          forms the caller may see, changed since the cursor
    GET  /api/v1/submissions/<version_id>          one stored form: summary, state, record, review comments
    GET  /api/v1/households/previous?village=CODE  last review year's households of a village (a re-survey's start)

A 2xx is answered only after the transaction commits (server.core.requests): an acknowledged record is stored.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import select

from server.audit.operations import record_event
from server.core.auth import current_actor, requires
from server.core.db import writes_on_get
from server.core.errors import Problem, field_error
from server.core.jsontext import parse
from server.core.scoping import scoped
from server.extensions import db
from server.places.models import Unit
from server.submissions import attachments, previous
from server.submissions.history import format_cursor, hold_cursor, parse_cursor
from server.submissions.operations import ingest
from server.submissions.schemas import summaries, summary
from server.surveys.definitions import current_review_year
from server.submissions.models import Attachment, Submission, SubmissionVersion, VersionRow

bp = Blueprint("submissions_api", __name__, url_prefix="/api/v1")
PAGE_DEFAULT, PAGE_MAX = 100, 500


@bp.post("/submissions")
@requires("enumerator", "supervisor")
def post_submission():
    """Store a record (idempotent by its id): 201 when new, 200 for a retry of the same content."""
    actor = current_actor()
    payload, files = _payload()
    submission, version, created = ingest(payload, actor)
    for name, storage in files:
        attachments.store(actor, version, name, storage.mimetype, storage.read())
    return jsonify(_answer(actor, submission, version)), 201 if created else 200


def _answer(actor, submission, version) -> dict:
    """The body answering a stored post: the form's summary, the version received, the photos still to send."""
    missing = []
    if version.content.get("attachments"):
        stored = db.session.execute(scoped(select(Attachment.name).where(Attachment.version_id == version.id),
                                           actor)).scalars().all()
        missing = attachments.missing(version, stored)
    return {"submission": summary(submission), "received": version.id, "attachments_missing": missing}


@bp.post("/submissions/batch")
@requires("enumerator", "supervisor")
def post_batch():
    """Store several records in one transaction: {"results": [{"id", "status", "body"}]}, one per record in order.

    Each record is ingested as the single post would (201 new, 200 retry, 4xx with its error body) inside its own
    SAVEPOINT, so a refused record undoes only its own work and the others are kept; the 200 of the batch comes
    after the commit, like every 2xx. A whole batch sent again after a lost answer gets 200 for each stored record.
    """
    actor = current_actor()
    raw = request.get_data()
    if not raw:
        raise Problem("invalid_json")
    body = parse(raw)
    if not isinstance(body, dict):
        raise Problem("invalid_json", fields=[field_error(
            "body", "Nội dung phải là {\"records\": [...]}.", 'The body must be {"records": [...]}.')])
    records = body.get("records")
    unknown = [k for k in sorted(body) if k != "records"][:10]
    fields = [field_error(k[:100], "Khóa không được nhận.", "Unknown key.") for k in unknown]
    if not isinstance(records, list):
        fields.append(field_error("records", "Phải là danh sách các phiếu.", "Must be a list of records."))
    if fields:
        raise Problem("validation_failed", fields=fields)
    most = current_app.config["SUBMISSIONS_BATCH_MAX"]
    if len(records) > most:
        raise Problem("payload_too_large", fields=[field_error(
            "records", f"Mỗi lần gửi tối đa {most} phiếu (có {len(records)}).",
            f"At most {most} records per batch ({len(records)} sent).")])
    if records:
        hold_cursor()  # once, before the SAVEPOINTs (see there)
    results = []
    for payload in records:
        try:
            with db.session.begin_nested():  # a refused record releases nothing of the others
                submission, version, created = ingest(payload, actor)
                answer = _answer(actor, submission, version)
            results.append({"id": version.id, "status": 201 if created else 200, "body": answer})
        except Problem as problem:
            posted = payload.get("id") if isinstance(payload, dict) else None
            results.append({"id": posted if isinstance(posted, str) else None, "status": problem.status,
                            "body": {"error": problem.to_dict()}})
    return jsonify({"results": results})


def _payload():
    """The posted record and its photo parts [(name, FileStorage)], from JSON or multipart."""
    if request.mimetype == "multipart/form-data":
        raw = request.form.get("record")
        if raw is None and "record" in request.files:
            raw = request.files["record"].read().decode("utf-8", "replace")
        if raw is None:
            raise Problem("validation_failed", fields=[field_error(
                "record", "Thiếu phần 'record' chứa phiếu (JSON).", "The 'record' part (JSON) is missing.")])
        payload = parse(raw)
        files = [(storage.filename or key, storage) for key, storage in request.files.items(multi=True)
                 if key != "record"]
        return payload, files
    raw = request.get_data()
    if not raw:
        raise Problem("invalid_json")
    return parse(raw), []


@bp.put("/submissions/<version_id>/attachments/<path:name>")
@requires("enumerator", "supervisor")
def put_attachment(version_id: str, name: str):
    """Store a photo declared by a stored record: 201 when new, 200 when it was already stored."""
    actor = current_actor()
    version = db.session.execute(scoped(
        select(SubmissionVersion).where(SubmissionVersion.id == version_id), actor)).scalar_one_or_none()
    if version is None:
        raise Problem("not_found")
    created = attachments.store(actor, VersionRow.of(version), name, request.mimetype, request.get_data())
    return jsonify({"received": version.id, "name": name}), 201 if created else 200


@bp.get("/submissions")
@requires("enumerator", "supervisor", "officer", "api_client")
@writes_on_get  # include=record is an audited export
def list_submissions():
    """Forms the caller may see changed since `since` (a cursor from a previous answer), oldest change first.

    `include=record` adds each form's current record (personal data: the pull is audited). A cursor from before a
    restore of the database is a 409 `cursor_reset`: the client pulls again from the start.
    """
    actor = current_actor()
    since = parse_cursor(request.args.get("since"))
    limit = _int_arg("limit", PAGE_DEFAULT, 1, PAGE_MAX)
    include_record = request.args.get("include") == "record"
    stmt = (scoped(select(Submission).where(Submission.change_seq > since), actor)
            .order_by(Submission.change_seq).limit(limit + 1))
    rows = db.session.execute(stmt).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = summaries(actor, rows, include_record=include_record)
    if include_record and rows:
        record_event("submissions.exported", actor, target_type="submission", unit_code=actor.unit_code,
                     count=len(rows), since=since, purpose=request.args.get("purpose", "sync")[:200])
    cursor = rows[-1].change_seq if rows else since
    return jsonify({"items": items, "cursor": format_cursor(cursor), "more": more})


@bp.get("/submissions/<version_id>")
@requires("enumerator", "supervisor", "officer", "api_client")
@writes_on_get  # each read is audited
def get_submission(version_id: str):
    """One stored version (any, not only the current one) with the comments a returned form is fixed from."""
    return jsonify(previous.stored_form(current_actor(), version_id))


@bp.get("/households/previous")
@requires("enumerator", "supervisor", area="village")
@writes_on_get  # each read is audited
def previous_households():
    """The village's households of the previous review year, each with the answers a re-survey starts from.

    `year` is the current review year (default: the REVIEW_YEAR setting, else this calendar year in Vietnam); the
    households are those of `year - 1`. Personal data: audited (`households.previous_read`).
    """
    village = request.args.get("village", "")
    if not village:
        raise Problem("validation_failed", fields=[field_error(
            "village", "Cần mã thôn (village=...).", "A village code is needed (village=...).")])
    unit = db.session.get(Unit, village)  # in the caller's area: checked by @requires
    if unit is None or unit.level != "village":
        raise Problem("validation_failed", fields=[field_error(
            "village", f"{village} không phải mã thôn.", f"{village} is not a village code.")])
    actor = current_actor()
    year = _int_arg("year", current_review_year(current_app.config["REVIEW_YEAR"]), 2001, 2100)
    return jsonify(previous.previous_households(actor, village, year))


def _int_arg(name: str, default: int, lo: int, hi: int | None) -> int:
    """A whole-number query parameter within bounds, or 422 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < lo or (hi is not None and value > hi):
        bound = f"{lo}…{hi}" if hi is not None else f"≥ {lo}"
        raise Problem("validation_failed", fields=[field_error(
            name, f"Phải là số nguyên {bound}.", f"Must be a whole number {bound}.")])
    return value
