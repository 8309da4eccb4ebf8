"""Push outbox: `push_outbox`, what is owed to the provincial system (a form's record, a commune's figures for a
year), written in the same transaction as the change; and `push_batches`, the batches made of it, each with its
idempotency key and its payload frozen, so that a retry sends the same bytes and nothing is applied twice
(server/exports/outbox.py, server/exports/push.py).

Revision ID: 20261201_10
Revises: 20261201_09
Create Date: 2026-12-01 17:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '20261201_10'
down_revision = '20261201_09'
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'push_batches',
        sa.Column('id', BIGINT, nullable=False),
        sa.Column('idempotency_key', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('item_count', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'acknowledged', 'refused')", name=op.f('ck_push_batches_state')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_push_batches_attempts_nonnegative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_batches')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_push_batches_idempotency_key')))
    op.create_index(op.f('ix_push_batches_state'), 'push_batches', ['state'], unique=False)
    op.create_table(
        'push_outbox',
        sa.Column('id', BIGINT, nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('submission_id', BIGINT, nullable=True),
        sa.Column('unit_code', sa.String(length=20), nullable=True),
        sa.Column('review_year', sa.Integer(), nullable=True),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('batch_id', BIGINT, nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('item_id', sa.String(length=64), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('version_id', sa.String(length=36), nullable=True),
        sa.Column('form_state', sa.String(length=12), nullable=True),
        sa.Column('poverty_class', sa.String(length=10), nullable=True),
        sa.Column('settled', sa.Boolean(), nullable=True),
        sa.CheckConstraint("kind IN ('record', 'aggregate')", name=op.f('ck_push_outbox_kind')),
        sa.CheckConstraint("state IN ('pending', 'sent', 'accepted', 'refused')", name=op.f('ck_push_outbox_state')),
        sa.CheckConstraint("(kind = 'record') = (submission_id IS NOT NULL)",
                           name=op.f('ck_push_outbox_record_has_submission')),
        sa.CheckConstraint("kind = 'record' OR (unit_code IS NOT NULL AND review_year IS NOT NULL)",
                           name=op.f('ck_push_outbox_aggregate_has_unit')),
        sa.CheckConstraint("(state = 'pending' AND batch_id IS NULL) OR (state <> 'pending' AND (batch_id IS NOT NULL "
                           "OR state = 'refused'))", name=op.f('ck_push_outbox_batched_unless_pending')),
        sa.ForeignKeyConstraint(['batch_id'], ['push_batches.id'], name=op.f('fk_push_outbox_batch_id_push_batches')),
        sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'],
                                name=op.f('fk_push_outbox_submission_id_submissions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_outbox')))
    op.create_index(op.f('ix_push_outbox_batch_id'), 'push_outbox', ['batch_id'], unique=False)
    op.create_index('ix_push_outbox_submission', 'push_outbox', ['submission_id', 'id'], unique=False)
    op.create_index('ix_push_outbox_unit_year', 'push_outbox', ['unit_code', 'review_year', 'id'], unique=False)
    op.create_index('ix_push_outbox_state', 'push_outbox', ['state', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('push_outbox')
    op.drop_table('push_batches')
