"""one draft per call, a call key per call, third-party consent

A call gets a key from its first keystroke: its draft is stored under it (an advisor may have several
calls in progress, e.g. in two tabs, without one overwriting the other) and saving is idempotent on it.
A relative's call records whether the member agreed that written guidance may go to the relative.
The draft table is rebuilt (it held one draft per advisor under an unnamed unique constraint); drafts in
progress are kept, each under a key of its own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:48:21.625978
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('third_party_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_unique_constraint('uq_call_call_key', ['call_key'])

    op.create_table(
        'call_draft_new',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('advisor_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['advisor_id'], ['user.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('call_key', name='uq_call_draft_call_key'),
    )
    op.execute("INSERT INTO call_draft_new (id, call_key, advisor_id, data, started_at, updated_at) "
               "SELECT id, 'legacy' || CAST(id AS VARCHAR(20)), advisor_id, data, started_at, updated_at "
               "FROM call_draft")
    op.drop_table('call_draft')
    op.rename_table('call_draft_new', 'call_draft')
    with op.batch_alter_table('call_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_draft_advisor_id'), ['advisor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_draft_advisor_id'))
        batch_op.drop_constraint('uq_call_draft_call_key', type_='unique')
        batch_op.drop_column('call_key')
        batch_op.create_unique_constraint('uq_call_draft_advisor_id', ['advisor_id'])

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_constraint('uq_call_call_key', type_='unique')
        batch_op.drop_column('third_party_consent')
        batch_op.drop_column('call_key')
