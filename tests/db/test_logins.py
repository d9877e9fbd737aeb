"""Logins under attack and at once: the lockout race, enumeration, the first administrator, passwords."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from pydantic import ValidationError
from sqlmodel import Session, func, select

from db.engine import get_engine, session_scope
from db.models import AuditEvent, LoginAddressThrottle, LoginThrottle, Role, User, UserCreate, utcnow
from db.passwords import PasswordProblem, password_problem
from db.repositories import users
from db.repositories.users import LoginOutcome

PASSWORD = "korrekt-hest-batteri"


def _create(engine, username="inge", role="advisor"):
    with session_scope(engine) as session:
        return users.create_user(session, data=UserCreate(username=username, display_name="Inge R", role=role,
                                                          password=PASSWORD))


def _attempt(engine, username: str, password: str) -> LoginOutcome:
    with session_scope(engine) as session:
        return users.authenticate(session, username=username, password=password).outcome


def _at_once(count: int, work):
    start_together = Barrier(count)

    def run(n):
        start_together.wait()
        return work(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))  # re-raises any error from a thread


def test_24_simultaneous_wrong_passwords_lock_the_account(db_url):
    engine = get_engine(db_url)
    _create(engine)
    outcomes = _at_once(24, lambda n: _attempt(engine, "inge", f"wrong-password-{n}"))
    assert LoginOutcome.ok not in outcomes
    assert LoginOutcome.locked in outcomes
    with session_scope(engine) as session:
        stored = session.exec(select(User)).one()
        assert stored.locked_until is not None and stored.locked_until > utcnow()
    assert _attempt(engine, "inge", PASSWORD) is LoginOutcome.locked  # even the right password


def test_unknown_usernames_are_counted_and_locked_like_real_ones(db_url):
    engine = get_engine(db_url)
    outcomes = [_attempt(engine, "nobody", "wrong-password") for _ in range(6)]
    assert outcomes == [LoginOutcome.bad_credentials] * 4 + [LoginOutcome.locked] * 2
    outcomes = _at_once(12, lambda n: _attempt(engine, "Ghost", f"pw-{n}"))
    assert LoginOutcome.locked in outcomes
    with session_scope(engine) as session:
        keys = set(session.exec(select(LoginThrottle.username_hash)))
    assert keys == {users.username_hash("nobody"), users.username_hash("ghost")}  # folded, hashed


def test_the_audit_log_keeps_no_password_typed_as_a_username(db_url):
    engine = get_engine(db_url)
    typed = "Hemmelig-Kode-2026"
    _attempt(engine, typed, "anything-at-all")
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent)).all()
    assert events and all(typed.casefold() not in repr(e.model_dump()).casefold() for e in events)
    assert events[0].detail["username_hash"] == users.username_hash(typed)[:16]


@pytest.mark.parametrize("case", ["unknown", "inactive", "locked"])
def test_unknown_inactive_and_locked_cost_one_password_check_each(db_url, case, monkeypatch):
    engine = get_engine(db_url)
    created = _create(engine)
    with session_scope(engine) as session:
        if case == "inactive":
            users.set_active(session, user_id=created.id, active=False)
        if case == "locked":
            session.get(User, created.id).locked_until = utcnow().replace(year=utcnow().year + 1)
    checks = []
    original = users._password_matches
    monkeypatch.setattr(users, "_password_matches", lambda h, p: checks.append(h) or original(h, p))
    outcome = _attempt(engine, "nobody" if case == "unknown" else "inge", PASSWORD)
    assert outcome is not LoginOutcome.ok
    assert len(checks) == 1  # an argon2 verification, as for a wrong password: no answer by timing


def test_four_simultaneous_first_runs_create_exactly_one_administrator(db_url):
    engine = get_engine(db_url)

    def submit(n):
        data = UserCreate(username=f"admin{n}", display_name=f"Admin {n}", role=Role.admin, password=PASSWORD)
        try:
            with session_scope(engine) as session:
                return users.create_first_admin(session, data=data).username
        except users.FirstRunDone:
            return None

    created = [name for name in _at_once(4, submit) if name]
    assert len(created) == 1
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 1


def test_first_run_is_refused_once_any_account_exists(db_url):
    engine = get_engine(db_url)
    _create(engine, "rikke")  # e.g. made with the command line
    with pytest.raises(users.FirstRunDone), session_scope(engine) as session:
        users.create_first_admin(session, data=UserCreate(username="admin", display_name="A", password=PASSWORD))


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "123456789012", "password1234", "abcabcabcabc",
                                      "qwertyuiop12", "Password1234!", "osteoporose123", "ingeingeinge1"])
def test_common_or_repetitive_passwords_are_refused(password):
    assert password_problem(password, known=["inge", "Inge R"]) is PasswordProblem.too_weak
    with pytest.raises(ValidationError) as error:
        UserCreate(username="inge", display_name="Inge R", password=password)
    assert error.value.errors()[0]["loc"] == ("password",)


@pytest.mark.parametrize("password", [PASSWORD, "et-helt-nyt-kodeord", "Sommerfugl-Tag-Lampe"])
def test_long_unguessable_passwords_are_accepted(password):
    assert password_problem(password, known=["inge"]) is None


def test_reset_password_matches_usernames_case_insensitively_and_ends_sessions(db_url):
    engine = get_engine(db_url)
    _create(engine, "Inge")
    with session_scope(engine) as session:
        users.set_password(session, username="  INGE ", password="et-helt-nyt-kodeord")
    assert _attempt(engine, "inge", "et-helt-nyt-kodeord") is LoginOutcome.ok
    with pytest.raises(users.NoSuchUser), session_scope(engine) as session:
        users.set_password(session, username="nobody", password="et-helt-nyt-kodeord")


# --- per client address -------------------------------------------------------------------------------


def _attempt_from(engine, username: str, password: str, address: str, limit=None) -> LoginOutcome:
    with session_scope(engine) as session:
        return users.authenticate(session, username=username, password=password, address=address,
                                  address_limit=limit).outcome


def test_a_spray_of_a_few_tries_against_many_names_locks_the_address(db_url):
    """Two tries each against many usernames never reach one name's limit; the address's limit stops it."""
    engine = get_engine(db_url)
    _create(engine)
    limit = users.AddressLimit(max_failures=6)
    outcomes = [_attempt_from(engine, name, "wrong-password", "203.0.113.7", limit)
                for name in ("anna", "bent", "carl") for _ in range(2)]
    assert outcomes[:5] == [LoginOutcome.bad_credentials] * 5 and outcomes[5] is LoginOutcome.locked
    # Locked for every name from there, even with the right password; another address is not held up.
    assert _attempt_from(engine, "inge", PASSWORD, "203.0.113.7", limit) is LoginOutcome.locked
    assert _attempt_from(engine, "inge", PASSWORD, "198.51.100.2", limit) is LoginOutcome.ok
    with session_scope(engine) as session:
        stored = session.exec(select(LoginAddressThrottle)).one()
        assert "203.0.113.7" not in stored.address_hash  # the address is kept as a hash
        assert stored.locked_until is not None


def test_the_address_count_is_shared_by_every_instance_through_the_database(db_url):
    engine = get_engine(db_url)
    limit = users.AddressLimit(max_failures=10)
    outcomes = _at_once(12, lambda n: _attempt_from(engine, f"name{n}", "pw", "203.0.113.9", limit))
    assert LoginOutcome.locked in outcomes


def test_the_address_count_starts_again_after_a_quiet_window(db_url):
    engine = get_engine(db_url)
    limit = users.AddressLimit(max_failures=3)
    for _ in range(2):
        _attempt_from(engine, "anna", "pw", "203.0.113.7", limit)
    with session_scope(engine) as session:
        row = session.exec(select(LoginAddressThrottle)).one()
        row.last_failed_at = utcnow() - timedelta(minutes=16)
        session.add(row)
    assert _attempt_from(engine, "bent", "pw", "203.0.113.7", limit) is LoginOutcome.bad_credentials
    with session_scope(engine) as session:
        assert session.exec(select(LoginAddressThrottle)).one().failed_logins == 1


def test_old_throttle_rows_are_pruned_on_the_next_failure(db_url):
    engine = get_engine(db_url)
    for name in ("ghost1", "ghost2"):
        _attempt_from(engine, name, "pw", "203.0.113.7")
    long_ago = utcnow() - timedelta(days=2)
    with session_scope(engine) as session:
        for model in (LoginThrottle, LoginAddressThrottle):
            for row in session.exec(select(model)):
                row.last_failed_at = long_ago
                session.add(row)
    _attempt_from(engine, "ghost3", "pw", "198.51.100.2")
    with session_scope(engine) as session:
        assert len(session.exec(select(LoginThrottle)).all()) == 1  # only ghost3's
        assert len(session.exec(select(LoginAddressThrottle)).all()) == 1
