"""Bring a database up to date: migrations, then the bundled content. Safe to run on every start."""

from __future__ import annotations

from db.engine import get_engine, session_scope
from db.migrate import upgrade


def prepare_database(database_url: str | None = None) -> None:
    upgrade(database_url)
    engine = get_engine(database_url)
    with session_scope(engine) as session:
        from db.repositories import library

        library.sync_bundled(session)
