"""Models and migrations agree, and SQLite connections get the pragmas the console relies on."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import db.models  # noqa: F401


def test_autogenerate_finds_no_difference(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_every_model_table_exists(engine):
    with engine.connect() as conn:
        existing = set(engine.dialect.get_table_names(conn))
    assert set(SQLModel.metadata.tables) <= existing


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip(reason="SQLite pragmas; postgresql has no journal mode, busy timeout or foreign-key switch")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
