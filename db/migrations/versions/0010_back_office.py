"""back office at a million calls: the statistics' per-day aggregates

call_stats_day holds, per Danish local day, how many calls had each value of a counted field
(db/repositories/call_stats.py); it is filled here from the calls already saved.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('call_stats_day',
    sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('dimension', 'key', 'day'),
    sqlite_with_rowid=False,
    )
    # The calls saved so far, counted once (the same code as `python -m cli rebuild-statistics`).
    from db.repositories import call_stats

    with Session(bind=op.get_bind()) as session:
        call_stats.rebuild(session)
        session.flush()


def downgrade() -> None:
    op.drop_table('call_stats_day')
