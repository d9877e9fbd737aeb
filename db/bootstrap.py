"""Bring a database up to date: migrations, then the bundled content. Safe to run on every start.

Several console processes may start at once on a fresh database (behind a load balancer, or after a
deployment). They take turns: on PostgreSQL under an advisory lock, on SQLite under an exclusive lock on a
file beside the database. The first migrates and loads the content; the others wait, then find nothing
left to do and continue.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import get_engine, session_scope
from db.migrate import alembic_config

# Any fixed 64-bit number: the key of the console's advisory lock, the same in every process.
ADVISORY_LOCK_KEY = 7_140_551_902_611_842_601


@contextmanager
def startup_lock(database_url: str | None = None) -> Iterator[object | None]:
    """Hold the database's start-up lock; yields the PostgreSQL connection holding it (None on SQLite)."""
    engine = get_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
        return
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        yield None
        return
    lock_path = Path(database).with_name(Path(database).name + ".startup-lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # waits while another process migrates
        try:
            yield None
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def prepare_database(database_url: str | None = None) -> None:
    from alembic import command

    from db.repositories import library

    with startup_lock(database_url) as connection:
        config = alembic_config(database_url)
        if connection is not None:
            config.attributes["connection"] = connection  # migrate on the connection holding the lock
        command.upgrade(config, "head")
        with session_scope(get_engine(database_url)) as session:
            library.sync_bundled(session)
