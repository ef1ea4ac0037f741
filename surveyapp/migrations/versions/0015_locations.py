"""locations: outlets' WGS-84 points and listing consent; communities' representative points

Written by hand; holds only this feature's changes.

Revision ID: 0015
Revises: 0007
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0015'
down_revision = '0007'
branch_labels = None
depends_on = None


def _text(length):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table('outlet') as batch:
        batch.add_column(sa.Column('public_listing', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch.add_column(sa.Column('location_accuracy', sa.Float(), nullable=True))
        batch.add_column(sa.Column('location_source', _text(16), nullable=False, server_default=''))
    op.create_table(
        'community_point',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('circle_id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('label', _text(100), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['circle_id'], ['circle.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('community_point') as batch:
        batch.create_index(batch.f('ix_community_point_circle_id'), ['circle_id'], unique=False)
        batch.create_index(batch.f('ix_community_point_community_id'), ['community_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('community_point') as batch:
        batch.drop_index(batch.f('ix_community_point_community_id'))
        batch.drop_index(batch.f('ix_community_point_circle_id'))
    op.drop_table('community_point')
    with op.batch_alter_table('outlet') as batch:
        batch.drop_column('location_source')
        batch.drop_column('location_accuracy')
        batch.drop_column('longitude')
        batch.drop_column('latitude')
        batch.drop_column('public_listing')
