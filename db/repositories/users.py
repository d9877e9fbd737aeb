"""Staff accounts: argon2 password hashes, roles, lockout after repeated failed logins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import LoginAddressThrottle, LoginThrottle, Role, SystemValue, User, UserCreate, utcnow
from db.repositories import audit, sessions

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Throttle rows untouched this long (and not locked) are deleted: a spray of made-up usernames does not
# grow the table for ever.
THROTTLE_KEPT = timedelta(days=1)
FIRST_ADMIN = "first_admin"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class StaffUser:
    """What the UI keeps about the logged-in user: plain data, never an ORM object."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool = True


class LoginOutcome(StrEnum):
    ok = "ok"
    bad_credentials = "bad_credentials"
    locked = "locked"
    inactive = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: StaffUser | None = None


class UsernameTaken(ValueError):
    pass


def _public(user: User) -> StaffUser:
    return StaffUser(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role, active=user.active
    )


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def create_user(session: Session, *, data: UserCreate, actor_id: int | None = None) -> StaffUser:
    data = UserCreate.model_validate(data.model_dump())
    existing = session.exec(select(User).where(func.lower(User.username) == data.username.lower())).first()
    if existing is not None:
        raise UsernameTaken(data.username)
    user = User(
        username=data.username,
        display_name=data.display_name,
        role=Role(data.role).value,
        password_hash=_hasher.hash(data.password),
    )
    session.add(user)
    session.flush()
    audit.record(session, action="user_create", actor_id=actor_id, object_type="user", object_id=user.id,
                 detail={"username": user.username, "role": user.role})
    return _public(user)


def fold_username(username: str) -> str:
    """Usernames match case-insensitively and without surrounding spaces, at login as everywhere."""
    return username.strip().casefold()


def username_hash(username: str) -> str:
    """How an unknown username is kept (throttle key, audit log): a password typed into the username
    field must not be stored as typed."""
    return hashlib.sha256(fold_username(username).encode("utf-8")).hexdigest()


def _find(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(func.lower(User.username) == fold_username(username))).first()


@lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    # Checked against when there is no account, so every answer costs one argon2 verification.
    return _hasher.hash(secrets.token_urlsafe(24))


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, *, user_id: int, now: datetime) -> bool:
    """Count one failed login in a single statement and decide the lock from its result; True if locked.

    A read-then-write count lets concurrent attempts overwrite each other's increments (24 simultaneous
    wrong passwords never reached five); UPDATE ... RETURNING cannot lose one, on SQLite or PostgreSQL.
    """
    count = session.execute(
        update(User).where(col(User.id) == user_id).values(failed_logins=col(User.failed_logins) + 1)
        .returning(User.failed_logins)
    ).scalar_one()
    if count < MAX_FAILED_LOGINS:
        return False
    session.execute(update(User).where(col(User.id) == user_id).values(locked_until=now + LOCKOUT, failed_logins=0))
    return True


def _count_unknown_failure(session: Session, *, key: str, now: datetime) -> bool:
    """The same count for a username that is no account (an upsert: one statement either way)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginThrottle.__table__
    count = session.execute(
        insert(table).values(username_hash=key, failed_logins=1, last_failed_at=now)
        .on_conflict_do_update(index_elements=[table.c.username_hash],
                               set_={"failed_logins": table.c.failed_logins + 1, "last_failed_at": now})
        .returning(table.c.failed_logins)
    ).scalar_one()
    if count < MAX_FAILED_LOGINS:
        return False
    session.execute(update(LoginThrottle).where(col(LoginThrottle.username_hash) == key)
                    .values(locked_until=now + LOCKOUT, failed_logins=0))
    return True


def _locked(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now


@dataclass(frozen=True)
class AddressLimit:
    """The per-address limit: `max_failures` failed logins (any usernames) from one client address within
    `window` lock that address out for `window`. `max_failures` 0 turns it off."""

    max_failures: int = 20
    window: timedelta = LOCKOUT


def address_hash(address: str) -> str:
    """How a client address is kept (throttle key): not as typed into a log or a table."""
    return hashlib.sha256(f"address:{address.strip().casefold()}".encode()).hexdigest()


def _address_locked(session: Session, key: str, now: datetime) -> bool:
    row = session.get(LoginAddressThrottle, key, populate_existing=True)
    return row is not None and _locked(row.locked_until, now)


def _count_address_failure(session: Session, *, key: str, limit: AddressLimit, now: datetime) -> bool:
    """Count one failed login from an address in one statement (an upsert, as for unknown usernames);
    the count starts again after a quiet `window`. True if the address is locked now."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = LoginAddressThrottle.__table__
    restart = table.c.last_failed_at < now - limit.window
    count = session.execute(
        insert(table).values(address_hash=key, failed_logins=1, last_failed_at=now)
        .on_conflict_do_update(index_elements=[table.c.address_hash],
                               set_={"failed_logins": case((restart, 1), else_=table.c.failed_logins + 1),
                                     "last_failed_at": now})
        .returning(table.c.failed_logins)
    ).scalar_one()
    if count < limit.max_failures:
        return False
    session.execute(update(LoginAddressThrottle).where(col(LoginAddressThrottle.address_hash) == key)
                    .values(locked_until=now + limit.window, failed_logins=0))
    return True


def prune_throttles(session: Session, *, now: datetime | None = None, kept: timedelta = THROTTLE_KEPT) -> int:
    """Delete throttle rows (per username, per address) with no failure for `kept` and no lock in force."""
    now = now or utcnow()
    removed = 0
    for model in (LoginThrottle, LoginAddressThrottle):
        result = session.execute(delete(model).where(
            col(model.last_failed_at) < now - kept,
            col(model.locked_until).is_(None) | (col(model.locked_until) < now)))
        removed += result.rowcount or 0
    return removed


def authenticate(session: Session, *, username: str, password: str, address: str | None = None,
                 address_limit: AddressLimit | None = None) -> LoginResult:
    """Check a password; count failures in the database so a lockout holds across sessions and instances.

    Unknown, inactive and locked usernames cost the same argon2 verification as a wrong password, and
    unknown usernames are counted and locked like real ones, so neither the answer nor its timing tells
    whether an account exists (the login page shows one message for every failure).

    With the client's `address`, failures are also counted per address (`address_limit`), so a few tries
    against each of many usernames are slowed as well; a locked address gets "locked" even for the right
    password. Every failure also prunes old throttle rows.
    """
    limit = address_limit or AddressLimit()
    key = address_hash(address) if address and limit.max_failures > 0 else None
    address_locked = key is not None and _address_locked(session, key, utcnow())
    result = _authenticate(session, username=username, password=password, address_locked=address_locked)
    if result.outcome is not LoginOutcome.ok:
        now = utcnow()
        session.commit()  # a write transaction of its own (SQLite)
        if address_locked:
            result = LoginResult(LoginOutcome.locked)
        elif key is not None and _count_address_failure(session, key=key, limit=limit, now=now):
            audit.record(session, action="login_address_locked", actor_id=None, actor_name="",
                         detail={"address_hash": key[:16]})
            result = LoginResult(LoginOutcome.locked)
        prune_throttles(session, now=now)
    return result


def _authenticate(session: Session, *, username: str, password: str, address_locked: bool) -> LoginResult:
    now = utcnow()
    user = _find(session, username)
    if user is None:
        key = username_hash(username)
        throttle = session.get(LoginThrottle, key)
        _password_matches(_stand_in_hash(), password)
        session.commit()  # end the read: on SQLite the counting write must start its own transaction
        locked = _locked(throttle.locked_until if throttle else None, now)
        if not locked:
            locked = _count_unknown_failure(session, key=key, now=now)
        audit.record(session, action="login_failed", actor_id=None, actor_name="",
                     detail={"reason": "unknown_user", "username_hash": key[:16], "locked": locked})
        return LoginResult(LoginOutcome.locked if locked else LoginOutcome.bad_credentials)
    user_id, name, active, locked_until = user.id, user.username, user.active, user.locked_until
    matches = _password_matches(user.password_hash, password)
    session.commit()
    if not active:
        audit.record(session, action="login_failed", actor_id=user_id, actor_name=name,
                     detail={"reason": "inactive"})
        return LoginResult(LoginOutcome.inactive)
    if _locked(locked_until, now):
        audit.record(session, action="login_failed", actor_id=user_id, actor_name=name,
                     detail={"reason": "locked"})
        return LoginResult(LoginOutcome.locked)
    if not matches:
        locked = _count_failure(session, user_id=user_id, now=now)
        audit.record(session, action="login_failed", actor_id=user_id, actor_name=name,
                     detail={"reason": "bad_password", "locked": locked})
        return LoginResult(LoginOutcome.locked if locked else LoginOutcome.bad_credentials)
    if address_locked:
        audit.record(session, action="login_failed", actor_id=user_id, actor_name=name,
                     detail={"reason": "address_locked"})
        return LoginResult(LoginOutcome.locked)
    user = session.get(User, user_id)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit.record(session, action="login", actor_id=user.id, actor_name=user.username)
    return LoginResult(LoginOutcome.ok, _public(user))


def identity_login(session: Session, *, email: str, domain: str) -> StaffUser | None:
    """The active staff account an identity provider's user is (single sign-on), or None.

    The provider vouches for an address at the association's own `domain` (SSO_EMAIL_DOMAIN); its local
    part is the console username (`rikke@forening.dk` is `rikke`). Any other domain matches nobody.
    Roles always come from the console's own table: the provider only says who the person is.
    """
    local, _, at_domain = (email or "").strip().rpartition("@")
    user = _find(session, local) if local and domain and at_domain.casefold() == domain.strip().casefold() else None
    if user is None or not user.active:
        audit.record(session, action="login_failed", actor_id=user.id if user else None,
                     actor_name=user.username if user else "",
                     detail={"reason": "inactive" if user else "unknown_identity", "via": "oidc",
                             "username_hash": username_hash(email or "")[:16]})
        return None
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, action="login", actor_id=user.id, actor_name=user.username, detail={"via": "oidc"})
    return _public(user)


class FirstRunDone(RuntimeError):
    """Another submission (or the command line) created the first account first."""


def create_first_admin(session: Session, *, data: UserCreate) -> StaffUser:
    """Create the first administrator, once, however many first-run forms are submitted at once.

    The `first_admin` row's primary key is the lock: a simultaneous transaction's INSERT waits for the
    first to commit and then fails, on SQLite (one writer at a time) and PostgreSQL (unique index) alike.
    """
    try:
        session.add(SystemValue(name=FIRST_ADMIN))
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise FirstRunDone from exc
    if count_users(session) > 0:
        session.rollback()
        raise FirstRunDone
    created = create_user(session, data=UserCreate.model_validate({**data.model_dump(), "role": Role.admin}))
    session.exec(update(SystemValue).where(col(SystemValue.name) == FIRST_ADMIN).values(value=str(created.id)))
    return created


def staff_names(session: Session, *, ids: set[int] | None = None) -> dict[int, str]:
    """Display names of staff by id (all staff, or only `ids`)."""
    query = select(User.id, User.display_name)
    if ids is not None:
        if not ids:
            return {}
        query = query.where(col(User.id).in_(ids))
    return {row.id: row.display_name for row in session.exec(query)}


def get_user(session: Session, *, user_id: int) -> StaffUser | None:
    user = session.get(User, user_id)
    return _public(user) if user else None


def list_users(session: Session, *, include_inactive: bool = True) -> list[dict]:
    query = select(User).order_by(User.username)
    if not include_inactive:
        query = query.where(User.active == True)  # noqa: E712
    return [
        {
            "id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "active": u.active, "locked_until": u.locked_until, "last_login_at": u.last_login_at,
            "created_at": u.created_at,
        }
        for u in session.exec(query)
    ]


class NoSuchUser(LookupError):
    pass


def set_password(session: Session, *, username: str, password: str, actor_id: int | None = None) -> StaffUser:
    """A new password (same rules as a new account), the account unlocked and its sessions ended."""
    user = _find(session, username)
    if user is None:
        raise NoSuchUser(username)
    UserCreate(username=user.username, display_name=user.display_name, password=password)  # same rules
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    sessions.revoke_for_user(session, user_id=user.id, reason="password")
    audit.record(session, action="password_reset", actor_id=actor_id, object_type="user", object_id=user.id)
    return _public(user)


def set_role(session: Session, *, user_id: int, role: Role | str, actor_id: int | None = None) -> None:
    user = session.get(User, user_id)
    user.role = Role(role).value
    session.add(user)
    audit.record(session, action="user_role", actor_id=actor_id, object_type="user", object_id=user_id,
                 detail={"role": user.role})


def set_active(session: Session, *, user_id: int, active: bool, actor_id: int | None = None) -> None:
    user = session.get(User, user_id)
    user.active = active
    session.add(user)
    if not active:
        sessions.revoke_for_user(session, user_id=user_id, reason="inactive")
    audit.record(session, action="user_active" if active else "user_deactivate", actor_id=actor_id,
                 object_type="user", object_id=user_id)
