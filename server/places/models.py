"""Places: province → commune (xã / phường) → village (thôn, bản, tổ dân phố), with validity dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import Base
from server.core.scoping import register_unit_model

LEVELS = ("province", "commune", "village")


class Unit(Base):
    """One administrative unit. Codes are unique across levels: 2-digit province, 5-digit commune (QĐ 19/2025),
    province-assigned village codes. `province_code` and `commune_code` hold the unit's path, so "every unit below
    X" is one indexed comparison."""

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("level IN ('province', 'commune', 'village')", name="level"),
        CheckConstraint("(level = 'province') = (parent_code IS NULL)", name="parent_by_level"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    # Kind in Vietnamese administrative terms: tinh, thanh_pho, xa, phuong, dac_khu, thon, ban, to_dan_pho, ...
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    # Urban or rural as the poverty standard reads it (xã rural, phường urban: poverty-review.md §3.1, taken from
    # the rule set's area_by_division_type); villages follow their commune; null = the rule set does not say.
    is_urban: Mapped[bool | None] = mapped_column(Boolean)
    # Official DTTS&MN flags, entered from the approved lists (QĐ 33/2020, NĐ 272/2025); null = not known.
    in_dtts_mn_area: Mapped[bool | None] = mapped_column(Boolean)
    is_especially_difficult: Mapped[bool | None] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # Where the unit came from: the package and version, or the imported file.
    source: Mapped[str] = mapped_column(String(200))

    @property
    def area(self) -> str | None:
        """'urban' or 'rural', as the poverty standard reads it; None when not known."""
        return None if self.is_urban is None else ("urban" if self.is_urban else "rural")


register_unit_model(Unit)


class UnitHouseholdCount(Base):
    """Resident households (and persons, where known) of a unit in a year: the denominator of every rate."""

    __tablename__ = "unit_household_counts"
    __table_args__ = (
        CheckConstraint("households >= 0", name="households_nonnegative"),
        CheckConstraint("persons IS NULL OR persons >= 0", name="persons_nonnegative"),
    )

    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int | None] = mapped_column(Integer)


class CommuneMapping(Base):
    """An old commune (before the 01/07/2025 reorganisation) and the new commune its data belongs to."""

    __tablename__ = "commune_mappings"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    old_code: Mapped[str] = mapped_column(String(5), index=True)
    old_name: Mapped[str] = mapped_column(String(200))
    new_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
