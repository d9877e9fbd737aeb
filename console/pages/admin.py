"""Administration: staff accounts (list, create, deactivate, change role), retention, the audit log and
members' data (access export, erasure on request)."""

import streamlit as st
from pydantic import ValidationError

from advisory import access
from console import auth, guard
from console.components import admin_privacy, tables
from console.i18n import label, labeller, t
from console.markdown import plain
from db.models import MIN_PASSWORD_LENGTH, Role, UserCreate
from services import accounts

NEW_USER_FIELDS = ("admin_new_username", "admin_new_display_name", "admin_new_role", "admin_new_password")
CREATED = "admin_user_created"
CONFIRM_DEACTIVATE = "admin_confirm_deactivate_id"  # the user whose deactivation waits for the second click

admin = auth.require(access.administers)
st.title(t("nav.admin"))

admin_privacy.show_flash()
tab_users, tab_retention, tab_audit, tab_member = st.tabs(
    [t("admin.tab_users"), t("admin_privacy.tab_retention"), t("admin_privacy.tab_audit"),
     t("admin_privacy.tab_member_data")])

with tab_users:
    staff = accounts.list_users()
    clicked = tables.show([
        {
            t("users.username"): u["username"],
            t("users.display_name"): u["display_name"],
            t("users.role"): label("role", u["role"]),
            t("users.active"): u["active"],
            t("users.last_login"): u["last_login_at"],
        }
        for u in staff
    ], key="admin_users_table", selectable=True)
    if clicked is not None and clicked < len(staff):  # a click on a row picks the user, as the select box does
        st.session_state["admin_user_pick"] = f"{staff[clicked]['display_name']} ({staff[clicked]['username']})"

    st.subheader(t("admin.change_user"))
    by_label = {f"{u['display_name']} ({u['username']})": u for u in staff}
    picked = st.selectbox(t("users.user"), list(by_label), key="admin_user_pick", placeholder=t("common.choose"))
    chosen = by_label[picked]
    roles = [r.value for r in Role]
    col_role, col_active = st.columns(2)
    with col_role:
        new_role = st.selectbox(t("users.role"), roles, index=roles.index(chosen["role"]),
                                format_func=labeller("role"), key="admin_user_role", placeholder=t("common.choose"))
        if st.button(t("admin.save_role"), key="admin_save_role") and (actor := guard.check(access.administers)):
            change = accounts.change_role(user_id=chosen["id"], role=new_role, actor=actor)
            if change.refused:
                st.error(t(f"admin.{change.refused}"))
            else:
                st.success(t("admin.saved"))
                st.rerun()
    with col_active:
        # Deactivating ends the person's sessions at once: it takes a second, explicit click.
        toggle_label = t("admin.deactivate") if chosen["active"] else t("admin.activate")
        if st.button(toggle_label, key="admin_toggle_active") and (actor := guard.check(access.administers)):
            if chosen["id"] == actor.id:
                st.error(t("admin.cannot_deactivate_self"))
            elif chosen["active"]:
                st.session_state[CONFIRM_DEACTIVATE] = chosen["id"]
            else:
                accounts.set_active(user_id=chosen["id"], active=True, actor=actor)
                st.rerun()
        if chosen["active"] and st.session_state.get(CONFIRM_DEACTIVATE) == chosen["id"]:
            st.warning(t("admin.confirm_deactivate", name=plain(chosen["display_name"])))
            confirm, cancel = st.columns(2)
            if confirm.button(t("admin.confirm_deactivate_yes"), key="admin_confirm_deactivate", type="primary") \
                    and (actor := guard.check(access.administers)):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                change = accounts.set_active(user_id=chosen["id"], active=False, actor=actor)
                if change.refused:
                    st.error(t(f"admin.{change.refused}"))
                else:
                    st.rerun()
            if cancel.button(t("common.cancel"), key="admin_cancel_deactivate"):
                st.session_state.pop(CONFIRM_DEACTIVATE, None)
                st.rerun()

    st.subheader(t("admin.create_user"))
    if created := st.session_state.pop(CREATED, None):
        st.success(t("admin.user_created", username=plain(created)))
    # The form keeps what was typed while something is wrong, and is emptied once the user exists (the
    # password must not linger on screen).
    with st.form("admin_create_user", clear_on_submit=False):
        username = st.text_input(t("users.username"), key="admin_new_username")
        display_name = st.text_input(t("users.display_name"), key="admin_new_display_name")
        role = st.selectbox(t("users.role"), roles, format_func=labeller("role"), key="admin_new_role",
                            placeholder=t("common.choose"))
        password = st.text_input(t("login.password"), type="password", key="admin_new_password",
                                 help=t("first_run.password_rule", n=MIN_PASSWORD_LENGTH))
        create = st.form_submit_button(t("admin.create"), type="primary")
    if create and (actor := guard.check(access.administers)):
        try:
            data = UserCreate.model_validate({"username": username.strip(), "role": role, "password": password,
                                              "display_name": display_name.strip() or username.strip()})
        except ValidationError as exc:
            for message in auth.user_errors(exc):
                st.error(message)
        else:
            try:
                accounts.create_user(data, actor=actor)
            except accounts.UsernameTaken:
                st.error(t("users.username_taken"))
            else:
                for key in NEW_USER_FIELDS:
                    st.session_state.pop(key, None)
                st.session_state[CREATED] = data.username
                st.rerun()

with tab_retention:
    admin_privacy.retention_tab(admin)
with tab_audit:
    admin_privacy.audit_tab()
with tab_member:
    admin_privacy.member_tab(admin)
