"""edges: per-address login throttle, letter versions

login_address_throttle counts failed logins per client address (hashed), whatever the username, so a
spray of a few tries against many usernames is slowed too; every instance shares it.
referral.version / printed_version / posted_version: a letter edited after printing is a new version that
must be printed again; the log shows which version was posted.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
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
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('printed_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('posted_version', sa.Integer(), nullable=True))
    # Letters printed or posted before versions existed: what was printed and posted was version 1.
    op.execute("UPDATE referral SET printed_version = 1 WHERE printed_at IS NOT NULL")
    op.execute("UPDATE referral SET posted_version = 1 WHERE posted_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_column('posted_version')
        batch_op.drop_column('printed_version')
        batch_op.drop_column('version')
    op.drop_table('login_address_throttle')
