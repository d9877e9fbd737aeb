"""Engine and session helpers. One short session per action; callers get plain data back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from settings import get_settings


def _enable_sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the page readers work while an advisor saves; busy_timeout makes concurrent writers
    # wait instead of failing; SQLite leaves foreign keys off unless asked on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url`, or for the configured DATABASE_URL (looked up on each call)."""
    return _engine_for(url or get_settings().DATABASE_URL)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, in an owner-only folder if we make one.

    SQLite gives the -wal and -shm files the database file's permissions, so they follow.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps the permissions its operator gave it


def database_exists(url: str) -> bool:
    """Whether the database of `url` exists (without creating it). Raises OperationalError when the
    server cannot be asked (down, wrong password)."""
    path = sqlite_path(url)
    if path is not None:
        return path.is_file()
    if make_url(url).get_backend_name() == "sqlite":
        return True  # in memory
    try:
        with _engine_for(url).connect():
            return True
    except OperationalError as exc:
        if "does not exist" in str(exc.orig):
            return False
        raise


@lru_cache(maxsize=16)
def _engine_for(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if (path := sqlite_path(url)) is not None:
            _create_private_file(path)
        # hide_parameters: an error message (a log line, a traceback) never carries the values of a
        # statement, which are names, phone numbers and notes.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               hide_parameters=True)
        event.listen(engine, "connect", _enable_sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)
    return engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
