"""Staff accounts as the pages use them: log in, create the first administrator, create users, change a
role, deactivate. Each function owns its session; the repository (db/repositories/users.py) audits.

`StaffUser` is the plain record of a user the UI keeps (never an ORM object).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.engine import session_scope
from db.models import Role, UserCreate
from db.repositories import users
from db.repositories.users import FirstRunDone, LoginOutcome, LoginResult, StaffUser, UsernameTaken

__all__ = ["ChangeOutcome", "FirstRunDone", "LoginOutcome", "LoginResult", "StaffUser", "UsernameTaken",
           "any_users", "authenticate", "change_role", "create_first_admin", "create_user", "list_users",
           "set_active"]


def authenticate(*, username: str, password: str) -> LoginResult:
    with session_scope() as session:
        return users.authenticate(session, username=username, password=password)


def any_users() -> bool:
    with session_scope() as session:
        return users.count_users(session) > 0


def create_first_admin(data: UserCreate) -> StaffUser:
    """Raises FirstRunDone when another submission (or the command line) was first."""
    with session_scope() as session:
        return users.create_first_admin(session, data=data)


def create_user(data: UserCreate, *, actor: StaffUser) -> StaffUser:
    """Raises UsernameTaken."""
    with session_scope() as session:
        return users.create_user(session, data=data, actor_id=actor.id)


def list_users() -> list[dict[str, Any]]:
    with session_scope() as session:
        return users.list_users(session)


@dataclass(frozen=True)
class ChangeOutcome:
    """A change to an account, or why it was refused (an administrator cannot lock themselves out)."""

    done: bool
    refused: str | None = None  # "cannot_demote_self" | "cannot_deactivate_self"


def change_role(*, user_id: int, role: Role | str, actor: StaffUser) -> ChangeOutcome:
    if user_id == actor.id and Role(role) is not Role.admin:
        return ChangeOutcome(done=False, refused="cannot_demote_self")
    with session_scope() as session:
        users.set_role(session, user_id=user_id, role=role, actor_id=actor.id)
    return ChangeOutcome(done=True)


def set_active(*, user_id: int, active: bool, actor: StaffUser) -> ChangeOutcome:
    if user_id == actor.id:
        return ChangeOutcome(done=False, refused="cannot_deactivate_self")
    with session_scope() as session:
        users.set_active(session, user_id=user_id, active=active, actor_id=actor.id)
    return ChangeOutcome(done=True)
