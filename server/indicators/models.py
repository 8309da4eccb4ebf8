"""Indicator tables of issue 12: official unit statuses, plan targets and external figures.

None of them holds personal data: they are figures about units (villages, communes, the province), so they
carry no `__scope__`; the operations and pages check the acting user's area themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base, UTCDateTime


class OfficialStatus(Base):
    """The OFFICIAL DTTS&MN status of a village or commune, as an approved list decided it (QĐ 33/2020 lists,
    NĐ 272/2025 lists), over a period: valid_from ≤ day < valid_to (open-ended while valid_to is null).

    `status` is a status code of `criteria`'s file in config/rules/area-status/ for the unit's level (dbkk,
    not_dbkk, kv1, kv2, kv3) or out_of_scope. Never computed: only imported (server.indicators.status)."""

    __tablename__ = "unit_official_statuses"
    __table_args__ = (
        UniqueConstraint("unit_code", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The criteria file the list was made under (qd-33-2020, nd-272-2025).
    criteria: Mapped[str] = mapped_column(String(32))
    # The decision that approved the list: its number and date ("Quyết định 861/QĐ-TTg", 2021-06-04).
    decision: Mapped[str] = mapped_column(String(200))
    decision_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # The imported file's name, and who imported it when (a username, or "cli").
    source: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanTarget(Base):
    """A target of a plan for a unit and year: `indicator` compared by `comparison` with `target_value`
    (server.indicators.targets lists both), e.g. dtts_mn_poverty_rate, decrease_by_at_least, 2 (percentage
    points against the previous year). `source` names the plan document."""

    __tablename__ = "plan_targets"
    __table_args__ = (UniqueConstraint("unit_code", "year", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    comparison: Mapped[str] = mapped_column(String(30))
    target_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ExternalFigure(Base):
    """A figure the review data cannot give, entered by an officer with its source: average income per capita
    from the statistics office, or a fact a status criterion needs (road, grid, NTM certification...)."""

    __tablename__ = "external_figures"
    __table_args__ = (UniqueConstraint("unit_code", "year", "indicator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_of_measure: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DataVersion(Base):
    """A counter the database bumps on every change to a group of tables (`places`: units, resident counts,
    commune mappings, official unit statuses; triggers of migration 20261201_07). Read by
    server.indicators.cache, never written here."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
