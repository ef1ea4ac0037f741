"""app settings kept by admins (the assessment firm's name) and the firm frozen on each issued report

Written by hand; holds only this feature's changes. Reports issued before this migration keep
``issued_by_firm`` NULL: they printed the issuer's name as 评价机构 and re-render that way.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'app_setting',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('issued_report') as batch:
        batch.add_column(sa.Column('issued_by_firm', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issued_report') as batch:
        batch.drop_column('issued_by_firm')
    op.drop_table('app_setting')
