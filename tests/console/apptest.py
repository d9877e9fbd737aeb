"""Helpers for AppTest page tests: the console wired to a fresh SQLite file, users, logging in."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from db.engine import get_engine, session_scope
from db.models import UserCreate
from db.repositories import users

CONSOLE = Path(__file__).resolve().parents[2] / "console"
APP = str(CONSOLE / "app.py")
PASSWORD = "korrekt-hest-batteri"


def keep_router_in_charge() -> None:
    """Make AppTest run console/app.py (the st.navigation router) on every run, as the server does.

    Streamlit still detects the old "pages/ folder next to the main script" layout. The server forgets that
    detection for good once st.navigation has run; AppTest resets it before every run, so from the second
    run on it would execute console/pages/*.py directly, without the router. Pinning the flag to False
    after each PagesManager is built gives AppTest the server's behaviour.
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


def console_app(timeout: float = 30) -> AppTest:
    return AppTest.from_file(APP, default_timeout=timeout)


def logged_in_app(user, *, lang: str = "da", timeout: float = 30) -> AppTest:
    """The whole console (router and all) with `user` already logged in."""
    at = console_app(timeout)
    at.session_state["user"] = asdict(user)
    at.session_state["lang"] = lang
    return at


def page_app(page: str, user, *, lang: str = "da", timeout: float = 30) -> AppTest:
    """One page file run on its own, as if its URL had been typed directly."""
    at = AppTest.from_file(str(CONSOLE / "pages" / page), default_timeout=timeout)
    if user is not None:
        at.session_state["user"] = asdict(user)
    at.session_state["lang"] = lang
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text, to search in."""
    parts = [el.value for el in at.title] + [el.value for el in at.header] + [el.value for el in at.subheader]
    parts += [el.value for el in at.markdown] + [el.value for el in at.caption]
    parts += [el.value for el in at.info] + [el.value for el in at.error] + [el.value for el in at.warning]
    parts += [el.value for el in at.success]
    return "\n".join(str(p) for p in parts)
