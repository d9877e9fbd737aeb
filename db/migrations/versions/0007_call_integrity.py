"""call integrity: a version per call for edits; topics and library slugs only in their link tables

- `call.version` is the optimistic lock of edits after the call (notes, outcome): existing calls start
  at version 1.
- `call.topics` and `call.library_slugs` (JSON) are dropped: call_topic and call_library_entry already
  hold the same data (every save wrote both), so nothing moves. A downgrade rebuilds the JSON columns
  from the link tables.

The columns are dropped with ALTER TABLE ... DROP COLUMN (SQLite >= 3.35), never by copying the table:
SQLite drops a copied table's original with an implicit DELETE, which with foreign keys on would
cascade into the link tables.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00.000000
"""
import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON_FROM_LINKS = {
    'topics': ('call_topic', 'topic'),
    'library_slugs': ('call_library_entry', 'slug'),
}


def _check_sqlite() -> None:
    if op.get_bind().dialect.name == 'sqlite' and sqlite3.sqlite_version_info < (3, 35, 0):
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} cannot drop a column in place; 3.35 or newer is needed")


def upgrade() -> None:
    _check_sqlite()
    with op.batch_alter_table('call', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.drop_column('topics')
        batch_op.drop_column('library_slugs')


def downgrade() -> None:
    _check_sqlite()
    with op.batch_alter_table('call', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('topics', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('library_slugs', sa.JSON(), server_default='[]', nullable=False))
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for column, (table, value) in _JSON_FROM_LINKS.items():
        if sqlite:
            aggregate = (f"(SELECT json_group_array({value}) FROM (SELECT {value} FROM {table} "
                         f"WHERE {table}.call_id = \"call\".id ORDER BY {value}))")
        else:
            aggregate = (f"COALESCE((SELECT json_agg({value} ORDER BY {value}) FROM {table} "
                         f"WHERE {table}.call_id = \"call\".id), '[]'::json)")
        op.execute(f'UPDATE "call" SET {column} = {aggregate}')
    with op.batch_alter_table('call', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('version')
