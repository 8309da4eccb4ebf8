"""Review: the village meetings and commune decisions a form passes through (its history: submissions.models)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UTCDateTime, utcnow
from server.submissions.models import BIGINT


class VillageMeeting(Base):
    """A village meeting (họp dân) that discussed approved households (QĐ 24/2021, step 3)."""

    __tablename__ = "village_meetings"
    __table_args__ = (
        CheckConstraint("attendees > 0", name="attendees_positive"),
    )
    __scope__ = {"commune": "commune_code", "village": "village_code"}

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    village_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[int] = mapped_column(Integer)
    minutes_ref: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommuneDecision(Base):
    """The commune chair's decision recognising poor / near-poor households (QĐ 24/2021, step 5)."""

    __tablename__ = "commune_decisions"
    __table_args__ = (UniqueConstraint("commune_code", "number"),)
    __scope__ = {"unit": "commune_code"}

    id: Mapped[int] = mapped_column(BIGINT, primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
