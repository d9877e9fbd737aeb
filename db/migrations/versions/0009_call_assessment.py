"""call assessment: what the one assessment derived for the call, with its reasons (issue 22)

`call.assessment` (JSON, nullable) holds the load level, whether impact was judged safe, whether a bone
was healing, the urgency of each red flag, the diagnosis statement and the voice, each with its reasons
in Danish and English, as the advisor saw them. Calls saved before have none (NULL).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 21:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('call', sa.Column('assessment', sa.JSON(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), not a table copy (see 0007).
    op.drop_column('call', 'assessment')
