"""The push outbox: what is owed to the provincial system, written in the same transaction as the change.

    push_outbox   one row per thing to send: a household form's record ('record', by submission) or a commune's
                  figures for a review year ('aggregate', by unit_code + review_year). pending (not yet in a
                  batch) → sent (in a batch not yet acknowledged) → accepted | refused (by the import summary).
    push_batches  the batches made of pending rows: the payload frozen as bytes with its idempotency key when the
                  batch is made, so every retry sends the very same request and the endpoint can apply it once.

A session listener (`listen`, called from the exports package's init_app) queues the rows: when a household form
enters a settled state (approved, agreed, recognised), changes while settled (its version, state, class, or it is
set aside), or leaves the settled states after it was queued settled (so the province learns it no longer
counts). Every such change goes through `server.submissions.history.touch`, which sets the form's `change_seq`
with the ORM, so the listener sees it even when the state itself was changed by a Core UPDATE (review). It writes
nothing unless PUSH_URL is set, and it lives here, not in submissions: submissions never import exports.

Each row keeps the snapshot it was queued for (version, state, class, settled): the next change is compared with
the newest snapshot, so a change that does not alter what the province holds (a comment) queues nothing. A form
with a row still pending (not in a batch) has that row brought up to date instead of a second one: the payload
is read when the batch is made, so one pending row per form (and per commune and year) is enough.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import (BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, event, insert,
                        inspect, select, update)
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UTCDateTime, utcnow
from server.submissions.lifecycle import SETTLED
from server.submissions.models import Submission

BIGINT = BigInteger().with_variant(Integer, "sqlite")
KINDS = ("record", "aggregate")
ITEM_STATES = ("pending", "sent", "accepted", "refused")
BATCH_STATES = ("pending", "acknowledged", "refused")
# The columns of a form whose change may alter what the province holds (change_seq: every change, via touch).
WATCHED = ("state", "current_id", "poverty_class", "duplicate_of_id", "change_seq")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PushBatch(Base):
    """A batch sent (or to be sent) to the provincial endpoint: its frozen payload and what became of it."""

    __tablename__ = "push_batches"
    __table_args__ = (CheckConstraint(_in("state", BATCH_STATES), name="state"),
                      CheckConstraint("attempts >= 0", name="attempts_nonnegative"))

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    # Sent as the Idempotency-Key header: a retry of the batch carries the same key and the same bytes.
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The request body (JSON, UTF-8), frozen when the batch was made.
    payload: Mapped[str] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # No attempt before this time (the backoff after a failed attempt); null = at once.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    # The endpoint's import summary (JSON text): status, imported, updated, ignored, conflicts.
    summary: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PushOutbox(Base):
    """One thing owed to the provincial system: a form's record or a commune's figures for a year."""

    __tablename__ = "push_outbox"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", ITEM_STATES), name="state"),
        CheckConstraint("(kind = 'record') = (submission_id IS NOT NULL)", name="record_has_submission"),
        CheckConstraint("kind = 'record' OR (unit_code IS NOT NULL AND review_year IS NOT NULL)",
                        name="aggregate_has_unit"),
        # Pending rows are in no batch; sent and accepted rows are in one; a refused row is in one, or in none
        # when its payload could not be made here (its message says why).
        CheckConstraint("(state = 'pending' AND batch_id IS NULL) OR (state <> 'pending' AND (batch_id IS NOT NULL "
                        "OR state = 'refused'))", name="batched_unless_pending"),
        # The queue's lookups: a form's or a commune-year's newest row, and the rows not yet in a batch.
        Index("ix_push_outbox_submission", "submission_id", "id"),
        Index("ix_push_outbox_unit_year", "unit_code", "review_year", "id"),
        Index("ix_push_outbox_state", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    unit_code: Mapped[str | None] = mapped_column(String(20))
    review_year: Mapped[int | None] = mapped_column(Integer)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("push_batches.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    # The item's id in its batch's payload (a record's version id, an aggregate's "COMMUNE:YEAR"): what the
    # endpoint's conflicts name.
    item_id: Mapped[str | None] = mapped_column(String(64))
    # The endpoint's message for a refused item (its conflict).
    message: Mapped[str | None] = mapped_column(Text)
    # A record's snapshot when queued (or last brought up to date): what the next change is compared with.
    version_id: Mapped[str | None] = mapped_column(String(36))
    form_state: Mapped[str | None] = mapped_column(String(12))
    poverty_class: Mapped[str | None] = mapped_column(String(10))
    settled: Mapped[bool | None] = mapped_column(Boolean)


_outbox = PushOutbox.__table__


def push_enabled() -> bool:
    """Whether this app pushes: the listener is on for it and an endpoint is configured."""
    return (has_app_context() and bool(current_app.extensions.get("rasoat_push_outbox"))
            and bool(current_app.config.get("PUSH_URL")))


def is_settled(submission) -> bool:
    """Whether the form counts as the review's result: a settled state, not set aside."""
    return submission.state in SETTLED and submission.duplicate_of_id is None


def snapshot(submission) -> dict:
    """The record's snapshot columns of a form as it is now."""
    return {"version_id": submission.current_id, "form_state": submission.state,
            "poverty_class": submission.poverty_class, "settled": is_settled(submission)}


def enqueue(connection, submission, *, again_if_refused: bool = False) -> bool:
    """Queue the form's record (and its commune-year's figures) if what the province holds would change.

    `submission` is a form or a row with its columns. `again_if_refused` also queues a form whose newest row, of
    the same snapshot, the endpoint refused (push --enqueue-all: after the province fixed what it refused). Runs on
    the transaction's connection; returns whether a record row was written or brought up to date.
    """
    if submission.kind != "household":
        return False
    now = snapshot(submission)
    newest = connection.execute(
        select(_outbox.c.id, _outbox.c.state, _outbox.c.version_id, _outbox.c.form_state, _outbox.c.poverty_class,
               _outbox.c.settled)
        .where(_outbox.c.kind == "record", _outbox.c.submission_id == submission.id)
        .order_by(_outbox.c.id.desc()).limit(1)).first()
    if newest is None:
        wanted = now["settled"]
    else:
        was = {k: getattr(newest, k) for k in now}
        # A form queued settled and no longer settled is sent once more, as withdrawn; one never settled, never.
        again = again_if_refused and newest.state == "refused"
        wanted = (now != was or again) and (now["settled"] or bool(newest.settled))
    if not wanted:
        return False
    if newest is not None and newest.state == "pending":
        connection.execute(update(_outbox).where(_outbox.c.id == newest.id).values(**now))
    else:
        connection.execute(insert(_outbox).values(kind="record", submission_id=submission.id, enqueued_at=utcnow(),
                                                  state="pending", **now))
    enqueue_aggregate(connection, submission.commune_code, submission.review_year)
    return True


def enqueue_aggregate(connection, unit_code: str, review_year: int) -> None:
    """Queue a commune's figures for a year, unless they are queued already and not yet in a batch."""
    pending = connection.execute(select(_outbox.c.id).where(
        _outbox.c.kind == "aggregate", _outbox.c.unit_code == unit_code, _outbox.c.review_year == review_year,
        _outbox.c.state == "pending").limit(1)).first()
    if pending is None:
        connection.execute(insert(_outbox).values(kind="aggregate", unit_code=unit_code, review_year=review_year,
                                                  enqueued_at=utcnow(), state="pending"))


def _changed(obj) -> bool:
    """Whether a form in the flush changed a watched column (or is new)."""
    state = inspect(obj)
    if state.pending or not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


def _after_flush(session, _flush_context) -> None:
    """Queue the records of the forms this flush changed (see the module docstring)."""
    if not push_enabled():
        return
    forms = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Submission) and _changed(obj)]
    if not forms:
        return
    connection = session.connection()
    for submission in sorted(forms, key=lambda s: s.id):
        enqueue(connection, submission)


def listen(app) -> None:
    """Queue pushes in this app's transactions (the listener is process-wide; each app opts in here)."""
    from server.extensions import db

    app.extensions["rasoat_push_outbox"] = True
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
