"""edges: per-address login throttle

login_address_throttle counts failed logins per client address (hashed), whatever the username, so a
spray of a few tries against many usernames is slowed too; every instance shares it.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-05 21:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_address_throttle',
    sa.Column('address_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_failed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('address_hash')
    )


def downgrade() -> None:
    op.drop_table('login_address_throttle')
