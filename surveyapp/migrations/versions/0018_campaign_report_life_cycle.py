"""campaign reports issued like evaluation reports: frozen data document and correction reason

Written by hand. A campaign report (满意度调查报告, 汇总表) keeps the data document it was
rendered from, so re-rendering it gives the issued bytes whatever happened to the data since;
a correction keeps its reason, printed on the corrected report. Reports issued before this
migration have no document (they are read from the data as before).

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issued_report') as batch:
        batch.add_column(sa.Column('document', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('correction_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                   nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('issued_report') as batch:
        batch.drop_column('correction_reason')
        batch.drop_column('document')
