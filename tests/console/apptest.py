"""Helpers for AppTest page tests: the console wired to a fresh SQLite file, users, logging in."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from db.engine import get_engine, session_scope
from db.models import UserCreate, utcnow
from db.repositories import sessions, users

CONSOLE = Path(__file__).resolve().parents[2] / "console"
APP = str(CONSOLE / "app.py")
PASSWORD = "korrekt-hest-batteri"


def keep_router_in_charge() -> None:
    """Make AppTest run console/app.py (the st.navigation router) on every run, as the server does.

    Streamlit still detects the old "pages/ folder next to the main script" layout. console/server.py pins
    the flag for the server; AppTest resets it before every run, so from the second run on it would execute
    console/pages/*.py directly, without the router. Pinning the flag to False after each PagesManager is
    built gives AppTest the server's behaviour.

    Why a private flag and not a setting: Streamlit 1.67 has no supported switch for this detection
    (`client.showSidebarNavigation` only hides the page list; st.navigation clears the flag only once it
    has run), and the only other way out, a main script without a `pages/` folder beside it, would break
    the project's required layout (console/app.py with console/pages/). Checked for 1.67.0; a version that
    drops the v1 detection makes both pins no-ops.
    """
    if getattr(PagesManager.__init__, "_router_pinned", False):
        return
    original = PagesManager.__init__

    def pinned(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    pinned._router_pinned = True
    PagesManager.__init__ = pinned


def make_user(db_url: str, username: str, role: str, display_name: str | None = None):
    with session_scope(get_engine(db_url)) as session:
        return users.create_user(
            session,
            data=UserCreate(username=username, display_name=display_name or username.title(), role=role,
                            password=PASSWORD),
        )


def open_session(user) -> int:
    """A server-side session for `user` in the console's database, as logging in makes one."""
    with session_scope() as session:
        return sessions.open_session(session, user_id=user.id, lifetime=timedelta(hours=12)).id


def sign_in(at: AppTest, user) -> AppTest:
    """Put `user`'s login into the app's session state (user and server-side session)."""
    at.session_state["user"] = asdict(user)
    at.session_state["session_id"] = open_session(user)
    return at


def make_idle(at: AppTest, minutes: float = 31) -> None:
    """Pretend the logged-in user of `at` last did something `minutes` ago (in the database and the tab)."""
    when = utcnow() - timedelta(minutes=minutes)
    with session_scope() as session:
        sessions.set_last_seen(session, session_id=at.session_state["session_id"], at=when)
    at.session_state["last_active"] = when


def console_app(timeout: float = 30) -> AppTest:
    return AppTest.from_file(APP, default_timeout=timeout)


def logged_in_app(user, *, lang: str = "da", timeout: float = 30) -> AppTest:
    """The whole console (router and all) with `user` already logged in."""
    at = sign_in(console_app(timeout), user)
    at.session_state["lang"] = lang
    return at


def page_app(page: str, user, *, lang: str = "da", timeout: float = 30) -> AppTest:
    """One page file run on its own, as if its URL had been typed directly."""
    at = AppTest.from_file(str(CONSOLE / "pages" / page), default_timeout=timeout)
    if user is not None:
        sign_in(at, user)
    at.session_state["lang"] = lang
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text, to search in."""
    parts = [el.value for el in at.title] + [el.value for el in at.header] + [el.value for el in at.subheader]
    parts += [el.value for el in at.markdown] + [el.value for el in at.caption]
    parts += [el.value for el in at.info] + [el.value for el in at.error] + [el.value for el in at.warning]
    parts += [el.value for el in at.success]
    return "\n".join(str(p) for p in parts)


def open_script(at: AppTest) -> AppTest:
    """Open every section of the call script, as an advisor can: only open sections draw their blocks
    (console/components/script_view.py). Takes effect on the next run."""
    from advisory.vocab import codes
    from console.call_form import key

    at.session_state[key("sections_wanted")] = [section for section in codes("section") if section != "safety"]
    return at
