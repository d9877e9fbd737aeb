"""What staff do with one open follow-up: mark it done (or cancel it) with a note, reschedule it, or give
it to a colleague (services/follow_ups.py, audited there); this draws the buttons and says what happened."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from advisory import access
from console import guard
from console.i18n import fmt_date, t
from console.markdown import plain
from db.models import FOLLOW_UP_NOTE_MAX_CHARS
from services import follow_ups
from services.accounts import StaffUser
from services.follow_ups import ActionOutcome, FollowUpRow

FLASH_KEY = "follow_ups_flash"


def show_flash() -> None:
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(flash)


def render(row: FollowUpRow, viewer: StaffUser, *, key: str) -> None:
    """Three columns of actions for `row`; widget keys carry the follow-up id so they reset per row."""
    key = f"{key}_{row.id}"
    done_col, due_col, assign_col = st.columns(3)
    with done_col:
        note = st.text_area(t("follow_ups.closing_note"), key=f"{key}_note", max_chars=FOLLOW_UP_NOTE_MAX_CHARS)
        if st.button(t("follow_ups.mark_done"), key=f"{key}_done", type="primary"):
            _act(lambda actor: follow_ups.complete(row.id, note=note, actor=actor), t("follow_ups.done_saved"))
        if st.button(t("follow_ups.cancel"), key=f"{key}_cancel"):
            _act(lambda actor: follow_ups.cancel(row.id, note=note, actor=actor), t("follow_ups.cancelled_saved"))
    with due_col:
        due = st.date_input(t("follow_ups.new_due"), value=row.due_on, format="DD.MM.YYYY", key=f"{key}_due")
        if st.button(t("follow_ups.reschedule"), key=f"{key}_reschedule"):
            _act(lambda actor: follow_ups.reschedule(row.id, due_on=due, actor=actor),
                 t("follow_ups.rescheduled", date=fmt_date(due)))
    with assign_col:
        names = dict(follow_ups.assignee_choices())
        ids = list(names)
        assignee = st.selectbox(t("follow_ups.new_assignee"), ids, format_func=names.__getitem__,
                                index=ids.index(row.assignee_id) if row.assignee_id in ids else 0,
                                key=f"{key}_assignee", placeholder=t("common.choose"))
        if st.button(t("follow_ups.reassign"), key=f"{key}_reassign") and assignee is not None:
            _act(lambda actor: follow_ups.reassign(row.id, assignee_id=assignee, actor=actor),
                 t("follow_ups.reassigned", name=plain(names.get(assignee, ""))))


def _act(action: Callable[[StaffUser], ActionOutcome], message: str) -> None:
    if (actor := guard.check(access.takes_calls)) is None:
        return
    outcome = action(actor)
    if outcome.refused is not None:
        st.error(t(f"follow_ups.{outcome.refused}"))
        return
    st.session_state[FLASH_KEY] = message
    st.rerun()
