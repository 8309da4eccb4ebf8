"""Foundation: places, accounts, API tokens, failed logins, the append-only audit trail.

Revision ID: 20261122_01
Revises: 
Create Date: 2026-11-22 02:37:52.300810
"""

from alembic import op
import sqlalchemy as sa

import server.core.db


revision = '20261122_01'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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

    op.create_table('units',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('is_urban', sa.Boolean(), nullable=True),
    sa.Column('in_dtts_mn_area', sa.Boolean(), nullable=True),
    sa.Column('is_especially_difficult', sa.Boolean(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.CheckConstraint("(level = 'province') = (parent_code IS NULL)", name=op.f('ck_units_parent_by_level')),
    sa.CheckConstraint("level IN ('province', 'commune', 'village')", name=op.f('ck_units_level')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_units_validity')),
    sa.ForeignKeyConstraint(['parent_code'], ['units.code'], name=op.f('fk_units_parent_code_units')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_province_code'), ['province_code'], unique=False)

    op.create_table('commune_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_code', sa.String(length=5), nullable=False),
    sa.Column('old_name', sa.String(length=200), nullable=False),
    sa.Column('new_code', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_commune_mappings_validity')),
    sa.ForeignKeyConstraint(['new_code'], ['units.code'], name=op.f('fk_commune_mappings_new_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_mappings'))
    )
    with op.batch_alter_table('commune_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_mappings_new_code'), ['new_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_mappings_old_code'), ['old_code'], unique=False)

    op.create_table('unit_household_counts',
    sa.Column('unit_code', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.CheckConstraint('households >= 0', name=op.f('ck_unit_household_counts_households_nonnegative')),
    sa.CheckConstraint('persons IS NULL OR persons >= 0', name=op.f('ck_unit_household_counts_persons_nonnegative')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_unit_household_counts_unit_code_units')),
    sa.PrimaryKeyConstraint('unit_code', 'year', name=op.f('pk_unit_household_counts'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=20), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('enumerator', 'supervisor', 'officer', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_users_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_code'), ['unit_code'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', server.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('unit_code', sa.String(length=20), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_unit_code'), ['unit_code'], unique=False)



    # The audit trail is append-only: the database itself refuses to change or delete an event.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$""")
        op.execute("""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_events_no_{what.lower()} BEFORE {what} ON audit_events
                BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_unit_code'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_code'))

    op.drop_table('users')
    op.drop_table('unit_household_counts')
    with op.batch_alter_table('commune_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_mappings_old_code'))
        batch_op.drop_index(batch_op.f('ix_commune_mappings_new_code'))

    op.drop_table('commune_mappings')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_province_code'))
        batch_op.drop_index(batch_op.f('ix_units_parent_code'))
        batch_op.drop_index(batch_op.f('ix_units_commune_code'))

    op.drop_table('units')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
        batch_op.drop_index(batch_op.f('ix_login_failures_ip'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))

    op.drop_table('login_failures')

