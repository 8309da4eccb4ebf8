"""Indicators: `data_versions`, a counter the database bumps on every change to the places tables (units, their
resident counts, the commune mappings) and to the official unit statuses, so that a finished indicator table can
be kept and known to be current; and `ix_submissions_commune_change` (commune_code, change_seq), the newest
change to one commune's forms, so that a commune's kept tables outlive changes elsewhere.

The forms' own changes are already counted by `sync_counters` (every change to a form takes the next cursor);
the places tables and the official statuses had no such counter and are written by several paths (imports, the
admin pages, restores), so here triggers count them, whatever wrote the row: on PostgreSQL one per statement, on
SQLite one per row.

Revision ID: 20261201_07
Revises: 20261201_06
Create Date: 2026-12-01 13:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '20261201_07'
down_revision = '20261201_06'
branch_labels = None
depends_on = None

PLACES = ("units", "unit_household_counts", "commune_mappings", "unit_official_statuses")


def upgrade() -> None:
    op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')))
    op.execute("INSERT INTO data_versions (name, value) VALUES ('places', 0)")
    op.create_index("ix_submissions_commune_change", "submissions", ["commune_code", "change_seq"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE data_versions SET value = value + 1 WHERE name = TG_ARGV[0]; RETURN NULL; END $$""")
        for table in PLACES:
            op.execute(f"""CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('places')""")
    else:
        for table in PLACES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"""CREATE TRIGGER {table}_data_version_{event.lower()} AFTER {event} ON {table}
                    BEGIN UPDATE data_versions SET value = value + 1 WHERE name = 'places'; END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PLACES:
            op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
        op.execute("DROP FUNCTION bump_data_version()")
    else:
        for table in PLACES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_data_version_{event}")
    op.drop_index("ix_submissions_commune_change", table_name="submissions")
    op.drop_table('data_versions')
