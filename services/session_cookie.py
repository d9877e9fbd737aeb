"""The session cookie's value: a session id and token, an expiry, and an HMAC signature over them.

The signature lets a server refuse a tampered or expired cookie before it touches the database; the
database check (sessions.resume) is what makes the session revocable. The key is SESSION_SECRET, or when
that is empty a random key created once in the database, so every instance of the console agrees on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy.exc import IntegrityError

from db.engine import get_engine, session_scope
from db.repositories import system
from settings import get_settings

COOKIE_NAME = "advice_console_session"
KEY_NAME = "session_signing_key"


@dataclass(frozen=True)
class CookieSession:
    session_id: int
    token: str


def signing_key() -> bytes:
    settings = get_settings()
    configured = settings.SESSION_SECRET.get_secret_value()
    return configured.encode("utf-8") if configured else _stored_key(settings.DATABASE_URL)


@lru_cache(maxsize=4)
def _stored_key(database_url: str) -> bytes:
    for _attempt in range(3):
        try:
            with session_scope(get_engine(database_url)) as session:
                return system.get_or_create(session, name=KEY_NAME, make=secrets.token_hex(32)).encode("ascii")
        except IntegrityError:
            continue  # another instance stored its key first: read that one
    raise RuntimeError("could not read or store the session signing key")


def _signature(payload: str, key: bytes) -> str:
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def encode(*, session_id: int, token: str, expires_at: datetime, key: bytes | None = None) -> str:
    payload = f"{session_id}.{token}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(payload, key or signing_key())}"


def decode(value: str | None, *, key: bytes | None = None, now: datetime | None = None) -> CookieSession | None:
    """The session a cookie names, or None for a malformed, tampered or expired one."""
    parts = (value or "").split(".")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    session_id, token, expires, signature = parts
    if not hmac.compare_digest(signature, _signature(".".join(parts[:3]), key or signing_key())):
        return None
    if int(expires) <= (now or datetime.now(UTC)).timestamp():
        return None
    return CookieSession(session_id=int(session_id), token=token)
