"""Access: session versions and administrator locks on users; sign-in throttles per (username, address) and per
address instead of the log of failed logins.

The failed logins kept so far are dropped, not converted: they only ever counted for 15 minutes.

Revision ID: 20261201_01
Revises: 20261122_02
Create Date: 2026-12-01 09:00:00
"""

from alembic import op
import sqlalchemy as sa

import server.core.db


revision = '20261201_01'
down_revision = '20261122_02'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_at', server.core.db.UTCDateTime(timezone=True), nullable=True))

    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('retry_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('forget_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
    sa.UniqueConstraint('username', 'ip', name=op.f('uq_login_throttles_username_ip'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_forget_at'), ['forget_at'], unique=False)

    op.create_table('login_address_throttles',
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('retry_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('forget_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ip', name=op.f('pk_login_address_throttles'))
    )
    with op.batch_alter_table('login_address_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_address_throttles_forget_at'), ['forget_at'], unique=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_ip'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
    op.drop_table('login_failures')


def downgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)

    with op.batch_alter_table('login_address_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_address_throttles_forget_at'))
    op.drop_table('login_address_throttles')
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_forget_at'))
    op.drop_table('login_throttles')

    # Not in batch mode: on SQLite that copies `users` into a new table and drops the old one, which, with foreign
    # keys on, deletes every API token (ON DELETE CASCADE). SQLite 3.35+ drops a plain column in place.
    op.drop_column('users', 'locked_at')
    op.drop_column('users', 'session_version')
