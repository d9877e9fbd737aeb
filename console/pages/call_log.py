"""Call log: calls newest first, filtered and paged in SQL, with the total; a call's detail; exports.

Advisors see their own calls, supervisors and admins all (the repository enforces it as well).
"""

import math

import streamlit as st

from advisory import access
from advisory.vocab import codes
from console import auth
from console.components import call_detail, call_log_export, tables
from console.i18n import fmt_datetime, joined, label, labeller, t, tn
from services import call_log
from services.call_log import ANY_RED_FLAG, FOLLOW_UP_FILTERS, NO_RED_FLAG, PAGE_SIZE, CallFilters

viewer = auth.require(access.takes_calls)
supervisor = access.sees_all_calls(viewer)
st.title(t("nav.call_log"))


def _red_flag_choice(value: str | None) -> str:
    if value is None:
        return t("call_log.all")
    if value in (ANY_RED_FLAG, NO_RED_FLAG):
        return t(f"call_log.red_flag_choice.{value}")
    return label("disposition", value)


def _filters() -> CallFilters:
    with st.expander(t("call_log.filters"), expanded=True):
        first = st.columns(4)
        date_from = first[0].date_input(t("call_log.date_from"), value=None, format="DD.MM.YYYY",
                                        key="call_log_date_from")
        date_to = first[1].date_input(t("call_log.date_to"), value=None, format="DD.MM.YYYY", key="call_log_date_to")
        advisor_id = None
        if supervisor:
            advisors = dict(call_log.advisor_choices(date_from, date_to))
            advisor_id = first[2].selectbox(t("call_log.advisor"), [None, *advisors], key="call_log_advisor",
                                            format_func=lambda i: t("call_log.all") if i is None else advisors[i],
                                            placeholder=t("common.choose"))
        else:
            first[2].caption(t("call_log.own_calls_only"))
        text = first[3].text_input(t("call_log.text"), key="call_log_text")
        second = st.columns(4)
        groups = second[0].multiselect(t("call_log.groups"), codes("group"), format_func=labeller("group"),
                                       key="call_log_groups", placeholder=t("call_log.all"), select_all=False)
        topics = second[1].multiselect(t("call_log.topics"), codes("topic"), format_func=labeller("topic"),
                                       key="call_log_topics", placeholder=t("call_log.all"), select_all=False)
        outcomes = second[2].multiselect(t("call_log.outcomes"), codes("outcome"), format_func=labeller("outcome"),
                                         key="call_log_outcomes", placeholder=t("call_log.all"), select_all=False)
        red_flag = second[3].selectbox(
            t("call_log.red_flag"), [None, ANY_RED_FLAG, NO_RED_FLAG, *codes("disposition")], key="call_log_red_flag",
            format_func=_red_flag_choice, placeholder=t("common.choose"))
        third = st.columns(4)
        follow_up = third[0].selectbox(
            t("call_log.follow_up"), [None, *FOLLOW_UP_FILTERS], key="call_log_follow_up",
            format_func=lambda v: t("call_log.all") if v is None else t(f"call_log.follow_up_choice.{v}"),
            placeholder=t("common.choose"))
        has_referral = third[1].selectbox(
            t("call_log.has_referral"), [None, True, False], key="call_log_has_referral",
            format_func=lambda v: t("call_log.all") if v is None else t("common.yes") if v else t("common.no"),
            placeholder=t("common.choose"))
    return CallFilters(date_from=date_from, date_to=date_to, advisor_id=advisor_id, group_ids=tuple(groups),
                       topics=tuple(topics), outcomes=tuple(outcomes), red_flag=red_flag, follow_up=follow_up,
                       has_referral=has_referral, text=text)


def _table(rows: list[call_log.CallRow]) -> None:
    clicked = tables.show([
        {
            t("call_log.col_id"): row.id,
            t("call_log.col_started"): row.started_at,
            **({t("call_log.col_advisor"): row.advisor_name} if supervisor else {}),
            t("call_log.col_caller"): label("caller_role", row.caller_role),
            t("call_log.col_group"): label("group", row.group_id),
            t("call_log.col_topics"): joined("topic", row.topics),
            t("call_log.col_red_flag"): label("disposition", row.disposition),
            t("call_log.col_outcome"): label("outcome", row.outcome),
            t("call_log.col_minutes"): round(row.duration_seconds / 60),
            t("call_log.col_follow_up"): row.open_follow_up,
            t("call_log.col_referral"): row.has_referral,
            t("call_log.col_notes"): t("call_log.anonymised") if row.anonymised else row.notes[:80],
        }
        for row in rows
    ], key="call_log_table", selectable=True)
    if clicked is not None and clicked < len(rows):  # a click on a row opens that call, as the select box does
        st.session_state["call_log_open"] = rows[clicked].id
        _open_chosen()


def _open_chosen() -> None:
    chosen = st.session_state.get("call_log_open")
    if chosen is None:
        st.query_params.pop("call", None)
    else:
        st.query_params["call"] = str(chosen)


def _close() -> None:
    st.query_params.pop("call", None)
    st.session_state["call_log_open"] = None
    st.session_state.pop(call_detail.AUDITED_KEY, None)  # opening it again is a new viewing


def _opened_call() -> int | None:
    raw = st.query_params.get("call", "")
    return int(raw) if raw.isdigit() else None


filters = _filters()
total = call_log.count_calls(filters, viewer)
pages = max(1, math.ceil(total / PAGE_SIZE))
if st.session_state.get("call_log_page", 1) > pages:
    st.session_state["call_log_page"] = pages  # the filters narrowed: stay on a page that exists
page = st.number_input(t("call_log.page"), min_value=1, max_value=pages, step=1, key="call_log_page")
rows = call_log.list_calls(filters, viewer, offset=(page - 1) * PAGE_SIZE)
st.caption(f"{tn('call_log.total', total)} · {t('call_log.page_of', page=page, pages=pages)}")
if rows:
    _table(rows)
else:
    st.info(t("call_log.no_calls"))

by_id = {row.id: row for row in rows}
st.selectbox(t("call_log.open_call"), [None, *by_id], key="call_log_open", on_change=_open_chosen,
             format_func=lambda i: t("call_log.choose_call") if i is None else
             f"{i} · {fmt_datetime(by_id[i].started_at)} · {label('group', by_id[i].group_id)}",
             placeholder=t("common.choose"))
if (opened := _opened_call()) is not None:
    st.button(t("call_log.close_call"), key="call_log_close", on_click=_close)
    call_detail.show(opened, viewer)

if supervisor:
    call_log_export.render(filters, viewer)
