"""paged questionnaire drafts, several answers per device, interviews, idempotent submissions

Written by hand. Existing device answers take slot 1 (the old rule allowed one per device);
existing campaigns keep one answer per device (answers_per_device = 1), new ones default to 3.

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def _text(length):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table('campaign') as batch:
        batch.add_column(sa.Column('answers_per_device', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('response') as batch:
        batch.add_column(sa.Column('device_slot', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('submission_key', _text(64), nullable=True))
        batch.add_column(sa.Column('interviewer_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_response_interviewer_id_user', 'user', ['interviewer_id'], ['id'],
                                 ondelete='SET NULL')
        batch.create_index('ix_response_interviewer_id', ['interviewer_id'])
    op.execute("UPDATE response SET device_slot = 1 WHERE device_hash IS NOT NULL")
    with op.batch_alter_table('response') as batch:
        batch.drop_constraint('uq_response_campaign_device', type_='unique')
        batch.create_unique_constraint('uq_response_campaign_device_slot', ['campaign_id', 'device_hash', 'device_slot'])
        batch.create_unique_constraint('uq_response_campaign_submission', ['campaign_id', 'submission_key'])

    op.create_table(
        'answer_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('owner', _text(64), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('submission_key', _text(64), nullable=False),
        sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'owner', name='uq_answer_draft_campaign_owner'),
    )
    op.create_index('ix_answer_draft_updated_at', 'answer_draft', ['updated_at'])


def downgrade() -> None:
    op.drop_index('ix_answer_draft_updated_at', table_name='answer_draft')
    op.drop_table('answer_draft')
    op.execute("DELETE FROM response WHERE device_slot > 1")
    with op.batch_alter_table('response') as batch:
        batch.drop_constraint('uq_response_campaign_submission', type_='unique')
        batch.drop_constraint('uq_response_campaign_device_slot', type_='unique')
        batch.create_unique_constraint('uq_response_campaign_device', ['campaign_id', 'device_hash'])
        batch.drop_index('ix_response_interviewer_id')
        batch.drop_constraint('fk_response_interviewer_id_user', type_='foreignkey')
        batch.drop_column('interviewer_id')
        batch.drop_column('submission_key')
        batch.drop_column('device_slot')
    with op.batch_alter_table('campaign') as batch:
        batch.drop_column('answers_per_device')
