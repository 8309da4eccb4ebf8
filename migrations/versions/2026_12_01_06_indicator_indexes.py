"""Indicators: two partial covering indexes over the household forms that count (not set aside as duplicates).

- `ix_submissions_counted`: (review_year, commune_code, state, poverty_class, head_ethnicity, head_is_dtts, area,
  middle_income_agricultural, village_code, members_count, household_code): every column the indicator cells and
  the flows read, so they read the index, not the wide rows (names, answers); the cells of a province are grouped
  in this order, so neither backend sorts the forms.
- `ix_submissions_counted_class`: (review_year, poverty_class, commune_code, village_code, state, household_code,
  members_count, deficit_count, deficit_mask): the village flags' grouping of a province (in this order), the
  deficits of the poor and near-poor forms, and the households the flows need.

Both WHERE kind = 'household' AND duplicate_of_id IS NULL (the queries write these two terms as literals, so
PostgreSQL's generic plans can use them too). Indexes only: no data changes (bench/indicators.py measures them).

Revision ID: 20261201_06
Revises: 20261201_05
Create Date: 2026-12-01 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '20261201_06'
down_revision = '20261201_05'
branch_labels = None
depends_on = None

COUNTED = "kind = 'household' AND duplicate_of_id IS NULL"
INDEXES = {
    "ix_submissions_counted": ["review_year", "commune_code", "state", "poverty_class", "head_ethnicity",
                               "head_is_dtts", "area", "middle_income_agricultural", "village_code",
                               "members_count", "household_code"],
    "ix_submissions_counted_class": ["review_year", "poverty_class", "commune_code", "village_code", "state",
                                     "household_code", "members_count", "deficit_count", "deficit_mask"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "submissions", columns, unique=False, sqlite_where=sa.text(COUNTED),
                        postgresql_where=sa.text(COUNTED))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="submissions")
