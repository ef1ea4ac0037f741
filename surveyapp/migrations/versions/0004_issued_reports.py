"""issued reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('report_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('data_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_number')
    )
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_report_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issued_report_evaluation_id'), ['evaluation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('issued_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_report_evaluation_id'))
        batch_op.drop_index(batch_op.f('ix_issued_report_campaign_id'))

    op.drop_table('issued_report')
