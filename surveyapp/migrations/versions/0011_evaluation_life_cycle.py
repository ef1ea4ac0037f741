"""the life cycle of an evaluation round: revisions (corrections), completeness markers,
not-applicable indicators, withdrawn and replaced reports, and the frozen inputs of issued rounds

Written by hand. Existing rounds are revision 0; a round whose inventory has rows counts as
having saved its inventory. Rounds issued before this migration have no frozen document: they
are read from their inputs as before (the sheet says so).

Revision ID: 0011
Revises: 0015 (re-chained after main's 0015; written against 0007)
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0015'
branch_labels = None
depends_on = None


def _text(length):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table('evaluation') as batch:
        batch.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('correction_reason', _text(1000), nullable=False, server_default=''))
        batch.add_column(sa.Column('campaign_open_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('inventory_saved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('state_reason', _text(1000), nullable=False, server_default=''))
        batch.add_column(sa.Column('state_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_foreign_key('fk_evaluation_corrects_id', 'evaluation', ['corrects_id'], ['id'], ondelete='SET NULL')
        batch.drop_constraint('uq_evaluation_circle_round', type_='unique')
        batch.create_unique_constraint('uq_evaluation_circle_round_revision', ['circle_id', 'round', 'revision'])
    op.execute("UPDATE evaluation SET inventory_saved_at = created_at WHERE id IN "
               "(SELECT evaluation_id FROM inventory_item)")

    with op.batch_alter_table('indicator_entry') as batch:
        batch.add_column(sa.Column('not_applicable', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('issued_report') as batch:
        batch.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('withdrawn_reason', _text(1000), nullable=False, server_default=''))
        batch.create_foreign_key('fk_issued_report_replaces_id', 'issued_report', ['replaces_id'], ['id'],
                                 ondelete='SET NULL')

    op.create_table(
        'frozen_evaluation',
        sa.Column('evaluation_id', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('fingerprint', _text(64), nullable=False),
        sa.Column('frozen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('evaluation_id'),
    )


def downgrade() -> None:
    op.drop_table('frozen_evaluation')
    with op.batch_alter_table('issued_report') as batch:
        batch.drop_constraint('fk_issued_report_replaces_id', type_='foreignkey')
        batch.drop_column('withdrawn_reason')
        batch.drop_column('withdrawn_at')
        batch.drop_column('replaces_id')
    with op.batch_alter_table('indicator_entry') as batch:
        batch.drop_column('not_applicable')
    op.execute("DELETE FROM evaluation WHERE revision > 0")
    with op.batch_alter_table('evaluation') as batch:
        batch.drop_constraint('uq_evaluation_circle_round_revision', type_='unique')
        batch.create_unique_constraint('uq_evaluation_circle_round', ['circle_id', 'round'])
        batch.drop_constraint('fk_evaluation_corrects_id', type_='foreignkey')
        for column in ('state_changed_at', 'state_reason', 'inventory_saved_at', 'campaign_open_confirmed',
                       'correction_reason', 'corrects_id', 'revision'):
            batch.drop_column(column)
