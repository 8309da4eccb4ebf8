"""Ingest: a record posted by a phone becomes a stored, classified version of a form, exactly once.

Identity is the record's `id` (made on the phone). The same id with the same content is a retry and changes
nothing; the same id with other content is refused (409 `submission_conflict`). A correction carries
`supersedes` = the id of the form's current version and becomes the new current version; the old one is kept.
Uniqueness is enforced by the database (primary key on the version id, unique `supersedes`), so two identical
posts at the same instant store one row whichever backend runs them.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from datetime import datetime, timedelta

from flask import has_request_context, request
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as insert_or_skip
from sqlalchemy.exc import IntegrityError

from server.audit import operations as audit
from server.audit.operations import record_event
from server.core.db import Prepared, local_today, run_together, utcnow
from server.core import jsontext
from server.core.errors import Problem, field_error
from server.core.scoping import in_area, scoped, unscoped
from server.extensions import db
from server.places.models import Unit
from server.poverty import RecordInvalid, validate_record, validate_village_record
from server.poverty.codes import is_ethnic_minority
from server.surveys.rule_sets import classify_with_point_table
from server.submissions.history import NEXT_CURSOR, add_event, event_values, taken, touch
from server.submissions.lifecycle import (KINDS, SET_ASIDE_LABEL, STATE_LABELS, may_correct,
                                         state_after_correction)
from server.submissions.models import ReviewEvent, Submission, SubmissionRow, SubmissionVersion, VersionRow


def canonical_json(payload: dict) -> str:
    """A record as one text: key order and spacing do not matter, every value does."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_sha256(canonical: str) -> str:
    """The fingerprint of a record's canonical text (canonical_json)."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def name_key(name: str | None) -> str | None:
    """A name reduced for matching: case, tones, marks and spacing ignored ("Hoàng  Văn Đức" = "hoang van duc")."""
    if not name:
        return None
    text = unicodedata.normalize("NFD", name.casefold()).replace("đ", "d")
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def ingest(payload, actor) -> tuple[SubmissionRow, VersionRow, bool]:
    """Store a posted record; return (form, version, created); created=False: a retry of a stored post.

    The record is stored, hashed and compared in NFC (server.core.jsontext), so the same text typed on two
    keyboards is the same content.

    The form and the version come back as read-only snapshots of the stored rows, however they were stored.
    """
    if not isinstance(payload, dict):
        raise Problem("invalid_json", fields=[field_error(
            "body", "Nội dung phải là một phiếu (đối tượng JSON).", "The body must be a record (a JSON object).")])
    payload = jsontext.clean(payload)  # NFC, and nothing that cannot be stored
    kind = payload.get("kind", "household")
    if kind not in KINDS:
        raise Problem("validation_failed", fields=[field_error(
            "kind", "Loại phiếu phải là 'household' hoặc 'village'.", "kind must be 'household' or 'village'.")])
    digest = content_sha256(canonical_json(payload))  # what is kept is what is hashed
    try:
        record = _validated(payload, kind)
        _not_in_future(record)
        village = _village_of(record, actor)
        result = _classified(record) if kind == "household" else None
    except Problem:
        # A retry of a record stored earlier is answered as such, even if today's rules would refuse it.
        stored = find_version(_canonical_uuid(payload.get("id")))
        if stored is not None:
            return _retry(stored, digest, actor)
        raise
    if record.get("supersedes"):
        return _correct(record, payload, digest, result, actor)
    try:
        created = _create(record, payload, digest, result, village, actor)
    except IntegrityError:
        # The id is that of a later version of some form: a first version with this id has other content.
        raise Problem("submission_conflict", id=record["id"]) from None
    if created is not None:
        return created
    # The id is stored already (a retry, or the same post racing this one): answer as if we came second.
    stored = find_version(record["id"])
    if stored is None:
        raise Problem("submission_conflict", id=record["id"])
    return _retry(stored, digest, actor)


# A phone's clock may run a little ahead of the server's; an interview later than this is a wrong date.
CLOCK_TOLERANCE = timedelta(minutes=15)


def _not_in_future(record: dict) -> None:
    """Refuse an interview that starts or ends in the future (the phone's date is wrong)."""
    latest = utcnow() + CLOCK_TOLERANCE
    errors = [field_error(f"interview.{key}", "Thời điểm phỏng vấn ở tương lai; kiểm tra ngày giờ của điện thoại.",
                          "The interview time is in the future; check the phone's date and time.")
              for key in ("started_at", "ended_at")
              if record["interview"].get(key) and datetime.fromisoformat(record["interview"][key]) > latest]
    if errors:
        raise Problem("validation_failed", fields=errors)


def _classified(record: dict) -> dict:
    """The rule engine's result, or 422 naming the answer a rule needs."""
    try:
        return classify_with_point_table(record)  # B1 from b1_items when a point table is loaded
    except RecordInvalid as e:
        raise Problem("validation_failed", fields=e.errors) from None


def _canonical_uuid(value) -> str | None:
    """The id in canonical form, or None when it is not a UUID (validation will say so)."""
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def find_version(version_id: str | None) -> SubmissionVersion | None:
    """The stored version with this id, whoever may see it (callers check the area)."""
    if version_id is None:
        return None
    stmt = unscoped(select(SubmissionVersion).where(SubmissionVersion.id == version_id),
                    "idempotency: a posted id is looked up before the area is known; callers check it")
    return db.session.execute(stmt).scalar_one_or_none()


def _current_id(submission_id: int) -> str:
    stmt = unscoped(select(Submission.current_id).where(Submission.id == submission_id),
                    "the current version's id, for an error message to a caller in the area")
    return db.session.execute(stmt).scalar_one()


def _retry(stored: SubmissionVersion, digest: str, actor):
    """A post whose id is stored: the same content is a harmless retry, other content a conflict."""
    if not in_area(actor, stored.commune_code, stored.village_code):
        raise Problem("out_of_scope", unit=stored.village_code)
    if stored.content_sha256 != digest:
        raise Problem("submission_conflict", id=stored.id)
    submission = db.session.execute(scoped(
        select(Submission).where(Submission.id == stored.submission_id), actor)).scalar_one()
    return SubmissionRow.of(submission), VersionRow.of(stored), False


def _validated(payload: dict, kind: str) -> dict:
    """The record checked against its contract, or 422 naming every bad field."""
    try:
        if kind == "village":
            return validate_village_record(payload)
        return validate_record({k: v for k, v in payload.items() if k != "kind"})
    except RecordInvalid as e:
        raise Problem("validation_failed", fields=e.errors) from None


def _village_of(record: dict, actor) -> Unit:
    """The record's village: it must exist, still be in force, belong to the commune and lie in the actor's area."""
    village = actor.unit if actor.unit_code == record["village_code"] else db.session.get(Unit, record["village_code"])
    if village is None or village.level != "village":
        raise Problem("validation_failed", fields=[field_error(
            "village_code", f"Không có thôn mã {record['village_code']}.",
            f"There is no village with code {record['village_code']}.")])
    if village.valid_to is not None and village.valid_to <= local_today():
        raise Problem("validation_failed", fields=[field_error(
            "village_code", f"Thôn {village.code} không còn hiệu lực từ {village.valid_to:%d/%m/%Y}.",
            f"Village {village.code} is no longer in force since {village.valid_to:%d/%m/%Y}.")])
    if village.commune_code != record["commune_code"]:
        raise Problem("validation_failed", fields=[field_error(
            "commune_code", f"Thôn {village.code} thuộc xã {village.commune_code}, không thuộc {record['commune_code']}.",
            f"Village {village.code} belongs to commune {village.commune_code}, not {record['commune_code']}.")])
    if not in_area(actor, village.commune_code, village.code):
        raise Problem("out_of_scope", unit=village.code)
    return village


# The statements of the path every phone takes for every household, run as Prepared statements (server.core.db):
# bench/README.md measured what they save there. Every other write goes through the session.
_NEXT_CURSOR = Prepared(NEXT_CURSOR)
# ON CONFLICT DO NOTHING (the same SQL on PostgreSQL and SQLite, which both compile this construct): a form whose
# first version is stored already is no error to undo, only no row returned.
_INSERT_SUBMISSION = Prepared(insert_or_skip(Submission.__table__).on_conflict_do_nothing()
                              .returning(Submission.__table__.c.id))
_INSERT_VERSION = Prepared(insert(SubmissionVersion.__table__))
_INSERT_EVENT = Prepared(insert(ReviewEvent.__table__))
_INSERT_AUDIT = Prepared(audit.INSERT_EVENT)


def _create(record, payload, digest, result, village: Unit, actor):
    """A new form: its first version, in state submitted, written with one INSERT per table.

    This path avoids the ORM's unit of work (it is taken for every household). The sync cursor is taken first:
    on PostgreSQL its row lock then orders the cursors of concurrent posts by commit. The primary key on the
    version id (and the unique first_id) refuses a second copy of the same post: then nothing is written but the
    cursor taken, and None is returned.
    """
    now = utcnow()
    form = {"kind": payload.get("kind", "household"), "first_id": record["id"], "current_id": record["id"],
            "version": 1, "revision": 1, "state": "submitted", "commune_code": village.commune_code,
            "village_code": village.code, "submitted_by": actor.id, "created_at": now, "updated_at": now,
            "meeting_id": None, "decision_id": None, "change_seq": taken(_NEXT_CURSOR.first(db.session, {})),
            **extracted(record, result)}
    inserted = _INSERT_SUBMISSION.first(db.session, form)
    if inserted is None:
        return None
    form["id"] = inserted[0]
    version = {"id": record["id"], "submission_id": form["id"], "number": 1, "supersedes": None,
               "commune_code": village.commune_code, "village_code": village.code, "content": payload,
               "content_sha256": digest, "rule_set": result and result["rule_set"], "classification": result,
               "received_at": now, "received_by": actor.id,
               "received_from": request.remote_addr if has_request_context() else None}
    # The version, its history step and its audit entry need only the form's id: one round trip on PostgreSQL.
    run_together(db.session, [
        (_INSERT_VERSION, version),
        (_INSERT_EVENT, event_values(form["id"], form["commune_code"], form["village_code"], record["id"],
                                     "submitted", actor, to_state="submitted", detail={"version": 1})),
        (_INSERT_AUDIT, audit.event_values("submission.submitted", actor, target_type="submission",
                                           target_id=record["id"], unit_code=village.code, version=1,
                                           kind=form["kind"]))])
    return SubmissionRow(**form), VersionRow(**version), True


def _correct(record, payload, digest, result, actor):
    """A corrected version of the form whose current version the record supersedes (rare: the ORM's way)."""
    stored = find_version(record["id"])
    if stored is not None:  # a retry of a correction, whether or not it is still the current version
        return _retry(stored, digest, actor)
    try:
        with db.session.begin_nested():
            submission, version, previous_state = _store_correction(record, payload, digest, result, actor)
    except IntegrityError:
        # This id was stored, or the same version corrected, by a request that committed first.
        stored = find_version(record["id"])
        if stored is not None:
            return _retry(stored, digest, actor)
        superseded = find_version(record["supersedes"])
        raise Problem("stale_version", id=record["supersedes"], current=_current_id(superseded.submission_id)) from None
    add_event(submission, "resubmitted", actor, version_id=version.id, from_state=previous_state,
              to_state=submission.state, detail={"version": version.number})
    record_event("submission.resubmitted", actor, target_type="submission", target_id=version.id,
                 unit_code=submission.village_code, version=version.number, kind=submission.kind)
    touch(submission)
    return SubmissionRow.of(submission), VersionRow.of(version), True


def _store_correction(record, payload, digest, result, actor):
    """Check the correction against the form's current state, then store it as the next version."""
    previous = find_version(record["supersedes"])
    if previous is None:
        raise Problem("validation_failed", fields=[field_error(
            "supersedes", f"Không có phiếu mã {record['supersedes']} để sửa.",
            f"There is no stored form with id {record['supersedes']} to correct.")])
    stmt = scoped(select(Submission).where(Submission.id == previous.submission_id), actor).with_for_update()
    submission = db.session.execute(stmt).scalar_one_or_none()
    if submission is None:
        raise Problem("out_of_scope", unit=previous.village_code)
    if submission.current_id != previous.id:
        raise Problem("stale_version", id=previous.id, current=submission.current_id)
    if not may_correct(submission.state, set_aside=submission.is_set_aside):
        vi, en = SET_ASIDE_LABEL if submission.is_set_aside else STATE_LABELS[submission.state]
        raise Problem("submission_locked", state=en, state_vi=vi)
    for key in ("kind", "review_year", "commune_code"):
        new = payload.get("kind", "household") if key == "kind" else record[key]
        if new != getattr(submission, key):
            raise Problem("validation_failed", fields=[field_error(
                key, f"Bản sửa phải giữ {key} = {getattr(submission, key)} của phiếu gốc.",
                f"A correction must keep the form's {key} ({getattr(submission, key)}).")])
    previous_state = submission.state
    submission.version += 1
    submission.revision += 1
    submission.current_id = record["id"]
    submission.state = state_after_correction(submission.state)
    submission.updated_at = utcnow()
    extract(submission, record, result)
    version = _new_version(submission, record, payload, digest, result, actor)
    return submission, version, previous_state


def _new_version(submission, record, payload, digest, result, actor) -> SubmissionVersion:
    """Store the version exactly as posted (`payload`), under the id its cleaned record gives."""
    version = SubmissionVersion(
        id=record["id"], submission_id=submission.id, number=submission.version, supersedes=record.get("supersedes"),
        commune_code=submission.commune_code, village_code=submission.village_code, content=payload,
        content_sha256=digest, rule_set=result and result["rule_set"], classification=result,
        received_at=utcnow(), received_by=actor.id,
        received_from=request.remote_addr if has_request_context() else None)
    db.session.add(version)
    db.session.flush()
    return version


def extract(submission: Submission, record: dict, result: dict | None) -> None:
    """Copy onto a form the columns the queue, the flags and the indicators read from its current version."""
    for key, value in extracted(record, result).items():
        setattr(submission, key, value)


def extracted(record: dict, result: dict | None) -> dict:
    """The columns the queue, the flags and the indicators read, taken from a record and its classification."""
    interview = record["interview"]
    gps = interview.get("gps") or {}
    out = {"review_year": record["review_year"], "village_code": record["village_code"],
           "interview_started_at": _utc(interview["started_at"]), "interview_ended_at": _utc(interview.get("ended_at")),
           "gps_lat": gps.get("lat"), "gps_lon": gps.get("lon")}
    if result is None:  # a village record
        return out
    head = next(m for m in record["members"] if m["relation"] == "head")
    out.update(
        review_type=record["review_type"], household_code=record.get("household_code"), head_name=head["name"],
        head_name_key=name_key(head["name"]), head_id_number=head.get("id_number"),
        head_birth_year=int(head["birth_date"][:4]) if head.get("birth_date") else head.get("birth_year"),
        head_sex=head["sex"], head_ethnicity=head["ethnicity"], head_is_dtts=is_ethnic_minority(head["ethnicity"]),
        middle_income_agricultural=(record.get("flags") or {}).get("middle_income_agricultural"),
        members_count=len(record["members"]),
        **classification_columns(result))
    return out


def apply_classification(submission: Submission, result: dict) -> None:
    """Store the rule engine's result on the form's columns."""
    for key, value in classification_columns(result).items():
        setattr(submission, key, value)


def classification_columns(result: dict) -> dict:
    """The form's columns that hold the rule engine's result."""
    return {"classification": result, "rule_set": result["rule_set"], "area": result["area"],
            "poverty_class": result["class"], "deficit_mask": sum(1 << (k - 1) for k in result["deficits"]),
            "deficit_count": len(result["deficits"]), "b1_points": result["b1_points"],
            "b2_points": result["b2_points"]}


def _utc(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def reclassify(*, review_year: int | None = None, rule_set: str | None = None,
               include_recognised: bool = False) -> dict:
    """Classify every current household record again (after a rule set changed) and record each change.

    The rule set is the record's year's (or `rule_set`). A form whose class, deficits or points change gets the
    new result and a `reclassified` step in its history with the old and new values. Forms already recognised
    by a commune decision keep their class unless `include_recognised`: the decision is a legal act.
    Returns counts: {"checked", "changed", "unchanged", "failed": [{"id", "fields"}], "skipped_recognised"}.
    """
    stmt = select(Submission, SubmissionVersion.content).join(
        SubmissionVersion, SubmissionVersion.id == Submission.current_id).where(Submission.kind == "household")
    if review_year is not None:
        stmt = stmt.where(Submission.review_year == review_year)
    stmt = unscoped(stmt.order_by(Submission.id), "re-classification by an administrator's command, all areas")
    report = {"checked": 0, "changed": 0, "unchanged": 0, "failed": [], "skipped_recognised": 0}
    for submission, content in db.session.execute(stmt).all():
        if submission.state == "recognised" and not include_recognised:
            report["skipped_recognised"] += 1
            continue
        report["checked"] += 1
        try:
            record = validate_record({k: v for k, v in content.items() if k != "kind"}, rule_set)
            result = classify_with_point_table(record, rule_set)
        except RecordInvalid as e:
            report["failed"].append({"id": submission.current_id, "fields": e.errors})
            continue
        # The indicators' columns taken from the record itself (not from its class): kept in step here too.
        columns = extracted(record, result)
        for key in ("head_is_dtts", "middle_income_agricultural"):
            if getattr(submission, key) != columns[key]:
                setattr(submission, key, columns[key])
        old = submission.classification or {}
        if _same_result(old, result):
            report["unchanged"] += 1
            continue
        report["changed"] += 1
        apply_classification(submission, result)
        submission.revision += 1
        submission.updated_at = utcnow()
        add_event(submission, "reclassified", None, from_state=submission.state, to_state=submission.state,
                  detail={"old": {k: old.get(k) for k in RESULT_KEYS}, "new": {k: result[k] for k in RESULT_KEYS}})
        touch(submission)
    record_event("submissions.reclassified", None, target_type="rule_set", target_id=rule_set or "by year",
                 review_year=review_year, checked=report["checked"], changed=report["changed"],
                 failed=len(report["failed"]))
    return report


# What a re-classification compares and records (the notes' wording may change without the result changing).
RESULT_KEYS = ("rule_set", "area", "class", "deficits", "b1_points", "b2_points", "income_per_person_month")


def _same_result(old: dict, new: dict) -> bool:
    return all(old.get(k) == new[k] for k in RESULT_KEYS) and old.get("notes") == new["notes"]
