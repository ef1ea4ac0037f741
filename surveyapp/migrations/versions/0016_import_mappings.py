"""import mappings: the confirmed column/option/value mapping of a 问卷星 / 腾讯问卷 export, per campaign

Written by hand; holds only this feature's changes.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('saved_by', sa.Integer(), nullable=True),
        sa.Column('saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['saved_by'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id'),
    )


def downgrade() -> None:
    op.drop_table('import_mapping')
