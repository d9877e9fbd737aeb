"""call log: follow-up index by call

The call log's follow-up filters (open, overdue, done) check each call's follow-ups; with an index on
(call_id, status, due_on) that is one index probe per call instead of a scan of all open follow-ups.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 08:45:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_call_status_due', ['call_id', 'status', 'due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_call_status_due')
