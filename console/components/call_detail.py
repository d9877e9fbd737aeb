"""One call in full (opened from the call log): what was said and done, its follow-ups, referrals and
audit trail, and the edits allowed after the call. Opening it is audited once per opening, not on
every rerun. Everything a person typed is shown with st.text or in tables: never as Markdown."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import streamlit as st

from advisory import access
from advisory.formatting import local_today
from advisory.vocab import codes
from console import guard
from console.i18n import current_language, fmt_date, fmt_datetime, joined, label, labeller, t
from db.engine import session_scope
from db.repositories import call_log, follow_ups
from db.repositories.call_log import CallAnonymised, CallDetail, CallNotFound
from db.repositories.users import StaffUser

OUTCOMES = codes("outcome")
AUDITED_KEY = "call_detail_audited"
FLASH_KEY = "call_detail_flash"


def show(call_id: int, viewer: StaffUser) -> None:
    audit_view = st.session_state.get(AUDITED_KEY) != call_id
    try:
        with session_scope() as session:
            detail = call_log.get_call_detail(session, call_id=call_id, viewer=viewer, audit_view=audit_view)
    except CallNotFound:
        st.error(t("call_log.not_found"))
        return
    st.session_state[AUDITED_KEY] = call_id
    st.subheader(t("call_detail.title", id=detail.id))
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash)
    _summary(detail)
    _contact(detail)
    with st.expander(t("call_detail.profile")):
        st.json(detail.profile)
    _said(detail)
    st.markdown(f"**{t('call_detail.notes')}**")
    st.text(detail.notes or t("call_detail.no_notes"))
    _follow_ups(detail)
    _referrals(detail)
    _edit(detail, viewer)
    _add_follow_up(detail, viewer)
    with st.expander(t("call_detail.audit")):
        _table([{t("call_detail.col_at"): fmt_datetime(e["at"]), t("call_detail.col_who"): e["actor_name"],
                 t("call_detail.col_action"): e["action"],
                 t("call_detail.col_detail"): json.dumps(e["detail"], ensure_ascii=False)}
                for e in detail.audit_trail], key="call_detail_audit_table")


def _summary(detail: CallDetail) -> None:
    facts = {
        t("call_detail.started"): fmt_datetime(detail.started_at),
        t("call_detail.duration"): t("call_detail.minutes", n=round(detail.duration_seconds / 60)),
        t("call_detail.advisor"): detail.advisor_name,
        t("call_detail.caller_role"): label("caller_role", detail.caller_role),
        t("call_detail.group"): label("group", detail.group_id),
        t("call_detail.flags"): joined("flag", detail.flags),
        t("call_detail.topics"): joined("topic", detail.topics),
        t("call_detail.red_flag"): label("disposition", detail.disposition) or t("call_detail.no_red_flag"),
        t("call_detail.outcome"): label("outcome", detail.outcome),
    }
    st.dataframe(pd.DataFrame({"": list(facts), " ": list(facts.values())}), hide_index=True,
                 key="call_detail_summary")


def _contact(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.contact')}**")
    if detail.anonymised_at is not None:
        st.info(t("call_detail.anonymised", at=fmt_datetime(detail.anonymised_at)))
        return
    if not detail.contact_consent:
        st.caption(t("call_detail.no_consent"))
        return
    st.caption(t("call_detail.consent_at", at=fmt_datetime(detail.contact_consent_at)))
    for field in ("caller_name", "member_number", "phone", "email"):
        if value := getattr(detail, field):
            st.text(f"{t(f'call_detail.{field}')}: {value}")


def _said(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.blocks')}**")
    st.caption(t("call_detail.content_version", version=detail.content_version or "–"))
    if detail.delivered_blocks:
        _table([{t("call_detail.col_block"): block, t("call_detail.col_version"): detail.content_version}
                for block in detail.delivered_blocks], key="call_detail_blocks")
    else:
        st.caption(t("call_detail.no_blocks"))
    st.markdown(f"**{t('call_detail.library')}**")
    if detail.library_slugs:
        lang = current_language()
        _table([{t("call_detail.col_title"): detail.library_titles.get(slug, {}).get(lang, ""),
                 t("call_detail.col_slug"): slug} for slug in detail.library_slugs], key="call_detail_library")
    else:
        st.caption(t("call_detail.no_library"))


def _follow_ups(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.follow_ups')}**")
    if not detail.follow_ups:
        st.caption(t("call_detail.no_follow_ups"))
        return
    _table([{t("call_detail.col_due"): fmt_date(f["due_on"]), t("call_detail.col_assignee"): f["assignee_name"],
             t("call_detail.col_reason"): f["reason"], t("call_detail.col_status"): t(f"follow_ups.status_{f['status']}"),
             t("call_detail.col_note"): f["closing_note"]} for f in detail.follow_ups], key="call_detail_follow_ups")


def _referrals(detail: CallDetail) -> None:
    st.markdown(f"**{t('call_detail.referrals')}**")
    if not detail.referrals:
        st.caption(t("call_detail.no_referrals"))
        return
    _table([{t("call_detail.col_channel"): r["channel"], t("call_detail.col_recipient"): r["recipient"],
             t("call_detail.col_subject"): r["subject"], t("call_detail.col_status"): r["status"],
             t("call_detail.col_created"): fmt_datetime(r["created_at"]),
             t("call_detail.col_sent"): fmt_datetime(r["sent_at"])} for r in detail.referrals],
           key="call_detail_referrals")


def _edit(detail: CallDetail, viewer: StaffUser) -> None:
    with st.form(f"call_detail_edit_{detail.id}"):
        st.markdown(f"**{t('call_detail.edit')}**")
        locked = detail.anonymised_at is not None
        notes = st.text_area(t("call_detail.edit_notes"), value=detail.notes, disabled=locked,
                             key=f"call_detail_notes_{detail.id}", help=t("call_detail.notes_locked") if locked else None)
        outcome = st.selectbox(t("call_detail.edit_outcome"), OUTCOMES, index=OUTCOMES.index(detail.outcome)
                               if detail.outcome in OUTCOMES else 0, format_func=labeller("outcome"),
                               key=f"call_detail_outcome_{detail.id}")
        if not st.form_submit_button(t("call_detail.save")) or guard.check(access.takes_calls) is None:
            return
    try:
        with session_scope() as session:
            changed = call_log.update_call(session, call_id=detail.id, viewer=viewer,
                                           notes=None if locked else notes, outcome=outcome)
    except CallAnonymised:
        st.error(t("call_detail.notes_locked"))
        return
    st.session_state[FLASH_KEY] = t("call_detail.saved") if changed else t("call_detail.nothing_changed")
    st.rerun()


def _add_follow_up(detail: CallDetail, viewer: StaffUser) -> None:
    with session_scope() as session:
        staff = follow_ups.assignee_choices(session)
    names = dict(staff)
    with st.form(f"call_detail_add_follow_up_{detail.id}"):
        st.markdown(f"**{t('call_detail.add_follow_up')}**")
        due = st.date_input(t("call_detail.due_on"), value=local_today() + timedelta(weeks=2),
                            format="DD.MM.YYYY", key=f"call_detail_fu_due_{detail.id}")
        assignee = st.selectbox(t("call_detail.assignee"), list(names), format_func=names.get,
                                index=list(names).index(viewer.id) if viewer.id in names else 0,
                                key=f"call_detail_fu_assignee_{detail.id}")
        reason = st.text_input(t("call_detail.reason"), key=f"call_detail_fu_reason_{detail.id}")
        if not st.form_submit_button(t("call_detail.add")) or guard.check(access.takes_calls) is None:
            return
    with session_scope() as session:
        follow_ups.add(session, call_id=detail.id, due_on=due, assignee_id=assignee, reason=reason, actor=viewer)
    st.session_state[FLASH_KEY] = t("call_detail.follow_up_added")
    st.rerun()


def _table(rows: list[dict], *, key: str) -> None:
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=key)
