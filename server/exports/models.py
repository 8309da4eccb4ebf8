"""The export jobs of issue 13: a long export (a household list, the records) runs in the background.

A job's row is written by the request that asks for it (with the audit entry of a personal-data export), then a
worker thread fills `done` as it writes and sets `state`, `file_name`, `size` and `finished_at`. The file lies in
the instance folder (EXPORTS_FOLDER); only the user who asked (or an administrator over the same area) may
download it, and it is deleted after EXPORT_KEEP_HOURS.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UTCDateTime, utcnow

JOB_STATES = ("queued", "running", "done", "failed")


class ExportJob(Base):
    """One export asked for on the exports page: what, for whom, how far it got, and the file it made."""

    __tablename__ = "export_jobs"
    __table_args__ = (CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    # The export's name (a TABLE of `flask export`), its parameters (year, unit, basis, class, format, purpose).
    table: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
