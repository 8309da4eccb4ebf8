"""Submissions: one row per household (or village) form in a review, its versions, photos, its history, and the
sync cursor.

`Submission` holds the current state and the columns the indicators aggregate on, extracted from the current
version; `SubmissionVersion` keeps every version as posted (never changed) with its classification on arrival.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime

from sqlalchemy import (JSON, BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import Base, UTCDateTime, utcnow
from server.submissions.lifecycle import KINDS, STATES

CLASSES = ("poor", "near_poor", "middle", "not_poor")
BIGINT = BigInteger().with_variant(Integer, "sqlite")


# The household forms the indicators count (server.indicators.queries.counted): the partial indexes' WHERE.
COUNTED_FORMS = "kind = 'household' AND duplicate_of_id IS NULL"


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Submission(Base):
    """A household's (or a village's) form in one review: its current version, state and extracted answers."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint(f"poverty_class IS NULL OR {_in('poverty_class', CLASSES)}", name="poverty_class"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("kind = 'village' OR poverty_class IS NOT NULL", name="household_classified"),
        CheckConstraint("(state = 'recognised') = (decision_id IS NOT NULL)", name="recognised_by_decision"),
        Index("ix_submissions_year_commune_village", "review_year", "commune_code", "village_code"),
        Index("ix_submissions_year_state_class", "review_year", "state", "poverty_class"),
        Index("ix_submissions_commune_head_name", "commune_code", "head_name_key", "head_birth_year"),
        # The key that links a household across review years (server.indicators flows).
        Index("ix_submissions_household", "commune_code", "household_code", "review_year"),
        # The newest change to a commune's forms (server.indicators.cache: a commune's kept tables).
        Index("ix_submissions_commune_change", "commune_code", "change_seq"),
        # Partial covering indexes over the household forms that count, for server.indicators (migration
        # 20261201_06): the cells and flows read the first, the deficits and the flows' household keys the second.
        Index("ix_submissions_counted", "review_year", "commune_code", "state", "poverty_class", "head_ethnicity",
              "head_is_dtts", "area", "middle_income_agricultural", "village_code", "members_count",
              "household_code", sqlite_where=text(COUNTED_FORMS), postgresql_where=text(COUNTED_FORMS)),
        Index("ix_submissions_counted_class", "review_year", "poverty_class", "commune_code", "village_code",
              "state", "household_code", "members_count", "deficit_count", "deficit_mask",
              sqlite_where=text(COUNTED_FORMS), postgresql_where=text(COUNTED_FORMS)),
    )
    # Survey answers are personal data: every query goes through server.core.scoping.
    __scope__ = {"commune": "commune_code", "village": "village_code"}

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    # The id of the first version: the form's identity on the phone.
    first_id: Mapped[str] = mapped_column(String(36), unique=True)
    current_id: Mapped[str] = mapped_column(String(36), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped on every change: a supervisor's action names the revision it was taken on (optimistic locking).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(12))
    review_year: Mapped[int] = mapped_column(Integer)
    review_type: Mapped[str | None] = mapped_column(String(10))
    commune_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    village_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    household_code: Mapped[str | None] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(5))
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Extracted from the current version, for the queue, the flags and the indicators.
    head_name: Mapped[str | None] = mapped_column(String(200))
    head_name_key: Mapped[str | None] = mapped_column(String(200))
    head_id_number: Mapped[str | None] = mapped_column(String(12), index=True)
    head_birth_year: Mapped[int | None] = mapped_column(Integer)
    head_sex: Mapped[str | None] = mapped_column(String(6))
    head_ethnicity: Mapped[str | None] = mapped_column(String(32))
    members_count: Mapped[int | None] = mapped_column(Integer)
    # The head belongs to an ethnic minority (DTTS): every group but the majority (server.poverty.codes).
    head_is_dtts: Mapped[bool | None] = mapped_column(Boolean)
    # The record's flags.middle_income_agricultural (Phiếu C), as answered; null = not answered.
    middle_income_agricultural: Mapped[bool | None] = mapped_column(Boolean)
    interview_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    interview_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    # The rule engine's result for the current version under `rule_set` (re-classification updates these).
    rule_set: Mapped[str | None] = mapped_column(String(32))
    poverty_class: Mapped[str | None] = mapped_column(String(10))
    # Bit k-1 set = deprived on indicator k (the rule set's own numbering); count = number of deficits.
    deficit_mask: Mapped[int | None] = mapped_column(Integer)
    deficit_count: Mapped[int | None] = mapped_column(Integer)
    b1_points: Mapped[int | None] = mapped_column(Integer)
    b2_points: Mapped[int | None] = mapped_column(Integer)
    classification: Mapped[dict | None] = mapped_column(JSON)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("village_meetings.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("commune_decisions.id"), index=True)
    # Set aside by the supervisor as a duplicate of that form (the same household surveyed twice): the form
    # keeps its state and rows, takes no step until restored, and counts nowhere (lifecycle.SET_ASIDE_FROM).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The sync cursor: strictly increasing in commit order (server.submissions.sync).
    change_seq: Mapped[int] = mapped_column(BIGINT, index=True, default=0)

    @property
    def is_set_aside(self) -> bool:
        """Whether the form is set aside as a duplicate of another."""
        return self.duplicate_of_id is not None

    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number", lazy="raise_on_sql")


class SubmissionVersion(Base):
    """One version of a form exactly as the phone posted it. Never changed once stored."""

    __tablename__ = "submission_versions"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)
    __scope__ = {"commune": "commune_code", "village": "village_code"}

    # The record's own `id`, made on the phone: a retry of the same post finds it here.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    number: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[str] = mapped_column(String(5))
    village_code: Mapped[str] = mapped_column(String(20))
    # One correction per version: two phones correcting the same version cannot both succeed.
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("submission_versions.id"), unique=True)
    content: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    rule_set: Mapped[str | None] = mapped_column(String(32))
    classification: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_from: Mapped[str | None] = mapped_column(String(45))

    submission: Mapped[Submission] = relationship(back_populates="versions", lazy="raise_on_sql")


class Attachment(Base):
    """A photo sent beside a version, declared in its record's `attachments`; the bytes live on disk by hash."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_nonnegative"),)
    __scope__ = {"commune": "commune_code", "village": "village_code"}

    version_id: Mapped[str] = mapped_column(ForeignKey("submission_versions.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    village_code: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BIGINT)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncCounter(Base):
    """A counter bumped by every change, last thing before commit: its row lock orders cursors by commit."""

    __tablename__ = "sync_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BIGINT, default=0)


class ReviewEvent(Base):
    """One step in a form's history: arrival, a state change, a comment, a re-classification. Never changed.

    Written by `server.submissions.history`; the database refuses to change or delete a row (the migrations).
    """

    __tablename__ = "review_events"
    __table_args__ = (Index("ix_review_events_submission", "submission_id", "id"),)
    __scope__ = {"commune": "commune_code", "village": "village_code"}

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    # The version the step was taken on.
    version_id: Mapped[str] = mapped_column(ForeignKey("submission_versions.id"))
    commune_code: Mapped[str] = mapped_column(String(5))
    village_code: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str | None] = mapped_column(String(12))
    # A comment on one answer names its path, e.g. "members[2].employment"; null = on the whole form.
    field_path: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def _row_type(model):
    """An immutable snapshot type of a model's row: every column as an attribute, unset ones None."""
    fields = [c.key for c in model.__table__.columns]
    snapshot = namedtuple(f"{model.__name__}Row", fields, defaults=[None] * len(fields))
    snapshot.of = classmethod(lambda cls, obj: cls(*(getattr(obj, f) for f in cls._fields)))
    snapshot.__doc__ = f"A read-only snapshot of a stored {model.__name__}: `.of(obj)` takes one from the ORM object."
    return snapshot


# What ingest answers with, whether the rows were written just now, found by a retry or corrected.
SubmissionRow = _row_type(Submission)
VersionRow = _row_type(SubmissionVersion)
