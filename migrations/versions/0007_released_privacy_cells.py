"""released privacy cells, the organisation roll-up, segment totals and monthly vote counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:41:54.538873

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch rebuild): the requirement table keeps its FTS5 triggers.
    op.add_column('requirement', sa.Column('revenue_shown', sa.Numeric(precision=20, scale=2), nullable=True))
    op.create_index('ix_requirement_revenue_shown', 'requirement', ['revenue_shown'], unique=False)
    op.create_table('released_cell',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=False),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.Column('showstoppers', sa.Integer(), nullable=False),
    sa.Column('voters_shown', sa.Boolean(), nullable=False),
    sa.Column('revenue_orgs', sa.Integer(), nullable=False),
    sa.Column('revenue_total', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('revenue_largest', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('revenue_second', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('revenue_shown', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('revenue_median', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('revenue_reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_released_cell_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', 'dimension', 'segment', name=op.f('pk_released_cell'))
    )
    with op.batch_alter_table('released_cell', schema=None) as batch_op:
        batch_op.create_index('ix_released_cell_revenue', ['dimension', 'revenue_shown'], unique=False)
        batch_op.create_index('ix_released_cell_segment', ['dimension', 'segment', 'requirement_id'], unique=False)

    op.create_table('requirement_org',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('top', sa.Integer(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('released_top', sa.Integer(), nullable=False),
    sa.Column('released_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('released_currency', sa.String(length=3), nullable=True),
    sa.Column('released_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('segment_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('segment_currency', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_requirement_org_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_requirement_org_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', 'organisation_id', name=op.f('pk_requirement_org'))
    )
    with op.batch_alter_table('requirement_org', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requirement_org_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('requirement_release',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('voters_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voters_pending', sa.Integer(), nullable=False),
    sa.Column('revenue_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revenue_pending', sa.Integer(), nullable=False),
    sa.Column('segments_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_requirement_release_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', name=op.f('pk_requirement_release'))
    )
    op.create_table('segment_total',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('segment', sa.String(length=32), nullable=False),
    sa.Column('voters', sa.Integer(), nullable=False),
    sa.Column('showstoppers', sa.Integer(), nullable=False),
    sa.Column('voter_cells', sa.Integer(), nullable=False),
    sa.Column('voters_hidden', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('revenue_cells', sa.Integer(), nullable=False),
    sa.Column('revenue_hidden', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_segment_total_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'status', 'dimension', 'segment', name=op.f('pk_segment_total'))
    )
    op.create_table('requirement_month',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['requirement_id'], ['requirement.id'], name=op.f('fk_requirement_month_requirement_id_requirement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', 'month', name=op.f('pk_requirement_month'))
    )
    with op.batch_alter_table('requirement_month', schema=None) as batch_op:
        batch_op.create_index('ix_requirement_month_month', ['month', 'requirement_id'], unique=False)

    op.create_table('survey_release',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_release_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', name=op.f('pk_survey_release'))
    )
    # ### end Alembic commands ###


def downgrade():
    op.drop_index('ix_requirement_revenue_shown', table_name='requirement')
    op.drop_column('requirement', 'revenue_shown')  # native DROP COLUMN: no batch rebuild
    op.drop_table('survey_release')
    op.drop_table('segment_total')
    with op.batch_alter_table('requirement_month', schema=None) as batch_op:
        batch_op.drop_index('ix_requirement_month_month')

    op.drop_table('requirement_month')
    op.drop_table('requirement_release')
    with op.batch_alter_table('requirement_org', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_requirement_org_organisation_id'))

    op.drop_table('requirement_org')
    with op.batch_alter_table('released_cell', schema=None) as batch_op:
        batch_op.drop_index('ix_released_cell_segment')
        batch_op.drop_index('ix_released_cell_revenue')

    op.drop_table('released_cell')
    # ### end Alembic commands ###
