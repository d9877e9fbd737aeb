"""Server-side sessions: one row per login, so logout, deactivation and idle time end it on every instance.

The browser holds a signed cookie naming the session and carrying a random token; the database keeps only
hashes. A freshly logged-in page receives a one-time ticket instead of the token and trades it (within
TICKET_LIFETIME, once) for the cookie at the console's `/api/session` route, so the token itself never
appears in the page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import StaffSession, User, utcnow

TICKET_LIFETIME = timedelta(minutes=2)
# Activity is written at most this often: the idle check stays exact to these seconds, and a busy advisor
# costs one small UPDATE per quarter minute, not one per keystroke.
TOUCH_INTERVAL = timedelta(seconds=15)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewSession:
    id: int
    ticket: str


@dataclass(frozen=True)
class Redeemed:
    id: int
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionCheck:
    """A live session's user (id, username, display name, role, active), or why it is over."""

    user_id: int | None = None
    username: str = ""
    display_name: str = ""
    role: str = ""
    ended: str | None = None  # missing | revoked | logout | expired | idle | inactive | password

    @property
    def live(self) -> bool:
        return self.ended is None


def open_session(session: Session, *, user_id: int, lifetime: timedelta, via: str = "password",
                 identity: str | None = None) -> NewSession:
    """A new session and its one-time ticket. `identity`: the single sign-on it comes from (used once:
    a second session from the same sign-in fails with IntegrityError)."""
    now = utcnow()
    ticket = secrets.token_urlsafe(32)
    row = StaffSession(user_id=user_id, via=via, ticket_hash=digest(ticket), ticket_expires_at=now + TICKET_LIFETIME,
                       created_at=now, last_seen_at=now, expires_at=now + lifetime,
                       identity_hash=digest(identity) if identity else None)
    session.add(row)
    session.flush()
    return NewSession(id=row.id, ticket=ticket)


def redeem_ticket(session: Session, *, ticket: str) -> Redeemed | None:
    """Trade a one-time ticket for the cookie token; None for an unknown, used, expired or revoked ticket."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = session.execute(
        update(StaffSession)
        .where(col(StaffSession.ticket_hash) == digest(ticket), col(StaffSession.revoked_at).is_(None))
        .values(ticket_hash=None, token_hash=digest(token))
        .returning(StaffSession.id, StaffSession.ticket_expires_at, StaffSession.expires_at)
    ).first()
    if row is None:
        return None
    if row.ticket_expires_at is None or row.ticket_expires_at < now or row.expires_at <= now:
        revoke(session, session_id=row.id, reason="expired")
        return None
    return Redeemed(id=row.id, token=token, expires_at=row.expires_at)


@dataclass(frozen=True)
class IdentitySession:
    """The session a single sign-on already started: `check` says whether it is live; `ticket` is set when
    the browser has no cookie for it yet (the sign-in's redirects can open the console more than once)."""

    check: SessionCheck
    id: int | None = None
    ticket: str | None = None


def session_of_identity(session: Session, *, identity: str, idle: timedelta) -> IdentitySession | None:
    """None if this sign-in started no session yet; else that session, live or ended (never a second one)."""
    row = session.exec(select(StaffSession).where(StaffSession.identity_hash == digest(identity))).first()
    if row is None:
        return None
    result = check(session, session_id=row.id, idle=idle, touch=True)
    if not result.live:
        return IdentitySession(check=result)
    ticket = None
    if row.token_hash is None:
        ticket = secrets.token_urlsafe(32)
        session.execute(update(StaffSession).where(col(StaffSession.id) == row.id)
                        .values(ticket_hash=digest(ticket), ticket_expires_at=utcnow() + TICKET_LIFETIME))
    return IdentitySession(check=result, id=row.id, ticket=ticket)


def ticket_pending(session: Session, *, session_id: int | None) -> bool:
    """Is the session's one-time ticket still to be traded for the cookie (and still tradable)?"""
    if session_id is None:
        return False
    row = session.get(StaffSession, session_id)
    return bool(row and row.ticket_hash and row.revoked_at is None and row.ticket_expires_at
                and row.ticket_expires_at > utcnow())


def check(session: Session, *, session_id: int, idle: timedelta, touch: bool,
          seen_here: datetime | None = None) -> SessionCheck:
    """Is the session still live? Re-reads the user (active, role) and ends the session when it is not.

    `touch`: this is the user acting, so the session is active now. `seen_here`: the last activity this
    browser tab saw, which may be newer than the stored one (written every TOUCH_INTERVAL at most).
    """
    now = utcnow()
    found = session.exec(select(StaffSession, User).join(User, col(User.id) == col(StaffSession.user_id))
                         .where(StaffSession.id == session_id)).first()
    if found is None:
        return SessionCheck(ended="missing")
    row, user = found
    if row.revoked_at is not None:
        return SessionCheck(ended=row.revoked_reason or "revoked")
    last = max(row.last_seen_at, seen_here) if seen_here else row.last_seen_at
    ended = ("expired" if now >= row.expires_at else "inactive" if not user.active
             else "idle" if now - last > idle else None)
    if ended:
        revoke(session, session_id=row.id, reason=ended)
        return SessionCheck(ended=ended)
    if touch and now - row.last_seen_at >= TOUCH_INTERVAL:
        session.execute(update(StaffSession).where(col(StaffSession.id) == row.id).values(last_seen_at=now))
    return SessionCheck(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role)


def resume(session: Session, *, session_id: int, token: str, idle: timedelta) -> SessionCheck:
    """The session a cookie names, if its token matches and it is still live (a reload, a new tab)."""
    stored = session.get(StaffSession, session_id)
    if stored is None or stored.token_hash is None or not secrets.compare_digest(stored.token_hash, digest(token)):
        return SessionCheck(ended="missing")
    return check(session, session_id=session_id, idle=idle, touch=True)


def revoke(session: Session, *, session_id: int, reason: str) -> None:
    session.execute(update(StaffSession).where(col(StaffSession.id) == session_id, col(StaffSession.revoked_at).is_(None))
                    .values(revoked_at=utcnow(), revoked_reason=reason, ticket_hash=None))


def revoke_for_user(session: Session, *, user_id: int, reason: str) -> int:
    """End every live session of a user (deactivation, new password); returns how many."""
    result = session.execute(update(StaffSession)
                             .where(col(StaffSession.user_id) == user_id, col(StaffSession.revoked_at).is_(None))
                             .values(revoked_at=utcnow(), revoked_reason=reason, ticket_hash=None))
    return result.rowcount or 0


def set_last_seen(session: Session, *, session_id: int, at: datetime) -> None:
    """For tests and tools: pretend the session was last active at `at`."""
    session.execute(update(StaffSession).where(col(StaffSession.id) == session_id).values(last_seen_at=at))
