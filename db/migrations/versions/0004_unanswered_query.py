"""unanswered library searches

Library searches without a confident answer, for the supervisors' "Spørgsmål uden svar" view: the query
with personal data stripped, its language, when, and which entry the advisor used anyway. No advisor,
caller or call is referenced.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('unanswered_query',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('searched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('picked_slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unanswered_query', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unanswered_query_searched_at'), ['searched_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('unanswered_query', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unanswered_query_searched_at'))

    op.drop_table('unanswered_query')
