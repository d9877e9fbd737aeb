"""statistics indexes

Covering indexes for the statistics page's period counts (db/repositories/stats.py): SQLite reads the
grouped columns from these instead of the wide call rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 08:28:23.273000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index('ix_call_id_started', ['id', 'started_at'], unique=False)
        batch_op.create_index('ix_call_stats_duration', ['duration_seconds', 'started_at'], unique=False)
        batch_op.create_index('ix_call_stats_profile', ['group_id', 'caller_role', 'disposition', 'advisor_id', 'started_at'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_status_channel_sent', ['status', 'channel', 'sent_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_status_channel_sent')

    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index('ix_call_stats_profile')
        batch_op.drop_index('ix_call_stats_duration')
        batch_op.drop_index('ix_call_id_started')

