"""Staff accounts: hashing, roles, lockout stored in the database."""

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from db.models import AuditEvent, User, UserCreate, utcnow
from db.repositories import users
from db.repositories.users import LoginOutcome

PASSWORD = "korrekt-hest-batteri"


def _create(session, username="inge", role="advisor"):
    user = users.create_user(session, data=UserCreate(username=username, display_name="Inge R", role=role,
                                                      password=PASSWORD))
    session.commit()
    return user


def test_password_is_stored_as_argon2_hash(session):
    _create(session)
    stored = session.exec(select(User)).one()
    assert stored.password_hash.startswith("$argon2")
    assert PASSWORD not in stored.password_hash


@pytest.mark.parametrize("password", ["", "kort", "elleve-tegn"])
def test_passwords_shorter_than_12_characters_are_refused(password):
    with pytest.raises(ValidationError):
        UserCreate(username="x1", display_name="X", password=password)


def test_username_is_unique_case_insensitively(session):
    _create(session, "Inge")
    with pytest.raises(users.UsernameTaken):
        _create(session, "inge")


def test_login_succeeds_and_is_audited(session):
    _create(session)
    result = users.authenticate(session, username="inge", password=PASSWORD)
    session.commit()
    assert result.outcome is LoginOutcome.ok
    assert result.user.username == "inge"
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "login" in actions


def test_five_failures_lock_the_account_across_sessions(engine):
    with Session(engine) as session:
        _create(session)
    for attempt in range(5):
        with Session(engine) as session:  # a new session each time: the counter lives in the database
            result = users.authenticate(session, username="inge", password="wrong-password")
            session.commit()
        expected = LoginOutcome.locked if attempt == 4 else LoginOutcome.bad_credentials
        assert result.outcome is expected
    with Session(engine) as session:
        assert users.authenticate(session, username="inge", password=PASSWORD).outcome is LoginOutcome.locked


def test_lock_expires_after_15_minutes(session):
    _create(session)
    user = session.exec(select(User)).one()
    user.locked_until = utcnow() - timedelta(seconds=1)
    session.add(user)
    session.commit()
    assert users.authenticate(session, username="inge", password=PASSWORD).outcome is LoginOutcome.ok


def test_deactivated_user_cannot_log_in(session):
    created = _create(session)
    users.set_active(session, user_id=created.id, active=False)
    session.commit()
    assert users.authenticate(session, username="inge", password=PASSWORD).outcome is LoginOutcome.inactive


def test_reset_password_unlocks(session):
    _create(session)
    user = session.exec(select(User)).one()
    user.locked_until = utcnow() + timedelta(minutes=10)
    session.add(user)
    session.commit()
    users.set_password(session, username="inge", password="et-helt-nyt-kodeord")
    session.commit()
    assert users.authenticate(session, username="inge", password="et-helt-nyt-kodeord").outcome is LoginOutcome.ok


def test_change_role(session):
    created = _create(session)
    users.set_role(session, user_id=created.id, role="supervisor")
    session.commit()
    assert users.get_user(session, user_id=created.id).role == "supervisor"


@pytest.mark.parametrize("username", ["a b", "rikke!", "<script>", "æble"])
def test_usernames_with_other_characters_are_refused(username):
    with pytest.raises(ValidationError):
        UserCreate(username=username, display_name="X", password=PASSWORD)
