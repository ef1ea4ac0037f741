"""staff sessions end on sign-out, password change, disabling and role change; one-time passwords

Written by hand. ``user.session_version`` is carried by every session and compared on each
request; ``user.must_change_password`` is set with a password an admin hands out.

Revision ID: 0010
Revises: 0015 (re-chained after merging main, which brought 0015)
Create Date: 2026-12-10
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_column('must_change_password')
        batch.drop_column('session_version')
