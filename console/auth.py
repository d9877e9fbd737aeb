"""Logging in and out, the session cookie that survives a reload, and the role check every page makes.

A login is a row in the database (db/repositories/sessions.py) named by this tab's session state and, for
reloads, bookmarks and opened links, by an HttpOnly cookie. Streamlit cannot set a cookie from a running
script, so the freshly logged-in page trades a one-time ticket for it at the console's own `/api/session`
route (console/server.py, an st.App route), with a small script rendered by st.html. Every check of the
login goes through console/guard.py.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import timedelta

import streamlit as st
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from console import guard
from console.i18n import t
from db.engine import session_scope
from db.models import MIN_PASSWORD_LENGTH, WEAK_PASSWORD
from db.repositories import sessions, users
from db.repositories.users import StaffUser
from services import accounts, session_cookie
from settings import get_settings

SESSION_TICKET = "auth_session_ticket"
RESUMED = "auth_resumed_from_cookie"  # this tab took up an existing login (a reload, a link, a new tab)
SESSION_ROUTE = "/api/session"

SSO_DENIED = "auth_sso_denied"  # the identity provider's user is no active staff member
SSO_SEEN = "auth_sso_seen"  # the identity (sub, iat) this tab already tried, so it is tried once
SSO_RETURN = "auth_sso_return"  # a single sign-on just started this tab's session: go back to the deep link
# The tab's sessionStorage key for the address the login page was opened at: the identity provider's
# callback always lands on the start page, so the console goes back there once the session is set.
RETURN_TO_KEY = "advice-console-return-to"
# st.login's identity cookie outlives a console session; only a sign-in this recent starts one, so an
# idle timeout or a logout is not undone by the identity still being in the browser.
SSO_FRESH_SECONDS = 120

current_user = guard.current_user


def session_lifetime() -> timedelta:
    return timedelta(hours=get_settings().SESSION_MAX_HOURS)


def log_in(user: StaffUser, *, via: str = "password", identity: str | None = None) -> None:
    """Start a server-side session for `user` in this tab; the next run hands the browser its cookie."""
    with session_scope() as session:
        opened = sessions.open_session(session, user_id=user.id, lifetime=session_lifetime(), via=via,
                                       identity=identity)
    st.session_state.pop(guard.LOGOUT_REASON, None)
    st.session_state.pop(guard.CLEAR_COOKIE, None)
    st.session_state[guard.SESSION_USER] = asdict(user)
    st.session_state[guard.SESSION_ID] = opened.id
    st.session_state[guard.LAST_ACTIVE] = None
    st.session_state[SESSION_TICKET] = opened.ticket


def log_out(*, reason: str | None = None) -> None:
    guard.end_session(reason)


def resume_from_cookie() -> None:
    """A new tab, a reload or an opened link: take up the login the browser's cookie names, if still live."""
    if guard.current_user() is not None:
        return
    try:
        raw = st.context.cookies.get(session_cookie.COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no browser request behind this run (bare AppTest)
        return
    cookie = session_cookie.decode(raw) if raw else None
    if cookie is None:
        return
    with session_scope() as session:
        result = sessions.resume(session, session_id=cookie.session_id, token=cookie.token,
                                 idle=guard.idle_limit())
    if not result.live:
        if result.ended == "idle":
            st.session_state[guard.LOGOUT_REASON] = "idle"
        st.session_state[guard.CLEAR_COOKIE] = True
        return
    _take_up(result, cookie.session_id)
    st.session_state[RESUMED] = True


def _take_up(result: sessions.SessionCheck, session_id: int | None) -> None:
    """Make a live server-side session this tab's login."""
    if result.user_id is None or session_id is None:  # not live: nothing to take up
        return
    st.session_state[guard.SESSION_USER] = asdict(StaffUser(
        id=result.user_id, username=result.username, display_name=result.display_name, role=result.role))
    st.session_state[guard.SESSION_ID] = session_id
    st.session_state[guard.LAST_ACTIVE] = None


def client_address() -> str | None:
    """This browser's address as the per-address login limit counts it (services.accounts.client_address:
    X-Forwarded-For only from TRUSTED_PROXIES). None without a browser request (bare AppTest)."""
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get("X-Forwarded-For")
    except Exception:  # noqa: BLE001 - no browser request behind this run
        return None
    return accounts.client_address(peer, forwarded)


def sso_configured() -> bool:
    """Single sign-on is offered when `.streamlit/secrets.toml` has an [auth] section and SSO_EMAIL_DOMAIN is set."""
    if not get_settings().SSO_EMAIL_DOMAIN.strip():
        return False
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def _identity() -> dict | None:
    try:
        identity = st.user
        return identity.to_dict() if identity.is_logged_in else None
    except Exception:  # noqa: BLE001 - st.login not configured or not available (AppTest)
        return None


def resume_from_identity_provider() -> None:
    """Back from the identity provider (st.login): start a console session for the staff member it names.

    The provider says who the person is (the e-mail claim); whether they may log in and with which role
    comes from the console's own user table (users.identity_login). An unknown or deactivated identity is
    told "Ingen adgang".
    """
    if guard.current_user() is not None or not sso_configured():
        return
    identity = _identity()
    if identity is None:
        return
    issued = identity.get("iat")
    seen = (identity.get("sub"), issued)
    if st.session_state.get(SSO_SEEN) == seen:
        return
    st.session_state[SSO_SEEN] = seen
    if not isinstance(issued, int | float) or time.time() - issued > SSO_FRESH_SECONDS:
        return  # an earlier sign-in: the user asks again with the button (the provider may not ask again)
    sign_in = f"{identity.get('iss', '')}|{identity.get('sub', '')}|{issued}"
    with session_scope() as session:
        earlier = sessions.session_of_identity(session, identity=sign_in, idle=guard.idle_limit())
        user = None if earlier else users.identity_login(session, email=str(identity.get("email") or ""),
                                                         domain=get_settings().SSO_EMAIL_DOMAIN)
    if earlier is not None:
        # One sign-in, one session: this browser may take up the session it started (the sign-in's
        # redirects open the console more than once), but never start another after it ended.
        if earlier.check.live:
            _take_up(earlier.check, earlier.id)
            if earlier.ticket:
                st.session_state[SESSION_TICKET] = earlier.ticket
                st.session_state[SSO_RETURN] = True
        return
    if user is None:
        st.session_state[SSO_DENIED] = True
        return
    try:
        log_in(user, via="oidc", identity=sign_in)
    except IntegrityError:
        return  # another tab started the session from this sign-in a moment ago; its cookie will do
    st.session_state[SSO_RETURN] = True


def remember_return_address() -> None:
    """On the login page with single sign-on: keep the address it was opened at (a deep link to a call or a
    follow-up) in this tab's sessionStorage, so the sign-in can go back to it (sync_cookie)."""
    key = json.dumps(RETURN_TO_KEY)
    script = (f"try {{ sessionStorage.setItem({key}, window.location.pathname + window.location.search); }} "
              "catch (e) {}")
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def sign_out_of_identity_provider() -> bool:
    """Drop st.login's identity cookie too, if there is one; True when the browser is being redirected
    for it (to the provider's end-session page), so the caller should end the run, not rerun."""
    if sso_configured() and _identity() is not None:
        st.logout()
        return True
    return False


def sync_cookie() -> None:
    """Have the browser store (after a login) or drop (after a logout) the session cookie.

    The script posts to the console's own route on the same origin; the answer sets or clears an HttpOnly
    cookie, which page scripts cannot read. Without the route (AppTest, a bare `streamlit run app.py`)
    the login still works in this tab, only a reload asks to log in again.
    """
    ticket = st.session_state.get(SESSION_TICKET)
    if ticket:
        # Kept until the browser has redeemed it: a run can be cut short (st.switch_page) before its
        # script reaches the browser.
        with session_scope() as session:
            pending = sessions.ticket_pending(session, session_id=st.session_state.get(guard.SESSION_ID))
        if not pending:
            st.session_state.pop(SESSION_TICKET, None)
            st.session_state.pop(SSO_RETURN, None)
            ticket = None
    clear = st.session_state.pop(guard.CLEAR_COOKIE, False)
    if not ticket and not clear:
        return
    route = json.dumps(session_route())
    if ticket:
        body = json.dumps(f"ticket={ticket}")
        # The address the login page was opened at is used once: after a single sign-on (whose callback
        # lands on the start page) the tab goes back to it once the cookie is set; a path on this origin only.
        go_back = "true" if st.session_state.get(SSO_RETURN) else "false"
        script = (f"fetch({route}, {{method: 'POST', credentials: 'same-origin', body: {body}, "
                  "headers: {'Content-Type': 'application/x-www-form-urlencoded'}}).then(function (answer) {"
                  f" var to = null; try {{ to = sessionStorage.getItem({json.dumps(RETURN_TO_KEY)});"
                  f" sessionStorage.removeItem({json.dumps(RETURN_TO_KEY)}); }} catch (e) {{}}"
                  f" if ({go_back} && answer.ok && to && to.charAt(0) === '/' && to.charAt(1) !== '/'"
                  " && to.indexOf('\\\\') === -1"
                  " && to !== window.location.pathname + window.location.search) { window.location.replace(to); }"
                  " });")
    else:
        script = f"fetch({route}, {{method: 'DELETE', credentials: 'same-origin'}});"
    with st.sidebar:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def session_route() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{SESSION_ROUTE}" if base else SESSION_ROUTE


def require(rule: guard.Rule) -> StaffUser:
    """Stop the page with "no access" unless the logged-in, still active user passes `rule` (advisory.access).

    The session and the role are read again from the database (console/guard.py), so a logout elsewhere,
    a demotion or a deactivation takes effect at once.
    """
    believed = guard.current_user()
    fresh = guard.verified_user()
    if fresh is None:
        if believed is not None:
            # The session ended between app.py's check and this one (a deactivation or a logout elsewhere
            # landing mid-run): the sidebar was already drawn as logged in, so draw the whole app again,
            # which now shows the login and why the session ended.
            st.rerun(scope="app")
        st.warning(t("auth.login_required"))
        st.stop()
    if not rule(fresh):
        st.error(t("auth.no_access"))
        st.stop()
    guard.show_denied()
    return fresh


def no_access() -> None:
    """The page behind a URL the user's role may not open (a typed or bookmarked address)."""
    st.error(t("auth.no_access"))


def user_errors(exc: ValidationError) -> list[str]:
    """Danish/English messages for a UserCreate that failed, one per field, in the form's order."""
    messages: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "username"
        weak = field == "password" and WEAK_PASSWORD in str(error.get("msg", ""))
        messages.setdefault(field, t("users.weak_password") if weak else
                            t(f"users.invalid_{field}", n=MIN_PASSWORD_LENGTH))
    order = ("username", "display_name", "role", "password")
    return [messages[field] for field in sorted(messages, key=lambda f: order.index(f) if f in order else 9)]
