"""Sync cursor epoch: a random number in `sync_counters` that every cursor carries ("EPOCH.SEQ").

Restoring a backup draws a new one, so a cursor handed out before the restore is refused (409 `cursor_reset`)
rather than silently skipping the changes renumbered after it.

Revision ID: 20261201_02
Revises: 20261201_01
Create Date: 2026-12-01 10:00:00
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '20261201_02'
down_revision = '20261201_01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    counters = sa.table('sync_counters', sa.column('name', sa.String), sa.column('value', sa.BigInteger))
    # 60 random bits, never 0 (as server.submissions.history.random_epoch).
    op.bulk_insert(counters, [{'name': 'epoch', 'value': secrets.randbits(60) or 1}])


def downgrade() -> None:
    op.execute("DELETE FROM sync_counters WHERE name = 'epoch'")
