"""First run: no staff account exists yet, so create the first administrator (exactly one, however many
submit the form at once: db/repositories/users.py create_first_admin)."""

import streamlit as st
from pydantic import ValidationError

from console import auth
from console.i18n import t
from db.models import MIN_PASSWORD_LENGTH, Role, UserCreate
from services import accounts

st.title(t("first_run.title"))
st.write(t("first_run.intro"))

with st.form("first_run_form"):
    username = st.text_input(t("login.username"), key="first_run_username")
    display_name = st.text_input(t("first_run.display_name"), key="first_run_display_name")
    password = st.text_input(t("login.password"), type="password", key="first_run_password",
                             help=t("first_run.password_rule", n=MIN_PASSWORD_LENGTH))
    repeat = st.text_input(t("first_run.repeat_password"), type="password", key="first_run_repeat")
    submitted = st.form_submit_button(t("first_run.submit"), type="primary")

if submitted:
    if password != repeat:
        st.error(t("first_run.passwords_differ"))
        st.stop()
    try:
        data = UserCreate(username=username.strip(), display_name=display_name.strip() or username.strip(),
                          role=Role.admin, password=password)
    except ValidationError as exc:
        for message in auth.user_errors(exc):
            st.error(message)
        st.stop()
    try:
        created = accounts.create_first_admin(data)
    except accounts.FirstRunDone:
        st.error(t("first_run.already_done"))
        st.stop()
    auth.log_in(created)
    st.rerun()
