"""Review: a household form set aside as a duplicate of another (`submissions.duplicate_of_id`).

A plain nullable column, added in place on both backends (SQLite adds a column with REFERENCES without copying
the table, which with foreign keys on would fail on a table that other tables reference).

Revision ID: 20261201_03
Revises: 20261201_02
Create Date: 2026-12-01 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '20261201_03'
down_revision = '20261201_02'
branch_labels = None
depends_on = None

def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Alembic would add the column, then refuse to ALTER in the constraint: SQLite takes it inline.
        op.execute("ALTER TABLE submissions ADD COLUMN duplicate_of_id INTEGER "
                   "CONSTRAINT fk_submissions_duplicate_of_id_submissions REFERENCES submissions (id)")
    else:
        op.add_column('submissions', sa.Column('duplicate_of_id', sa.BigInteger(), nullable=True))
        op.create_foreign_key(op.f('fk_submissions_duplicate_of_id_submissions'), 'submissions', 'submissions',
                              ['duplicate_of_id'], ['id'])
    op.create_index(op.f('ix_submissions_duplicate_of_id'), 'submissions', ['duplicate_of_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_submissions_duplicate_of_id'), table_name='submissions')
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f('fk_submissions_duplicate_of_id_submissions'), 'submissions', type_='foreignkey')
    # Not in batch mode on SQLite (see 2026_12_01_01): SQLite 3.35+ drops a plain column in place.
    op.drop_column('submissions', 'duplicate_of_id')
