"""Indicators: two columns the aggregation groups on, and the index that links households across years.

- `head_is_dtts`: the head of household belongs to an ethnic minority (every group of
  config/rules/ethnic-groups.json but the majority group; server.poverty.codes.is_ethnic_minority).
- `middle_income_agricultural`: the record's `flags.middle_income_agricultural` (Phiếu C), as answered.
- `ix_submissions_household`: (commune_code, household_code, review_year), the key of the §5.2 flows.

Existing household forms are filled from their current version (the same rule as ingest: server.submissions.
operations.extracted). Plain nullable columns, added in place on both backends.

Revision ID: 20261201_04
Revises: 20261201_03
Create Date: 2026-12-01 12:00:00
"""

import json

from alembic import op
import sqlalchemy as sa


revision = '20261201_04'
down_revision = '20261201_03'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('submissions', sa.Column('head_is_dtts', sa.Boolean(), nullable=True))
    op.add_column('submissions', sa.Column('middle_income_agricultural', sa.Boolean(), nullable=True))
    op.create_index('ix_submissions_household', 'submissions', ['commune_code', 'household_code', 'review_year'],
                    unique=False)
    _fill()


def _fill() -> None:
    """Set both columns on every household form from its current version's content."""
    from server.poverty.codes import is_ethnic_minority

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT s.id, s.head_ethnicity, v.content FROM submissions s "
        "JOIN submission_versions v ON v.id = s.current_id WHERE s.kind = 'household'")).all()
    update = sa.text("UPDATE submissions SET head_is_dtts = :dtts, middle_income_agricultural = :agri "
                     "WHERE id = :id")
    params = []
    for id_, ethnicity, content in rows:
        if isinstance(content, str):
            content = json.loads(content)
        flags = (content or {}).get("flags") or {}
        agri = flags.get("middle_income_agricultural")
        params.append({"id": id_, "dtts": None if ethnicity is None else is_ethnic_minority(ethnicity),
                       "agri": None if agri is None else bool(agri)})
    if params:
        bind.execute(update, params)


def downgrade() -> None:
    op.drop_index('ix_submissions_household', table_name='submissions')
    # Not in batch mode on SQLite (see 2026_12_01_01): SQLite 3.35+ drops a plain column in place.
    op.drop_column('submissions', 'middle_income_agricultural')
    op.drop_column('submissions', 'head_is_dtts')
