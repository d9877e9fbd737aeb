"""The outbox tab: every message with its status, and the e-mails that wait (to be retried, or for a person).

Failed e-mails are tried again by the outbox runner (`python -m cli send-outbox`) at their next
attempt time; after the last attempt, or when the server refused the address for good, they wait here
for a person. "Retry" sends at once through the same claim as the runner, so it never doubles a send.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from advisory import access
from console import guard
from console.components import referral_editor, tables
from console.i18n import fmt_datetime, fmt_number, label, t, tn
from services import referrals as guidance
from services.accounts import StaffUser
from services.referrals import CLAIMABLE, MAX_ATTEMPTS, ReferralRecord

_OUTCOME = "referrals_retry_outcome"


def error_text(record: ReferralRecord) -> str:
    return t(f"referrals.error_{record.error_code}") if record.error_code else ""


def status_text(record: ReferralRecord) -> str:
    if record.channel == "letter" and record.status == "queued":
        return t("referrals.status_letter_queued")
    if record.channel == "letter" and record.status == "sent" and record.posted_at:
        return t("referrals.status_letter_posted")
    if record.retry_scheduled:
        return t("referrals.status_retry", at=fmt_datetime(record.next_attempt_at))
    if record.waits_for_person:
        return t("referrals.status_for_person")
    return t(f"referrals.status_{record.status}")


@guard.action(access.uses_outbox)
def _retry(user: StaffUser, referral_id: int) -> None:
    # A callback, so the table below is read after the send and shows its result.
    with st.spinner(t("referrals.sending")):
        st.session_state[_OUTCOME] = guidance.retry_email(referral_id, user)


def _open_call(call_id: int) -> None:
    st.query_params["call"] = str(call_id)


def outbox(user: StaffUser) -> None:
    whole = access.sees_whole_outbox(user)
    st.caption(t("referrals.outbox_all") if whole else t("referrals.outbox_mine"))
    if outcome := st.session_state.pop(_OUTCOME, None):
        referral_editor.show_outcome(outcome)
    only_failed = st.checkbox(t("referrals.only_failed"), key="referrals_only_failed")
    rows = guidance.list_outbox(user, only_failed=only_failed)
    if not rows:
        st.info(t("referrals.outbox_empty"))
        return
    tables.show(
        [
            {
                t("referrals.col_updated"): r.updated_at,
                t("referrals.col_call"): r.call_id,
                t("referrals.col_channel"): label("channel", r.channel),
                t("referrals.col_recipient"): " · ".join(r.recipient.splitlines()),
                t("referrals.col_subject"): r.subject,
                t("referrals.col_status"): status_text(r),
                t("referrals.col_attempts"): r.attempts,
                t("referrals.col_sent"): r.sent_at,
                t("referrals.col_error"): error_text(r),
            }
            for r in rows
        ],
        key="referrals_outbox_table",
    )
    waiting = [r for r in rows if r.channel == "email" and r.status in CLAIMABLE]
    if waiting:
        st.subheader(t("referrals.waiting_title"))
        st.caption(t("referrals.waiting_caption", n=MAX_ATTEMPTS))
    for record in waiting:
        _waiting_email(record, user)


def _waiting_email(record: ReferralRecord, user: StaffUser) -> None:
    with st.container(border=True):
        if record.waits_for_person:
            st.error(t("referrals.for_person_row", id=record.id, reason=error_text(record), n=record.attempts))
        elif record.retry_scheduled:
            st.warning(t("referrals.retry_row", id=record.id, reason=error_text(record),
                         at=fmt_datetime(record.next_attempt_at), n=record.attempts, max=MAX_ATTEMPTS))
        else:
            st.info(t("referrals.queued_row", id=record.id))
        st.text(f"{record.recipient} · {record.subject}\n{record.error_detail}".strip())
        retry_col, open_col = st.columns(2)
        if access.may_resend(user, created_by_id=record.created_by_id):
            retry_col.button(t("referrals.retry"), key=f"referrals_retry_{record.id}", on_click=_retry,
                             args=(record.id,), help=t("referrals.retry_help"))
        if access.writes_guidance(user):
            open_col.button(t("referrals.open_call", id=record.call_id), key=f"referrals_open_{record.id}",
                            on_click=_open_call, args=(record.call_id,))


def _age(age: timedelta | None) -> str:
    if age is None:
        return t("statistics.outbox_oldest_none")
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return t("statistics.age_minutes", n=fmt_number(minutes))
    if minutes < 48 * 60:
        return tn("statistics.age_hours", minutes // 60)
    return tn("statistics.age_days", minutes // (24 * 60))


def health(viewer: StaffUser) -> None:
    """The outbox now (statistics page): not for a period and not cached, a stuck message is news at once."""
    counts = guidance.outbox_health(viewer)
    st.subheader(t("statistics.section_outbox"))
    st.caption(t("statistics.outbox_caption"))
    waiting, for_person, oldest = st.columns(3)
    waiting.metric(t("statistics.outbox_waiting"), fmt_number(counts.emails_waiting + counts.letters_waiting),
                   delta=t("statistics.outbox_waiting_detail", emails=fmt_number(counts.emails_waiting),
                           letters=fmt_number(counts.letters_waiting)), delta_color="off", delta_arrow="off")
    for_person.metric(t("statistics.outbox_for_person"), fmt_number(counts.failed_for_person))
    oldest.metric(t("statistics.outbox_oldest"), _age(counts.oldest_age()))
