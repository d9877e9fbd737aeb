"""Who is logged in, idle timeout, and the role check every page makes before reading data."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict

import streamlit as st

from console.i18n import t
from db.engine import session_scope
from db.repositories import users
from db.repositories.users import StaffUser
from settings import get_settings

SESSION_USER = "user"
SESSION_LAST_SEEN = "last_seen"



def current_user() -> StaffUser | None:
    data = st.session_state.get(SESSION_USER)
    return StaffUser(**data) if data else None


def log_in(user: StaffUser) -> None:
    st.session_state[SESSION_USER] = asdict(user)
    st.session_state[SESSION_LAST_SEEN] = time.time()


def log_out(*, reason: str | None = None) -> None:
    for key in list(st.session_state.keys()):
        if key != "lang":
            del st.session_state[key]
    if reason:
        st.session_state["logout_reason"] = reason


def enforce_idle_timeout() -> None:
    """Log out after SESSION_IDLE_MINUTES without any interaction (checked on every rerun)."""
    if current_user() is None:
        return
    now = time.time()
    last = st.session_state.get(SESSION_LAST_SEEN, now)
    if now - last > get_settings().SESSION_IDLE_MINUTES * 60:
        log_out(reason="idle")
        return
    st.session_state[SESSION_LAST_SEEN] = now


def require(rule: Callable[[StaffUser], bool]) -> StaffUser:
    """Stop the page with "no access" unless the logged-in, still active user passes `rule` (advisory.access).

    The role is read again from the database so a demotion or deactivation takes effect at once.
    """
    user = current_user()
    if user is None:
        st.warning(t("auth.login_required"))
        st.stop()
    with session_scope() as session:
        fresh = users.get_user(session, user_id=user.id)
    if fresh is None or not fresh.active:
        log_out()
        st.warning(t("auth.login_required"))
        st.stop()
    if not rule(fresh):
        st.error(t("auth.no_access"))
        st.stop()
    if fresh != user:
        st.session_state[SESSION_USER] = asdict(fresh)
    return fresh
