"""The SQLite database is created readable by its owner only, in an owner-only folder."""

from __future__ import annotations

import stat

from sqlalchemy import text

from db.engine import database_exists, get_engine


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_owner_only(tmp_path):
    path = tmp_path / "data" / "console.db"
    url = f"sqlite:///{path}"
    assert not database_exists(url)
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    try:
        assert database_exists(url)
        assert _mode(path.parent) == 0o700
        assert _mode(path) == 0o600
        wal = path.with_name("console.db-wal")
        assert wal.exists() and _mode(wal) == 0o600
    finally:
        engine.dispose()
