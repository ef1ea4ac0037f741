"""survey kind on campaigns, the state of an evaluation round, and the append-only audit log

Written by hand. Existing campaigns get their kind from the questionnaire's name (the
merchant questionnaire is the only other kind so far); existing rounds are ``issued`` when an
evaluation report was issued for them, ``draft`` otherwise.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _text(length):
    return sqlmodel.sql.sqltypes.AutoString(length=length)


APPEND_ONLY = "audit log is append-only"


def upgrade() -> None:
    with op.batch_alter_table('campaign') as batch:
        batch.add_column(sa.Column('kind', _text(16), nullable=False, server_default='resident'))
        batch.create_index('ix_campaign_kind', ['kind'])
    op.execute("UPDATE campaign SET kind = 'merchant' WHERE questionnaire = 'merchant'")

    with op.batch_alter_table('evaluation') as batch:
        batch.add_column(sa.Column('state', _text(16), nullable=False, server_default='draft'))
        batch.create_index('ix_evaluation_state', ['state'])
    op.execute("UPDATE evaluation SET state = 'issued' WHERE id IN "
               "(SELECT evaluation_id FROM issued_report WHERE evaluation_id IS NOT NULL)")

    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('actor', _text(128), nullable=False),
        sa.Column('role', _text(16), nullable=False),
        sa.Column('action', _text(64), nullable=False),
        sa.Column('target_type', _text(32), nullable=False),
        sa.Column('target_id', _text(64), nullable=False),
        sa.Column('circle_id', sa.Integer(), nullable=True),
        sa.Column('summary', _text(500), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('address', _text(64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entry_at', 'audit_entry', ['at'])
    op.create_index('ix_audit_entry_user_id', 'audit_entry', ['user_id'])
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action'])
    op.create_index('ix_audit_entry_circle_id', 'audit_entry', ['circle_id'])

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"""
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_entry "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()")
    else:
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    op.drop_table('audit_entry')
    with op.batch_alter_table('evaluation') as batch:
        batch.drop_index('ix_evaluation_state')
        batch.drop_column('state')
    with op.batch_alter_table('campaign') as batch:
        batch.drop_index('ix_campaign_kind')
        batch.drop_column('kind')
