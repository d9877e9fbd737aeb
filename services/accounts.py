"""Staff accounts as the pages use them: log in, create the first administrator, create users, change a
role, deactivate. Each function owns its session; the repository (db/repositories/users.py) audits.

`StaffUser` is the plain record of a user the UI keeps (never an ORM object).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from db.engine import session_scope
from db.models import Role, UserCreate
from db.repositories import users
from db.repositories.users import FirstRunDone, LoginOutcome, LoginResult, StaffUser, UsernameTaken
from settings import get_settings

__all__ = ["ChangeOutcome", "FirstRunDone", "LoginOutcome", "LoginResult", "StaffUser", "UsernameTaken",
           "any_users", "authenticate", "change_role", "client_address", "create_first_admin", "create_user", "list_users",
           "set_active"]


def authenticate(*, username: str, password: str, address: str | None = None) -> LoginResult:
    """Check a login; `address` is the client's (client_address), counted against LOGIN_ADDRESS_MAX_FAILURES."""
    settings = get_settings()
    limit = users.AddressLimit(max_failures=settings.LOGIN_ADDRESS_MAX_FAILURES,
                               window=timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES))
    with session_scope() as session:
        return users.authenticate(session, username=username, password=password, address=address,
                                  address_limit=limit)


def _networks(trusted: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for part in trusted.replace(";", ",").split(","):
        if part.strip():
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
    return networks


def _is_trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == network.version and ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, *, trusted_proxies: str | None = None) -> str | None:
    """The client's address for the per-address login limit.

    `peer` is the address the connection came from (None: the machine itself). X-Forwarded-For is believed
    only when `peer` is one of TRUSTED_PROXIES: then the header is read from the right (the entry the
    nearest proxy added) and the first address that is no trusted proxy is the client's. A header sent
    straight to the console, or by an untrusted hop, is ignored, so a client cannot pick its own address.
    """
    networks = _networks(get_settings().TRUSTED_PROXIES if trusted_proxies is None else trusted_proxies)
    peer = (peer or "127.0.0.1").strip()
    if not forwarded_for or not _is_trusted(peer, networks):
        return peer
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        client = hop
        if not _is_trusted(hop, networks):
            break
    return client


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
