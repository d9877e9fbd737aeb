"""The administrator's data-protection tabs: retention purge, the audit log, and a member's data
(access export and erasure on request). Every action is audited by the repository it calls."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path

import streamlit as st

from advisory import access
from console import guard
from console.components import tables
from console.i18n import audit_action, audit_object, fmt_date, fmt_number, label, t, tn
from services import accounts, exports, privacy
from services.accounts import StaffUser
from services.privacy import MemberQuery
from settings import get_settings

FLASH_KEY = "admin_privacy_flash"
MEMBER_QUERY_KEY = "admin_member_query"
ACCESS_FILE_KEY = "admin_member_access_file"
AUDIT_PAGE_SIZE = 50


def show_flash() -> None:
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash)


@guard.action(access.administers)
def _purge(admin: StaffUser, days: int) -> None:
    # A button callback: it runs before the rerun, so it may untick the confirmation.
    report = privacy.run_purge(retention_days=days, actor=admin)
    st.session_state["admin_purge_confirm"] = False
    st.session_state[FLASH_KEY] = t("admin_privacy.purge_done", calls=fmt_number(report.calls),
                                    drafts=fmt_number(report.drafts))


@guard.action(access.administers)
def _erase(admin: StaffUser, query: MemberQuery) -> None:
    counts = privacy.erase(query, actor=admin)
    st.session_state.pop(ACCESS_FILE_KEY, None)  # its file went with every other prepared export
    st.session_state["admin_member_erase_confirm"] = False
    st.session_state[FLASH_KEY] = t("admin_privacy.erased", calls=fmt_number(counts.calls),
                                    drafts=fmt_number(counts.drafts))


def _forget_access_file() -> None:
    if previous := st.session_state.pop(ACCESS_FILE_KEY, None):
        Path(previous).unlink(missing_ok=True)


def _access_downloaded() -> None:
    st.session_state.pop(ACCESS_FILE_KEY, None)  # the download took the file with it


def retention_tab(admin: StaffUser) -> None:
    days = get_settings().RETENTION_DAYS
    preview = privacy.preview_purge(retention_days=days)
    runs = privacy.last_purges()
    st.write(t("admin_privacy.retention_intro", days=days))
    st.caption(t("admin_privacy.cutoff", date=fmt_date(preview.cutoff)))
    for column, (key, value) in zip(st.columns(4), (("pending_calls", preview.calls),
                                                    ("pending_referrals", preview.referrals),
                                                    ("pending_follow_ups", preview.follow_ups),
                                                    ("pending_drafts", preview.drafts)), strict=True):
        column.metric(t(f"admin_privacy.{key}"), fmt_number(value))
    confirmed = st.checkbox(t("admin_privacy.purge_confirm"), key="admin_purge_confirm")
    st.button(t("admin_privacy.purge_run"), key="admin_purge_run", disabled=not confirmed, type="primary",
              on_click=_purge, args=(days,))
    st.subheader(t("admin_privacy.last_runs"))
    if not runs:
        st.caption(t("admin_privacy.no_runs"))
        return
    tables.show([{t("admin_privacy.col_at"): run["at"],
                  t("admin_privacy.col_who"): run["actor_name"] or t("admin_privacy.by_cli"),
                  t("admin_privacy.col_calls"): run["detail"].get("calls", 0),
                  t("admin_privacy.col_detail"): json.dumps(run["detail"], ensure_ascii=False)}
                 for run in runs], key="admin_purge_runs")


def audit_tab() -> None:
    actions = privacy.audit_actions()
    staff = {u["id"]: u["display_name"] for u in accounts.list_users()}
    first = st.columns(4)
    # Named now: Streamlit may call format_func outside the page's run (and its language).
    named: dict[str | None, str] = {None: t("admin_privacy.all"), **{a: audit_action(a) for a in actions}}
    action = first[0].selectbox(t("admin_privacy.audit_action"), list(named), key="admin_audit_action",
                                format_func=named.__getitem__,
                                placeholder=t("common.choose"))
    actor = first[1].selectbox(t("admin_privacy.audit_actor"), [None, *staff], key="admin_audit_actor",
                               format_func=lambda i: t("admin_privacy.all") if i is None else staff[i],
                               placeholder=t("common.choose"))
    object_id = first[2].text_input(t("admin_privacy.audit_object_id"), key="admin_audit_object_id").strip()
    since = first[3].date_input(t("admin_privacy.audit_since"), value=None, format="DD.MM.YYYY",
                                key="admin_audit_since")
    page = st.session_state.get("admin_audit_page", 1)
    events, total = privacy.audit_events(action=action, actor_id=actor, object_id=object_id, since=since,
                                         limit=AUDIT_PAGE_SIZE, offset=(page - 1) * AUDIT_PAGE_SIZE)
    pages = max(1, math.ceil(total / AUDIT_PAGE_SIZE))
    st.caption(tn("admin_privacy.audit_total", total))
    tables.show([{t("admin_privacy.col_at"): e["at"],
                  t("admin_privacy.col_who"): e["actor_name"] or staff.get(e["actor_id"], ""),
                  t("admin_privacy.col_action"): audit_action(e["action"]),
                  t("admin_privacy.col_object"): audit_object(e["object_type"], e["object_id"]),
                  t("admin_privacy.col_detail"): json.dumps(e["detail"], ensure_ascii=False)}
                 for e in events], key="admin_audit_table")
    if st.session_state.get("admin_audit_page", 1) > pages:
        st.session_state["admin_audit_page"] = pages
    st.number_input(t("admin_privacy.audit_page"), min_value=1, max_value=pages, step=1, key="admin_audit_page")


def member_tab(admin: StaffUser) -> None:
    st.write(t("admin_privacy.member_intro"))
    with st.form("admin_member_find"):
        first = st.columns(3)
        number = first[0].text_input(t("admin_privacy.member_number"), key="admin_member_number")
        phone = first[1].text_input(t("admin_privacy.phone"), key="admin_member_phone")
        email = first[2].text_input(t("admin_privacy.email"), key="admin_member_email")
        if st.form_submit_button(t("admin_privacy.find")):
            query = MemberQuery(member_number=number, phone=phone, email=email)
            _forget_access_file()
            if query.is_empty():
                st.session_state.pop(MEMBER_QUERY_KEY, None)
                st.warning(t("admin_privacy.need_one"))
            else:
                st.session_state[MEMBER_QUERY_KEY] = asdict(query)
    if MEMBER_QUERY_KEY not in st.session_state:
        return
    query = MemberQuery(**st.session_state[MEMBER_QUERY_KEY])
    calls = privacy.member_calls(query, viewer=admin)
    if not calls:
        st.info(t("admin_privacy.none_found"))
        return
    st.caption(tn("admin_privacy.found", len(calls)))
    tables.show([{
        t("admin_privacy.col_call"): c["id"], t("admin_privacy.col_started"): c["started_at"],
        t("admin_privacy.col_advisor"): c["advisor_name"], t("admin_privacy.col_group"): label("group", c["group_id"]),
        t("admin_privacy.col_member_number"): c["member_number"] or "", t("admin_privacy.col_name"): c["caller_name"] or "",
        t("admin_privacy.col_phone"): c["phone"] or "", t("admin_privacy.col_email"): c["email"] or "",
        t("admin_privacy.col_anonymised"): c["anonymised_at"],
    } for c in calls], key="admin_member_calls")

    st.subheader(t("admin_privacy.access_title"))
    if st.button(t("admin_privacy.access_prepare"), key="admin_member_access_prepare") and (
            actor := guard.check(access.administers)):
        _forget_access_file()
        path = privacy.prepare_access_file(query, actor=actor)
        st.session_state[ACCESS_FILE_KEY] = str(path)
    prepared = st.session_state.get(ACCESS_FILE_KEY)
    if prepared and Path(prepared).exists():
        st.success(t("admin_privacy.access_ready", minutes=exports.EXPORT_MAX_AGE_SECONDS // 60))
        # A callable: the file is read (and deleted) only when the button is clicked.
        st.download_button(t("admin_privacy.access_download"), data=lambda: exports.take_prepared(Path(prepared)),
                           file_name="indsigt.json", mime="application/json", key="admin_member_access_download",
                           on_click=_access_downloaded)

    st.subheader(t("admin_privacy.erase_title"))
    confirmed = st.checkbox(t("admin_privacy.erase_confirm"), key="admin_member_erase_confirm")
    st.button(t("admin_privacy.erase_run"), key="admin_member_erase", disabled=not confirmed, type="primary",
              on_click=_erase, args=(query,))
