"""evaluations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rules_snapshot',
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('catalogue_source', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('content_hash')
    )
    with op.batch_alter_table('rules_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rules_snapshot_name'), ['name'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('rules_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rules_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('self_presence_points', sa.Float(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rules_hash'], ['rules_snapshot.content_hash'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('circle_id', 'round', name='uq_evaluation_circle_round')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_circle_id'), ['circle_id'], unique=False)

    op.create_table('indicator_entry',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('self_points', sa.Float(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('evaluation_id', 'indicator')
    )
    op.create_table('inventory_item',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('outlets', sa.Integer(), nullable=False),
    sa.Column('evidence', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'type_code')
    )


def downgrade() -> None:
    op.drop_table('inventory_item')
    op.drop_table('indicator_entry')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_circle_id'))

    op.drop_table('evaluation')
    with op.batch_alter_table('rules_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rules_snapshot_name'))

    op.drop_table('rules_snapshot')
