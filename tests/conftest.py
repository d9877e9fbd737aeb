"""Shared fixtures: real databases (a SQLite file and PostgreSQL) and a console wired to a fresh one.

Database tests take the `db_url` fixture and run twice: on a SQLite file and on the PostgreSQL named by
TEST_DATABASE_URL. Without that variable the PostgreSQL runs skip with the reason printed, except when
CI=true, where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from db import engine as db_engine
from db.migrate import upgrade
from settings import get_settings

IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ("sqlite", "postgresql")
_ran_on: Counter[str] = Counter()


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def postgres_base_url(skipped: str) -> str:
    """TEST_DATABASE_URL; without it the test skips saying what is skipped, except under CI=true (a failure)."""
    base = _postgres_url()
    if base is None:
        message = f"TEST_DATABASE_URL is not set: {skipped} skipped"
        if IN_CI:
            pytest.fail(f"{message}, but CI=true requires it")
        pytest.skip(message)
    return base


@contextmanager
def postgres_schema(prefix: str, skipped: str) -> Iterator[str]:
    """An empty schema of this process's own in the test PostgreSQL (through search_path), dropped after.

    A schema per process lets several test runs share one database safely."""
    base = postgres_base_url(skipped)
    schema = f"{prefix}_{os.getpid()}"
    admin = db_engine.get_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        db_engine.get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file that each test copies, so tests do not pay for migrations each time."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    db_engine.get_engine(url).dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A schema of this test run's own in the PostgreSQL database, migrated once."""
    with postgres_schema("test_run", "PostgreSQL runs of the database tests are") as url:
        upgrade(url)
        yield url


def _truncate_postgres(url: str) -> None:
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with db_engine.get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def fresh_sqlite_copy(template: str, directory) -> str:
    target = directory / "console.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        url = fresh_sqlite_copy(sqlite_template, tmp_path)
        yield url
        db_engine.get_engine(url).dispose()
    else:
        url = request.getfixturevalue("postgres_migrated")
        _truncate_postgres(url)
        yield url
    _ran_on[request.param] += 1


@pytest.fixture
def engine(db_url):
    return db_engine.get_engine(db_url)


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def console_db(tmp_path, sqlite_template, monkeypatch) -> Iterator[str]:
    """Point the console (settings, engine) at a fresh SQLite file for an AppTest."""
    url = fresh_sqlite_copy(sqlite_template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()
    db_engine.get_engine(url).dispose()


def pytest_terminal_summary(terminalreporter) -> None:
    if _ran_on:
        parts = ", ".join(f"{backend}: {count}" for backend, count in sorted(_ran_on.items()))
        terminalreporter.write_line(f"database tests ran on {parts}")
