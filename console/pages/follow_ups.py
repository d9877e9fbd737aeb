"""Follow-ups: overdue (highlighted), due today and upcoming; mine or (supervisors) everyone's.
Mark done with a note, reschedule, or give to a colleague."""

import streamlit as st

from advisory import access
from advisory.formatting import local_today
from console import auth
from console.components import follow_up_actions, tables
from console.i18n import fmt_date, fmt_datetime, fmt_number, label, t, tn
from services import follow_ups
from services.follow_ups import BUCKETS, FollowUpRow, Scope

SHOWN_PER_BUCKET = 100
OVERDUE_STYLE = "background-color: #fde0dc; color: #8a1c12"

viewer = auth.require(access.takes_calls)
st.title(t("nav.follow_ups"))
follow_up_actions.show_flash()

scope: Scope = "mine"
if access.sees_all_follow_ups(viewer):
    scopes: list[Scope] = ["mine", "all"]
    scope = st.radio(t("follow_ups.scope"), scopes, format_func=lambda s: t(f"follow_ups.scope_{s}"),
                     horizontal=True, key="follow_ups_scope") or "mine"
today = local_today()
counts, lists = follow_ups.open_lists(viewer, scope=scope, today=today, limit=SHOWN_PER_BUCKET)

for column, bucket in zip(st.columns(len(BUCKETS)), BUCKETS, strict=True):
    column.metric(t(f"follow_ups.{bucket}"), fmt_number(counts[bucket]))
if counts["overdue"]:
    st.error(tn("follow_ups.overdue_warning", counts["overdue"]))


def _rows(rows: list[FollowUpRow], *, closed: bool = False) -> list[dict]:
    return [
        {
            t("follow_ups.col_id"): row.id,
            t("follow_ups.col_due"): row.due_on,
            **({t("follow_ups.col_assignee"): row.assignee_name} if scope == "all" else {}),
            t("follow_ups.col_caller"): row.caller_name or "",
            t("follow_ups.col_phone"): row.phone or "",
            t("follow_ups.col_group"): label("group", row.group_id),
            t("follow_ups.col_reason"): row.reason,
            t("follow_ups.col_call"): f"{row.call_id} · {fmt_datetime(row.call_started_at)}",
            **({t("follow_ups.col_status"): t(f"follow_ups.status_{row.status}"),
                t("follow_ups.col_note"): row.closing_note} if closed else {}),
        }
        for row in rows
    ]


for bucket in BUCKETS:
    st.subheader(f"{t(f'follow_ups.{bucket}')} ({fmt_number(counts[bucket])})")
    rows = lists[bucket]
    if not rows:
        st.caption(t("follow_ups.nothing"))
        continue
    clicked = tables.show(_rows(rows), key=f"follow_ups_table_{bucket}", selectable=True,
                          row_style=OVERDUE_STYLE if bucket == "overdue" else None)
    if clicked is not None and clicked < len(rows):  # a click on a row opens it, as the select box below does
        st.session_state["follow_ups_pick"] = rows[clicked].id
    if counts[bucket] > len(rows):
        st.caption(t("follow_ups.shown_of", shown=fmt_number(len(rows)), total=fmt_number(counts[bucket])))

shown = {row.id: row for bucket in BUCKETS for row in lists[bucket]}
if shown:
    st.divider()
    picked = st.selectbox(
        t("follow_ups.pick"), [None, *shown], key="follow_ups_pick",
        format_func=lambda i: t("follow_ups.choose") if i is None else
        f"{i} · {fmt_date(shown[i].due_on)} · {shown[i].caller_name or label('group', shown[i].group_id)}",
        placeholder=t("common.choose"))
    if picked is not None:
        row = shown[picked]
        st.text(row.reason)
        if st.button(t("follow_ups.open_call"), key=f"follow_ups_open_call_{row.id}"):
            st.switch_page("pages/call_log.py", query_params={"call": str(row.call_id)})
        follow_up_actions.render(row, viewer, key="follow_ups_action")

with st.expander(t("follow_ups.recently_closed")):
    closed = follow_ups.recently_closed(viewer, scope=scope)
    if closed:
        tables.show(_rows(closed, closed=True), key="follow_ups_table_closed")
    else:
        st.caption(t("follow_ups.nothing"))
