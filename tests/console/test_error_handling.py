"""Nothing leaks: no traceback for users, no statement values in database errors, no exception text in logs."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from db.engine import get_engine, session_scope
from db.models import UserCreate
from db.repositories import users

ROOT = Path(__file__).resolve().parents[2]


def test_users_never_see_tracebacks():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["logger"]["enableRich"] is False  # plain logging, filtered by console/server.py


def test_database_errors_do_not_repeat_the_values(db_url):
    engine = get_engine(db_url)
    data = UserCreate(username="inge-jensen", display_name="Inge Jensen 12 34 56 78", password="korrekt-hest-batteri")
    with session_scope(engine) as session:
        users.create_user(session, data=data)
    with pytest.raises(IntegrityError) as error, session_scope(engine) as session:
        from db.models import User

        session.add(User(username="inge-jensen", display_name="Inge Jensen 12 34 56 78", password_hash="x"))
        session.flush()
    assert "12 34 56 78" not in str(error.value)
    assert "hidden due to hide_parameters" in str(error.value)


def test_logged_tracebacks_keep_the_frames_but_not_the_text(caplog):
    from console.server import WithoutExceptionText

    logger = logging.getLogger("test.console.errors")
    logger.addFilter(WithoutExceptionText())
    typed = {"name": "Inge Jensen", "phone": "12 34 56 78"}  # what a traceback's source lines do not show
    try:
        raise ValueError(f"{typed['name']}, telefon {typed['phone']}")
    except ValueError:
        logger.exception("Uncaught app execution")
    text = caplog.text
    assert "ValueError" in text and "test_error_handling.py" in text
    assert "12 34 56 78" not in text and "Inge Jensen" not in text
