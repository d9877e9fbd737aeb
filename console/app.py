"""The console's entry point: it only routes (st.navigation per role). Pages live in console/pages/.

Every page's address is known whether or not the user may open it, so a reload, a bookmark or an opened
link never meets Streamlit's "Page not found": logged out, every address shows the login and then the
page asked for (with its query, e.g. `/call_log?call=123`); logged in, an address the role may not open
shows "Ingen adgang". An address that names no page at all (a typo) gets a hidden page of its own, which
says so in the user's language (console/chrome.py).
"""

from __future__ import annotations

import streamlit as st

from advisory.labels import label as vocabulary_label
from console import auth, chrome, clock, guard
from console.i18n import LANGUAGES, current_language, label, t
from console.markdown import plain
from console.navigation import PAGES, pages_for
from db.bootstrap import prepare_database
from services import accounts
from settings import get_settings

st.set_page_config(page_title="Rådgivningskonsol", page_icon=":material/call:", layout="wide")


@st.cache_resource(show_spinner=False)
def _database_ready(database_url: str) -> bool:
    prepare_database(database_url)
    return True


def _to_default_page() -> None:
    st.switch_page(navigation_pages[0])


def _not_found() -> None:
    chrome.not_found(navigation_pages[0])


_database_ready(get_settings().DATABASE_URL)
current_language()
chrome.style()
auth.resume_from_cookie()
auth.resume_from_identity_provider()

st.sidebar.selectbox(
    t("app.language"),
    LANGUAGES,
    key="lang",
    format_func=lambda code: vocabulary_label("language", code, code),
    placeholder=t("common.choose"),
)

user = guard.verified_user()
auth.sync_cookie()
unknown = chrome.requested_page_name({spec.url_path for spec in PAGES} | {"login"})
if user is None:
    first_run = not accounts.any_users()
    entry = "pages/first_run.py" if first_run else "pages/login.py"
    # Each page's address leads to the login too; after it the same address opens the page itself.
    navigation_pages = [st.Page(entry, title=t("login.title"), url_path="login", default=True)] + [
        st.Page(entry, title=t(spec.title_key), url_path=spec.url_path, visibility="hidden") for spec in PAGES]
    if unknown:
        navigation_pages.append(st.Page(entry, title=t("login.title"), url_path=unknown, visibility="hidden"))
    navigation = st.navigation(navigation_pages, position="hidden")
else:
    allowed = [spec.url_path for spec in pages_for(user)]
    navigation_pages = [
        st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path,
                default=spec.url_path == allowed[0])
        if spec.url_path in allowed else
        st.Page(auth.no_access, title=t(spec.title_key), url_path=spec.url_path, visibility="hidden")
        for spec in PAGES
    ]
    navigation_pages.sort(key=lambda page: page.visibility != "visible")
    navigation_pages.append(st.Page(_to_default_page, title=t("login.title"), url_path="login", visibility="hidden"))
    if unknown:
        navigation_pages.append(st.Page(_not_found, title=t("app.not_found_title"), url_path=unknown,
                                        visibility="hidden"))
    navigation = st.navigation(navigation_pages)
    st.sidebar.caption(t("app.signed_in_as", name=plain(user.display_name), role=label("role", user.role)))
    if st.sidebar.button(t("app.log_out"), key="app_logout"):
        auth.log_out()
        if auth.sign_out_of_identity_provider():
            st.stop()  # a rerun now could overtake the redirect st.logout has asked the browser for
        st.rerun()
    with st.sidebar:
        clock.idle_watch()  # the one timer (console/clock.py)

navigation.run()
