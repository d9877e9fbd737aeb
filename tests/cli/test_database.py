"""Operator commands never create an empty database for a mistyped URL and then report success."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cli import main as cli
from tests.conftest import postgres_base_url

ROOT = Path(__file__).resolve().parents[2]


def test_purge_of_a_missing_sqlite_file_fails_clearly_and_creates_nothing(tmp_path):
    missing = tmp_path / "typo" / "console.db"
    done = subprocess.run([sys.executable, "-m", "cli", "purge", "--database-url", f"sqlite:///{missing}"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode != 0
    assert "No database at" in done.stderr and "nothing was created" in done.stderr
    assert "anonymised" not in (done.stdout + done.stderr).lower()
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.parametrize("command", [["purge"], ["purge", "--dry-run"], ["seed-demo", "--calls", "1"]])
def test_commands_with_a_database_url_refuse_a_missing_sqlite_file(tmp_path, capsys, command):
    missing = tmp_path / "missing.db"
    with pytest.raises(SystemExit) as stopped:
        cli.main([*command, "--database-url", f"sqlite:///{missing}"])
    assert stopped.value.code not in (0, None)
    assert "No database at" in str(stopped.value.code)
    assert not missing.exists()


def test_purge_of_a_missing_postgresql_database_fails_clearly():
    base = postgres_base_url("the PostgreSQL case is")
    url = make_url(base).set(database="no_such_console_database").render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["purge", "--database-url", url])
    assert "No database at" in str(stopped.value.code)
    assert "no_such_console_database" in str(stopped.value.code)
