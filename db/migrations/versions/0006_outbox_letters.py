"""outbox runner and letter batch: next attempt, printed, posted

- `next_attempt_at`: when the outbox runner (`python -m cli send-outbox`) may try an e-mail
  again; a failed e-mail without it waits for a person.
- `printed_at`, `posted_at`, `posted_by_id`: the letter batch (printed as one PDF, then posted).
- An index on (channel, status, next_attempt_at) for "what is due" and "which letters wait".

Existing rows: a queued e-mail becomes due at once (from its last change); a failed one keeps waiting
for a person, as before; a letter already marked sent counts as posted by whoever marked it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:38:13.702575
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('printed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('posted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('posted_by_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_referral_channel_status_next', ['channel', 'status', 'next_attempt_at'],
                              unique=False)
        batch_op.create_foreign_key('fk_referral_posted_by_id_user', 'user', ['posted_by_id'], ['id'])
    op.execute("UPDATE referral SET next_attempt_at = updated_at WHERE channel = 'email' AND status = 'queued'")
    op.execute("UPDATE referral SET posted_at = sent_at, posted_by_id = sent_by_id "
               "WHERE channel = 'letter' AND status = 'sent'")


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint('fk_referral_posted_by_id_user', type_='foreignkey')
        batch_op.drop_index('ix_referral_channel_status_next')
        batch_op.drop_column('posted_by_id')
        batch_op.drop_column('posted_at')
        batch_op.drop_column('printed_at')
        batch_op.drop_column('next_attempt_at')
