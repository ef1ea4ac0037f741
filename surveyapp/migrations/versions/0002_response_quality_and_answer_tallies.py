"""response quality and answer tallies

Responses stored before this revision keep their exclusion reason; their answer tallies
are built by `surveyapp responses retally --campaign ID` (the migration cannot read
questionnaire files).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_tally',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('group_question', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('group_value', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'question', 'code', 'group_question', 'group_value', 'duration')
    )
    op.create_table('response_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('response_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_review_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_structure', sa.JSON(), nullable=True))

    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('community', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('straightlining', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('duplicate_of', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('exclusion', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('speed_exempt', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_index(batch_op.f('ix_response_status'))
        batch_op.create_index('ix_response_campaign_serial', ['campaign_id', 'serial'], unique=False)
        batch_op.create_index('ix_response_campaign_duration', ['campaign_id', 'duration_seconds'], unique=False)
    op.execute("UPDATE response SET exclusion = status_reason WHERE status = 'excluded'")
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status')


def downgrade() -> None:
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.VARCHAR(length=16), nullable=False, server_default='valid'))
        batch_op.add_column(sa.Column('status_reason', sa.VARCHAR(length=32), nullable=True))
        batch_op.drop_index('ix_response_campaign_serial')
        batch_op.drop_index('ix_response_campaign_duration')
        batch_op.create_index(batch_op.f('ix_response_status'), ['status'], unique=False)
        batch_op.drop_column('speed_exempt')
        batch_op.drop_column('exclusion')
        batch_op.drop_column('duplicate_of')
        batch_op.drop_column('straightlining')
        batch_op.drop_column('community')
        batch_op.drop_column('duration_seconds')

    with op.batch_alter_table('circle', schema=None) as batch_op:
        batch_op.drop_column('age_structure')

    with op.batch_alter_table('response_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_review_response_id'))

    op.drop_table('response_review')
    op.drop_table('answer_tally')
