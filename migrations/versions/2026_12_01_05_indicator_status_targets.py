"""Indicators: official unit statuses, plan targets and external figures (issue 12 items 2 and 3).

- `unit_official_statuses`: the OFFICIAL DTTS&MN status of a village or commune from an approved list, over a
  period (valid_from ≤ day < valid_to), with the decision, the imported file and who imported it.
- `plan_targets`: a plan's target for a unit and year (indicator, comparison, value, source document, note).
- `external_figures`: a figure the review cannot give (income per capita, road, grid, NTM...), with its source.

The 2025 provincial plan is entered by `flask --app server seed-plan-targets` (config/plans/lang-son-2025.json),
not here: the targets name the province's unit, which is loaded after the schema.

Revision ID: 20261201_05
Revises: 20261201_04
Create Date: 2026-12-01 13:00:00
"""

from alembic import op
import sqlalchemy as sa

import server.core.db


revision = '20261201_05'
down_revision = '20261201_04'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit_official_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('criteria', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.String(length=200), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('imported_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('valid_to IS NULL OR valid_to > valid_from', name=op.f('ck_unit_official_statuses_validity')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_unit_official_statuses_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_official_statuses')),
    sa.UniqueConstraint('unit_code', 'valid_from', name=op.f('uq_unit_official_statuses_unit_code_valid_from'))
    )
    op.create_index(op.f('ix_unit_official_statuses_unit_code'), 'unit_official_statuses', ['unit_code'],
                    unique=False)
    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('comparison', sa.String(length=30), nullable=False),
    sa.Column('target_value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_plan_targets_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('unit_code', 'year', 'indicator', name=op.f('uq_plan_targets_unit_code_year_indicator'))
    )
    op.create_index(op.f('ix_plan_targets_unit_code'), 'plan_targets', ['unit_code'], unique=False)
    op.create_table('external_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('unit_of_measure', sa.String(length=60), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', server.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_external_figures_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_figures')),
    sa.UniqueConstraint('unit_code', 'year', 'indicator', name=op.f('uq_external_figures_unit_code_year_indicator'))
    )
    op.create_index(op.f('ix_external_figures_unit_code'), 'external_figures', ['unit_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_external_figures_unit_code'), table_name='external_figures')
    op.drop_table('external_figures')
    op.drop_index(op.f('ix_plan_targets_unit_code'), table_name='plan_targets')
    op.drop_table('plan_targets')
    op.drop_index(op.f('ix_unit_official_statuses_unit_code'), table_name='unit_official_statuses')
    op.drop_table('unit_official_statuses')
