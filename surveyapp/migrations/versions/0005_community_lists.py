"""community lists: projects, their demands and progress notes, declined demands, sorted suggestions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community_demand_decision',
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('circle_id', 'type_code')
    )
    op.create_table('community_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('responsible', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_project_circle_id'), ['circle_id'], unique=False)

    op.create_table('community_project_demand',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['community_project.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'type_code')
    )
    op.create_table('community_project_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['community_project.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_project_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_project_note_project_id'), ['project_id'], unique=False)

    op.create_table('community_suggestion',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('response_id')
    )
    with op.batch_alter_table('community_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_suggestion_circle_id'), ['circle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('community_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_suggestion_circle_id'))

    op.drop_table('community_suggestion')
    with op.batch_alter_table('community_project_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_project_note_project_id'))

    op.drop_table('community_project_note')
    op.drop_table('community_project_demand')
    with op.batch_alter_table('community_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_project_circle_id'))

    op.drop_table('community_project')
    op.drop_table('community_demand_decision')
