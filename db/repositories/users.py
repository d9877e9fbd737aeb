"""Staff accounts: argon2 password hashes, roles, lockout after repeated failed logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Role, User, UserCreate, utcnow
from db.repositories import audit

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

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


def authenticate(session: Session, *, username: str, password: str) -> LoginResult:
    """Check a password; count failures in the database so a lockout holds across sessions."""
    user = session.exec(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    now = utcnow()
    if user is None:
        # Hash anyway so a wrong username takes as long as a wrong password.
        _hasher.hash(password or "x")
        audit.record(session, action="login_failed", actor_id=None, actor_name=username[:64],
                     detail={"reason": "unknown_user"})
        return LoginResult(LoginOutcome.bad_credentials)
    if not user.active:
        audit.record(session, action="login_failed", actor_id=user.id, actor_name=user.username,
                     detail={"reason": "inactive"})
        return LoginResult(LoginOutcome.inactive)
    if user.locked_until is not None and user.locked_until > now:
        audit.record(session, action="login_failed", actor_id=user.id, actor_name=user.username,
                     detail={"reason": "locked"})
        return LoginResult(LoginOutcome.locked)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.add(user)
        audit.record(session, action="login_failed", actor_id=user.id, actor_name=user.username,
                     detail={"reason": "bad_password", "locked": user.locked_until is not None
                             and user.locked_until > now})
        return LoginResult(LoginOutcome.locked if user.locked_until and user.locked_until > now
                           else LoginOutcome.bad_credentials)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    audit.record(session, action="login", actor_id=user.id, actor_name=user.username)
    return LoginResult(LoginOutcome.ok, _public(user))


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


def set_password(session: Session, *, username: str, password: str, actor_id: int | None = None) -> None:
    UserCreate(username=username, display_name="x", password=password)  # same password rules
    user = session.exec(select(User).where(User.username == username)).one()
    user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, action="password_reset", actor_id=actor_id, object_type="user", object_id=user.id)


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
    audit.record(session, action="user_active" if active else "user_deactivate", actor_id=actor_id,
                 object_type="user", object_id=user_id)
