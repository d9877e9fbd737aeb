"""Referrals: send a call's written guidance (e-mail, printed letter, text to copy) and watch the outbox.

Opened for a call with `?call=<id>` (the call page links here after saving), or with a picker of the
user's recent calls that still await guidance. Advisors see their own referrals, supervisors all.
"""

import pandas as pd
import streamlit as st

from advisory import access
from console import auth, guard
from console.components import referral_editor
from console.i18n import fmt_datetime, label, t
from db.engine import session_scope
from db.repositories import referrals

user = auth.require(access.uses_outbox)
st.title(t("nav.referrals"))
with session_scope() as session:
    referrals.recover_interrupted(session)  # a send cut off by a crash is shown as failed, never resent silently

tab_send, tab_outbox = st.tabs([t("referrals.tab_send"), t("referrals.tab_outbox")])

with tab_send:
    call_id = referral_editor.pick_call(user)
    call = referral_editor.load_call(call_id, user) if call_id is not None else None
    if call is not None:
        referral_editor.editor(call, user)


def _error_text(record: referrals.ReferralRecord) -> str:
    return t(f"referrals.error_{record.error_code}") if record.error_code else ""


def _open_call(call_id: int) -> None:
    st.query_params["call"] = str(call_id)


@guard.action(access.uses_outbox)
def _retry(actor, referral_id: int) -> None:
    # A callback, so the table below is read after the send and shows its result.
    st.session_state["referrals_retry_outcome"] = referral_editor.send_email(referral_id, actor)


with tab_outbox:
    supervisor = access.sees_whole_outbox(user)
    st.caption(t("referrals.outbox_all") if supervisor else t("referrals.outbox_mine"))
    if outcome := st.session_state.pop("referrals_retry_outcome", None):
        referral_editor.show_outcome(outcome)
    only_failed = st.checkbox(t("referrals.only_failed"), key="referrals_only_failed")
    with session_scope() as session:
        rows = referrals.list_outbox(session, viewer=user,
                                     statuses=["failed"] if only_failed else None)
    if not rows:
        st.info(t("referrals.outbox_empty"))
    else:
        st.dataframe(
            pd.DataFrame([
                {
                    t("referrals.col_updated"): fmt_datetime(r.updated_at),
                    t("referrals.col_call"): r.call_id,
                    t("referrals.col_channel"): label("channel", r.channel),
                    t("referrals.col_recipient"): " · ".join(r.recipient.splitlines()),
                    t("referrals.col_subject"): r.subject,
                    t("referrals.col_status"): t(f"referrals.status_{r.status}"),
                    t("referrals.col_attempts"): r.attempts,
                    t("referrals.col_sent"): fmt_datetime(r.sent_at),
                    t("referrals.col_error"): _error_text(r),
                }
                for r in rows
            ]),
            hide_index=True,
            width="stretch",
        )
    waiting = [r for r in rows if r.channel == "email" and r.status in referrals.CLAIMABLE]
    if waiting:
        st.subheader(t("referrals.waiting_title"))
    for record in waiting:
        with st.container(border=True):
            if record.status == "failed":
                st.error(t("referrals.failed_row", id=record.id, reason=_error_text(record)))
            else:
                st.warning(t("referrals.queued_row", id=record.id))
            st.text(f"{record.recipient} · {record.subject}\n{record.error_detail}".strip())
            retry_col, open_col = st.columns(2)
            retry_col.button(t("referrals.retry"), key=f"referrals_retry_{record.id}", on_click=_retry,
                             args=(record.id,))
            open_col.button(t("referrals.open_call", id=record.call_id), key=f"referrals_open_{record.id}",
                            on_click=_open_call, args=(record.call_id,))
