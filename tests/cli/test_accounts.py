"""The account commands: reset-password matches like login and tells a database error from a missing user."""

from __future__ import annotations

import io

import pytest

from cli import main as cli
from db.engine import get_engine, session_scope
from db.models import UserCreate
from db.repositories import users
from db.repositories.users import LoginOutcome
from settings import get_settings

NEW_PASSWORD = "et-helt-nyt-kodeord"


@pytest.fixture
def rikke(console_db):
    with session_scope(get_engine(console_db)) as session:
        return users.create_user(session, data=UserCreate(username="Rikke", display_name="Rikke",
                                                          password="korrekt-hest-batteri"))


def _reset(monkeypatch, username: str, password: str = NEW_PASSWORD) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return cli.main(["reset-password", username, "--password-stdin"])


def test_reset_password_matches_the_username_case_insensitively(console_db, rikke, monkeypatch, capsys):
    assert _reset(monkeypatch, "rikke") == 0
    assert "Password reset for 'Rikke'" in capsys.readouterr().out
    with session_scope(get_engine(console_db)) as session:
        assert users.authenticate(session, username="RIKKE", password=NEW_PASSWORD).outcome is LoginOutcome.ok


def test_reset_password_for_an_unknown_user_says_so(console_db, rikke, monkeypatch):
    with pytest.raises(SystemExit) as stopped:
        _reset(monkeypatch, "nobody")
    assert str(stopped.value) == "No such user: nobody"


def test_reset_password_refuses_a_guessable_password(console_db, rikke, monkeypatch):
    with pytest.raises(SystemExit) as stopped:
        _reset(monkeypatch, "rikke", "password1234")
    assert "too easy to guess" in str(stopped.value)


def test_a_database_error_is_not_reported_as_no_such_user(console_db, rikke, monkeypatch):
    def broken(*_args, **_kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("UPDATE user", {}, Exception("database is locked"))

    monkeypatch.setattr(users, "set_password", broken)
    with pytest.raises(SystemExit) as stopped:
        _reset(monkeypatch, "rikke")
    assert "No such user" not in str(stopped.value)
    assert "database error (OperationalError)" in str(stopped.value)


def test_the_smtp_password_is_never_shown(monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "hemmeligt-smtp-kodeord")
    get_settings.cache_clear()
    try:
        settings = get_settings()
        assert "hemmeligt-smtp-kodeord" not in repr(settings)
        assert "hemmeligt-smtp-kodeord" not in str(settings.model_dump())
        assert settings.SMTP_PASSWORD.get_secret_value() == "hemmeligt-smtp-kodeord"
    finally:
        get_settings.cache_clear()
