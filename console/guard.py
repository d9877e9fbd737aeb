"""The one guard in front of every action that changes data.

Streamlit runs widget callbacks (`on_click`, `on_change`) before app.py and the page body, and a fragment
reruns without either, so a check made only by the router or at the top of a page does not protect them.
Every action therefore goes through `check()`: it re-reads the session and the user from the database
(session not revoked, user still active, role as stored now), applies the idle timeout, and only then
lets the action run with the user as the database has it.

- `@action(rule)` wraps a callback: the fresh user is passed as its first argument; a denied action does
  nothing (an ended session is logged out, a demoted user is told "Ingen adgang").
- `check(rule)` is the same check for code in a page body or a fragment; `watch()` is the check a timer
  makes, which is not activity and so never postpones the idle timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import streamlit as st

from db.engine import session_scope
from db.models import utcnow
from db.repositories import sessions
from db.repositories.users import StaffUser
from settings import get_settings

SESSION_USER = "user"
SESSION_ID = "session_id"
LAST_ACTIVE = "last_active"  # when this browser tab last saw the user act (UTC)
LOGOUT_REASON = "logout_reason"
DENIED = "guard_denied"  # a refused action, to say so on the next run
CLEAR_COOKIE = "auth_clear_cookie"
KEEP_ON_LOGOUT = ("lang",)

Rule = Callable[[StaffUser], bool]
P = ParamSpec("P")
R = TypeVar("R")


def idle_limit() -> timedelta:
    return timedelta(minutes=get_settings().SESSION_IDLE_MINUTES)


def current_user() -> StaffUser | None:
    """Who this tab believes is logged in (not re-checked: use check() before acting)."""
    data = st.session_state.get(SESSION_USER)
    return StaffUser(**data) if data else None


def end_session(reason: str | None = None) -> None:
    """Forget the login in this tab, end it in the database, and have the browser drop its cookie."""
    session_id = st.session_state.get(SESSION_ID)
    if session_id is not None:
        with session_scope() as session:
            sessions.revoke(session, session_id=session_id, reason=reason or "logout")
    for key in list(st.session_state.keys()):
        if key not in KEEP_ON_LOGOUT:
            del st.session_state[key]
    st.session_state[CLEAR_COOKIE] = True
    if reason:
        st.session_state[LOGOUT_REASON] = reason


def verified_user(*, activity: bool = True) -> StaffUser | None:
    """The logged-in user as the database has them now, or None once the session has ended.

    `activity`: the user did something (a click, typing, a page load), which restarts the idle time.
    An ended session (revoked elsewhere, deactivated, idle, expired) is logged out here.
    """
    believed = current_user()
    session_id = st.session_state.get(SESSION_ID)
    if believed is None:
        return None
    if session_id is None:  # a login state without a server-side session is not a login
        end_session()
        return None
    seen_here = st.session_state.get(LAST_ACTIVE)
    with session_scope() as session:
        result = sessions.check(session, session_id=session_id, idle=idle_limit(), touch=activity,
                                seen_here=seen_here if isinstance(seen_here, datetime) else None)
    if not result.live or result.user_id is None:
        end_session(result.ended)
        return None
    fresh = StaffUser(id=result.user_id, username=result.username, display_name=result.display_name,
                      role=result.role, active=True)
    if fresh != believed:
        st.session_state[SESSION_USER] = asdict(fresh)  # a new role or name shows at once
    if activity:
        st.session_state[LAST_ACTIVE] = utcnow()
    return fresh


def check(rule: Rule | None = None, *, activity: bool = True) -> StaffUser | None:
    """verified_user(), and `rule` (advisory.access) allows the action; a refusal is shown on the next run."""
    fresh = verified_user(activity=activity)
    if fresh is None:
        return None
    if rule is not None and not rule(fresh):
        st.session_state[DENIED] = True
        return None
    return fresh


def action(rule: Rule) -> Callable[[Callable[..., R]], Callable[..., R | None]]:
    """Decorate a widget callback: it runs only if check(rule) passes, and gets the fresh user first.

    Callers pass the callback's other arguments (`args=(...)`), never a user captured when the page was
    drawn: that user may since have been demoted or deactivated.
    """
    def decorate(callback: Callable[..., R]) -> Callable[..., R | None]:
        @wraps(callback)
        def guarded(*args: Any, **kwargs: Any) -> R | None:
            user = check(rule)
            if user is None:
                return None
            return callback(user, *args, **kwargs)

        return guarded

    return decorate


def in_fragment(rule: Rule, *, activity: bool = True) -> StaffUser:
    """check() for a fragment's rerun (which runs neither app.py nor the page): an ended session or a
    refused role reruns the whole app, which then shows the login or "Ingen adgang"."""
    user = check(rule, activity=activity)
    if user is None:
        st.rerun(scope="app")
    return user


def watch() -> None:
    """For timers: end an idle or revoked session and take the page off screen; not activity."""
    if current_user() is not None and verified_user(activity=False) is None:
        st.rerun(scope="app")


def show_denied() -> None:
    """Say so when an action was refused since the last run (the user's role no longer allows it)."""
    from console.i18n import t

    if st.session_state.pop(DENIED, False):
        st.error(t("auth.action_denied"))
