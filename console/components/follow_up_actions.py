"""What staff do with one open follow-up: mark it done (or cancel it) with a note, reschedule it, or give
it to a colleague. Each action is one short session and is audited by the repository."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from advisory import access
from console import guard
from console.i18n import fmt_date, t
from console.markdown import plain
from db.engine import session_scope
from db.models import FOLLOW_UP_NOTE_MAX_CHARS, FollowUpStatus
from db.repositories import follow_ups
from db.repositories.follow_ups import FollowUpNotAllowed, FollowUpRow
from db.repositories.users import StaffUser

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
            _act(lambda s: follow_ups.complete(s, follow_up_id=row.id, note=note, actor=viewer),
                 t("follow_ups.done_saved"))
        if st.button(t("follow_ups.cancel"), key=f"{key}_cancel"):
            _act(lambda s: follow_ups.complete(s, follow_up_id=row.id, note=note, actor=viewer,
                                               status=FollowUpStatus.cancelled), t("follow_ups.cancelled_saved"))
    with due_col:
        due = st.date_input(t("follow_ups.new_due"), value=row.due_on, format="DD.MM.YYYY", key=f"{key}_due")
        if st.button(t("follow_ups.reschedule"), key=f"{key}_reschedule"):
            _act(lambda s: follow_ups.reschedule(s, follow_up_id=row.id, due_on=due, actor=viewer),
                 t("follow_ups.rescheduled", date=fmt_date(due)))
    with assign_col:
        with session_scope() as session:
            names = dict(follow_ups.assignee_choices(session))
        ids = list(names)
        assignee = st.selectbox(t("follow_ups.new_assignee"), ids, format_func=names.get,
                                index=ids.index(row.assignee_id) if row.assignee_id in ids else 0,
                                key=f"{key}_assignee", placeholder=t("common.choose"))
        if st.button(t("follow_ups.reassign"), key=f"{key}_reassign"):
            _act(lambda s: follow_ups.reassign(s, follow_up_id=row.id, assignee_id=assignee, actor=viewer),
                 t("follow_ups.reassigned", name=plain(names.get(assignee, ""))))


def _act(action, message: str) -> None:
    if guard.check(access.takes_calls) is None:
        return
    try:
        with session_scope() as session:
            action(session)
    except FollowUpNotAllowed:
        st.error(t("follow_ups.not_allowed"))
        return
    except ValidationError:  # only what a browser lets past max_chars
        st.error(t("follow_ups.too_long"))
        return
    st.session_state[FLASH_KEY] = message
    st.rerun()
