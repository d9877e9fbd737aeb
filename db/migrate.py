"""Apply Alembic migrations programmatically (at console start, in the CLI and in tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from settings import PROJECT_ROOT


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "db" / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), "head")


def is_current(database_url: str | None = None) -> bool:
    """True when the database is at the newest migration (checked without changing anything)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from db.engine import get_engine

    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    with get_engine(database_url).connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
