"""Several console processes starting at once on a fresh database: none crashes, the work is done once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from advisory.library import load_bundled_entries
from db import engine as db_engine
from tests.conftest import postgres_schema

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 4
START = "from db.bootstrap import prepare_database; import sys; prepare_database(sys.argv[1])"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """An empty database: no tables, no migrations."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with postgres_schema("test_startup", "the PostgreSQL start-up test is") as url:
        yield url


def test_processes_starting_at_once_migrate_and_load_the_content_once(fresh_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [subprocess.Popen([sys.executable, "-c", START, fresh_url], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(PROCESSES)]
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * PROCESSES, "\n".join(outputs)
    engine = db_engine.get_engine(fresh_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
            entries = conn.execute(text("SELECT count(*) FROM library_entry")).scalar_one()
            revisions = conn.execute(text("SELECT count(*) FROM library_revision")).scalar_one()
    finally:
        engine.dispose()
    assert entries == revisions == len(load_bundled_entries())
