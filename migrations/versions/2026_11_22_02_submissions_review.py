"""Submissions and review: forms, versions, photos, sync counter, meetings, decisions, review events.

Revision ID: 20261122_02
Revises: 20261122_01
Create Date: 2026-11-22 04:12:51.473908
"""

from alembic import op
import sqlalchemy as sa

import server.core.db

# Rows of these tables are written once and never changed: the database itself refuses UPDATE and DELETE.
APPEND_ONLY = ("submission_versions", "review_events")


revision = '20261122_02'
down_revision = '20261122_01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_counters',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_sync_counters'))
    )
    op.create_table('commune_decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_code', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['units.code'], name=op.f('fk_commune_decisions_commune_code_units')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_commune_decisions_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_decisions')),
    sa.UniqueConstraint('commune_code', 'number', name=op.f('uq_commune_decisions_commune_code_number'))
    )
    op.create_table('village_meetings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('commune_code', sa.String(length=20), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('minutes_ref', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('attendees > 0', name=op.f('ck_village_meetings_attendees_positive')),
    sa.ForeignKeyConstraint(['commune_code'], ['units.code'], name=op.f('fk_village_meetings_commune_code_units')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_village_meetings_recorded_by_users')),
    sa.ForeignKeyConstraint(['village_code'], ['units.code'], name=op.f('fk_village_meetings_village_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_village_meetings'))
    )
    with op.batch_alter_table('village_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_meetings_village_code'), ['village_code'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('first_id', sa.String(length=36), nullable=False),
    sa.Column('current_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('review_year', sa.Integer(), nullable=False),
    sa.Column('review_type', sa.String(length=10), nullable=True),
    sa.Column('commune_code', sa.String(length=20), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('household_code', sa.String(length=64), nullable=True),
    sa.Column('area', sa.String(length=5), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=True),
    sa.Column('head_name_key', sa.String(length=200), nullable=True),
    sa.Column('head_id_number', sa.String(length=12), nullable=True),
    sa.Column('head_birth_year', sa.Integer(), nullable=True),
    sa.Column('head_sex', sa.String(length=6), nullable=True),
    sa.Column('head_ethnicity', sa.String(length=32), nullable=True),
    sa.Column('members_count', sa.Integer(), nullable=True),
    sa.Column('interview_started_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('interview_ended_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('rule_set', sa.String(length=32), nullable=True),
    sa.Column('poverty_class', sa.String(length=10), nullable=True),
    sa.Column('deficit_mask', sa.Integer(), nullable=True),
    sa.Column('deficit_count', sa.Integer(), nullable=True),
    sa.Column('b1_points', sa.Integer(), nullable=True),
    sa.Column('b2_points', sa.Integer(), nullable=True),
    sa.Column('classification', sa.JSON(), nullable=True),
    sa.Column('meeting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decision_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('change_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint("(state = 'recognised') = (decision_id IS NOT NULL)", name=op.f('ck_submissions_recognised_by_decision')),
    sa.CheckConstraint("kind = 'village' OR poverty_class IS NOT NULL", name=op.f('ck_submissions_household_classified')),
    sa.CheckConstraint("kind IN ('household', 'village')", name=op.f('ck_submissions_kind')),
    sa.CheckConstraint("poverty_class IS NULL OR poverty_class IN ('poor', 'near_poor', 'middle', 'not_poor')", name=op.f('ck_submissions_poverty_class')),
    sa.CheckConstraint("state IN ('submitted', 'returned', 'resubmitted', 'approved', 'agreed', 'resurvey', 'recognised')", name=op.f('ck_submissions_state')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_submissions_version_positive')),
    sa.ForeignKeyConstraint(['commune_code'], ['units.code'], name=op.f('fk_submissions_commune_code_units')),
    sa.ForeignKeyConstraint(['decision_id'], ['commune_decisions.id'], name=op.f('fk_submissions_decision_id_commune_decisions')),
    sa.ForeignKeyConstraint(['meeting_id'], ['village_meetings.id'], name=op.f('fk_submissions_meeting_id_village_meetings')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_submissions_submitted_by_users')),
    sa.ForeignKeyConstraint(['village_code'], ['units.code'], name=op.f('fk_submissions_village_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('current_id', name=op.f('uq_submissions_current_id')),
    sa.UniqueConstraint('first_id', name=op.f('uq_submissions_first_id'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index('ix_submissions_commune_head_name', ['commune_code', 'head_name_key', 'head_birth_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_head_id_number'), ['head_id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_submitted_by'), ['submitted_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_village_code'), ['village_code'], unique=False)
        batch_op.create_index('ix_submissions_year_commune_village', ['review_year', 'commune_code', 'village_code'], unique=False)
        batch_op.create_index('ix_submissions_year_state_class', ['review_year', 'state', 'poverty_class'], unique=False)

    op.create_table('submission_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('supersedes', sa.String(length=36), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('rule_set', sa.String(length=32), nullable=True),
    sa.Column('classification', sa.JSON(), nullable=True),
    sa.Column('received_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.Integer(), nullable=False),
    sa.Column('received_from', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['received_by'], ['users.id'], name=op.f('fk_submission_versions_received_by_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_versions_submission_id_submissions')),
    sa.ForeignKeyConstraint(['supersedes'], ['submission_versions.id'], name=op.f('fk_submission_versions_supersedes_submission_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_versions')),
    sa.UniqueConstraint('submission_id', 'number', name=op.f('uq_submission_versions_submission_id_number')),
    sa.UniqueConstraint('supersedes', name=op.f('uq_submission_versions_supersedes'))
    )
    op.create_table('attachments',
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('received_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_attachments_size_nonnegative')),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_attachments_version_id_submission_versions')),
    sa.PrimaryKeyConstraint('version_id', 'name', name=op.f('pk_attachments'))
    )
    op.create_table('review_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version_id', sa.String(length=36), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('village_code', sa.String(length=20), nullable=False),
    sa.Column('at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=True),
    sa.Column('field_path', sa.String(length=200), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_review_events_actor_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_review_events_submission_id_submissions')),
    sa.ForeignKeyConstraint(['version_id'], ['submission_versions.id'], name=op.f('fk_review_events_version_id_submission_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_events'))
    )
    with op.batch_alter_table('review_events', schema=None) as batch_op:
        batch_op.create_index('ix_review_events_submission', ['submission_id', 'id'], unique=False)

    op.execute("INSERT INTO sync_counters (name, value) VALUES ('submissions', 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""")
        for table in APPEND_ONLY:
            op.execute(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION refuse_change()""")
    else:
        for table in APPEND_ONLY:
            for what in ("UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table}
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION refuse_change()")
    with op.batch_alter_table('review_events', schema=None) as batch_op:
        batch_op.drop_index('ix_review_events_submission')

    op.drop_table('review_events')
    op.drop_table('attachments')
    op.drop_table('submission_versions')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_year_state_class')
        batch_op.drop_index('ix_submissions_year_commune_village')
        batch_op.drop_index(batch_op.f('ix_submissions_village_code'))
        batch_op.drop_index(batch_op.f('ix_submissions_submitted_by'))
        batch_op.drop_index(batch_op.f('ix_submissions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_head_id_number'))
        batch_op.drop_index(batch_op.f('ix_submissions_decision_id'))
        batch_op.drop_index('ix_submissions_commune_head_name')
        batch_op.drop_index(batch_op.f('ix_submissions_change_seq'))

    op.drop_table('submissions')
    with op.batch_alter_table('village_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_meetings_village_code'))

    op.drop_table('village_meetings')
    op.drop_table('commune_decisions')
    op.drop_table('sync_counters')
