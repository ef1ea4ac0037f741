"""a circle's address and notes (the back office edits circles in the browser)

Written by hand: two text columns, empty for the circles registered before.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('circle') as batch:
        batch.add_column(sa.Column('address', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('notes', sa.String(length=2000), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('circle') as batch:
        batch.drop_column('notes')
        batch.drop_column('address')
