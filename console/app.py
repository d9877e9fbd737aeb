"""The console's entry point: it only routes (st.navigation per role). Pages live in console/pages/."""

from __future__ import annotations

import streamlit as st

from advisory.labels import label as vocabulary_label
from console import auth
from console.i18n import LANGUAGES, current_language, label, t
from console.markdown import plain
from console.navigation import pages_for
from db.bootstrap import prepare_database
from db.engine import session_scope
from db.repositories import users
from settings import get_settings

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
    format_func=lambda code: vocabulary_label("language", code, code),
)

user = auth.current_user()
if user is None:
    with session_scope() as session:
        first_run = users.count_users(session) == 0
    page = "pages/first_run.py" if first_run else "pages/login.py"
    navigation = st.navigation([st.Page(page, title=t("login.title"), url_path="login", default=True)],
                               position="hidden")
else:
    allowed = [
        st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path, default=index == 0)
        for index, spec in enumerate(pages_for(user))
    ]
    navigation = st.navigation(allowed)
    st.sidebar.caption(t("app.signed_in_as", name=plain(user.display_name), role=label("role", user.role)))
    if st.sidebar.button(t("app.log_out"), key="app_logout"):
        auth.log_out()
        st.rerun()

navigation.run()
