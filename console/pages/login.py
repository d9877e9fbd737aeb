"""Log in. Failed attempts count in the database; five in a row lock the account for 15 minutes.

Every failure gets the same message, whether the username exists, is deactivated or locked, so the page
does not tell an outsider which usernames are accounts (db/repositories/users.py: authenticate).
"""

import streamlit as st

from console import auth
from console.i18n import t
from services import accounts
from services.accounts import LoginOutcome

st.title(t("login.title"))
st.caption(t("app.tagline"))
reason = st.session_state.pop("logout_reason", None)
if reason == "idle":
    st.info(t("login.idle_logged_out"))
elif reason in ("inactive", "revoked", "logout", "password", "expired", "missing"):
    st.info(t("login.session_ended"))

if st.session_state.get(auth.SSO_DENIED):
    st.error(t("login.sso_no_access"))
    if st.button(t("login.sso_sign_out"), key="login_sso_sign_out"):
        st.session_state.pop(auth.SSO_DENIED, None)
        st.logout()
elif auth.sso_configured():
    auth.remember_return_address()  # the provider's callback lands on the start page; come back here
    if st.button(t("login.sso"), key="login_sso", type="primary", icon=":material/badge:"):
        st.login()
    st.caption(t("login.sso_or_password"))

with st.form("login_form"):
    username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
    # Without the hints a password manager takes the form for a sign-up (Streamlit marks a password field
    # "new-password") and offers to generate one instead of filling the saved one.
    password = st.text_input(t("login.password"), type="password", key="login_password",
                             autocomplete="current-password")
    submitted = st.form_submit_button(t("login.submit"), type="primary")

if submitted:
    result = accounts.authenticate(username=username, password=password, address=auth.client_address())
    if result.outcome is LoginOutcome.ok and result.user is not None:
        auth.log_in(result.user)
        st.rerun()
    st.error(t("login.error"))
