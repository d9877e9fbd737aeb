"""The console's entry point: it only routes (st.navigation per role). Pages live in console/pages/."""

from __future__ import annotations

import streamlit as st

from console import auth
from console.i18n import LANGUAGES, current_language, t
from db.bootstrap import prepare_database
from db.engine import session_scope
from db.repositories import users
from db.settings import get_settings

st.set_page_config(page_title="Rådgivningskonsol", page_icon="☎️", layout="wide")


@st.cache_resource(show_spinner=False)
def _database_ready(database_url: str) -> bool:
    prepare_database(database_url)
    return True


_database_ready(get_settings().DATABASE_URL)
auth.enforce_idle_timeout()
current_language()

st.sidebar.selectbox(
    t("app.language"),
    LANGUAGES,
    key="lang",
    format_func=lambda code: {"da": "Dansk", "en": "English"}[code],
)

user = auth.current_user()
if user is None:
    with session_scope() as session:
        first_run = users.count_users(session) == 0
    page = "pages/first_run.py" if first_run else "pages/login.py"
    navigation = st.navigation([st.Page(page, title=t("login.title"), url_path="login", default=True)],
                               position="hidden")
else:
    PAGES = [
        ("pages/call.py", "nav.call", "📞", auth.ALL_ROLES),
        ("pages/library.py", "nav.library", "📚", auth.ALL_ROLES),
        ("pages/call_log.py", "nav.call_log", "🗂️", auth.ALL_ROLES),
        ("pages/follow_ups.py", "nav.follow_ups", "⏰", auth.ALL_ROLES),
        ("pages/referrals.py", "nav.referrals", "✉️", auth.ALL_ROLES),
        ("pages/statistics.py", "nav.statistics", "📊", auth.SUPERVISORS),
        ("pages/admin.py", "nav.admin", "🔧", auth.ADMINS),
    ]
    allowed = [
        st.Page(path, title=t(title), icon=icon, url_path=path.removeprefix("pages/").removesuffix(".py"),
                default=index == 0)
        for index, (path, title, icon, roles) in enumerate(PAGES)
        if user.role in roles
    ]
    navigation = st.navigation(allowed)
    st.sidebar.caption(t("app.signed_in_as", name=user.display_name, role=t(f"roles.{user.role}")))
    if st.sidebar.button(t("app.log_out"), key="app_logout"):
        auth.log_out()
        st.rerun()

navigation.run()
