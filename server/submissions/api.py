"""The sync API: phones post records (with photos) and pull what changed since their cursor.

    POST /api/v1/submissions                       a record as JSON, or multipart: part `record` + photo parts
    PUT  /api/v1/submissions/<id>/attachments/<n>  a photo sent after its record (raw bytes)
    GET  /api/v1/submissions?since=CURSOR          forms the caller may see, changed since the cursor

A 2xx is answered only after the transaction commits (server.core.requests): an acknowledged record is stored.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from server.audit.operations import record_event
from server.core.auth import current_actor, requires
from server.core.errors import Problem, field_error
from server.core.jsontext import parse
from server.core.scoping import scoped
from server.extensions import db
from server.submissions import attachments
from server.submissions.history import format_cursor, parse_cursor
from server.submissions.operations import ingest
from server.submissions.schemas import summaries, summary
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
    missing = []
    if version.content.get("attachments"):
        stored = db.session.execute(scoped(select(Attachment.name).where(Attachment.version_id == version.id),
                                           actor)).scalars().all()
        missing = attachments.missing(version, stored)
    body = {"submission": summary(submission), "received": version.id, "attachments_missing": missing}
    return jsonify(body), 201 if created else 200


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
@requires("enumerator", "supervisor", "officer")
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
