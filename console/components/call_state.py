"""The call's life in the session: start, autosave, resume after a reload, save to the log, discard.

The actions are widget callbacks: they run before the page is drawn, which is when Streamlit lets them
put values into widget state (a resumed draft) or clear it (a saved call). Each goes through
console/guard.py first, and so does the autosave: a logged-out, deactivated or idle advisor changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st
from pydantic import ValidationError

from advisory import access
from advisory.formatting import LOCAL_TZ, to_local
from advisory.profile import profile_errors
from advisory.script import build_script, most_urgent_disposition, red_flags
from console import guard
from console.call_draft import (
    call_create,
    call_errors,
    contact_errors,
    draft_from_state,
    is_draft_key,
    new_call,
    read_profile,
    started_at,
    state_from_draft,
    ticked,
)
from console.i18n import fmt_datetime, t
from db.engine import session_scope
from db.models import utcnow
from db.repositories import drafts
from db.repositories.calls import save_call
from db.repositories.users import StaffUser

ACTIVE, CACHE, SAVED, ERRORS, CONFIRM = (
    "call_active", "call_draft_cache", "call_saved_id", "call_save_errors", "call_confirm_discard")
SEARCH_OPEN, SEARCH_QUERY = "call_search_dialog", "call_search_query"
RELOADED = "auth_resumed_from_cookie"  # set by console/auth.py when a reload took up the login
_FIELD_ERRORS = ("email", "phone", "caller_name", "member_number")
_SESSION_KEYS = (ACTIVE, CACHE, SAVED, ERRORS, CONFIRM, SEARCH_OPEN, SEARCH_QUERY)


def today() -> date:
    """The call date: the local date in Denmark, whatever the server's time zone."""
    return datetime.now(LOCAL_TZ).date()


def is_active() -> bool:
    return bool(st.session_state.get(ACTIVE))


def _clear() -> None:
    for key in [k for k in st.session_state.keys() if is_draft_key(k) or k in _SESSION_KEYS]:
        del st.session_state[key]


def _begin(values: dict) -> None:
    _clear()
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[ACTIVE] = True


@guard.action(access.takes_calls)
def start(user: StaffUser) -> None:
    _begin(new_call(utcnow()))
    _write_draft(user.id)  # at once, so even a call with nothing typed yet is offered after a crash


@guard.action(access.takes_calls)
def resume(user: StaffUser) -> None:
    with session_scope() as session:
        draft = drafts.load_draft(session, advisor_id=user.id)
    if draft is None:  # resumed or discarded in another tab meanwhile
        _clear()
        return
    _begin({**new_call(draft.started_at), **state_from_draft(draft.data)})
    st.session_state[CACHE] = draft.data


@guard.action(access.takes_calls)
def discard(user: StaffUser) -> None:
    with session_scope() as session:
        drafts.discard_draft(session, advisor_id=user.id)
    _clear()


def recover() -> None:
    """Put the call back from the last autosave if Streamlit dropped its widget state.

    The call's widgets persist for the session, so this should never fire; if it did, the next autosave
    would otherwise overwrite the stored draft with an empty form.
    """
    cache = st.session_state.get(CACHE)
    if is_active() and cache and "call_notes" not in st.session_state:
        for key, value in state_from_draft(cache).items():
            st.session_state[key] = value


def autosave() -> None:
    """Write the draft when anything changed since the last write (one small UPDATE per change).

    Called in the call page's fragment, whose reruns pass neither app.py nor the page's own check: the
    guard runs here, and an ended session takes the whole page (and the call) off screen unsaved.
    """
    user = guard.in_fragment(access.takes_calls)
    _write_draft(user.id)


def _write_draft(advisor_id: int) -> None:
    draft = draft_from_state(st.session_state)
    if draft == st.session_state.get(CACHE):
        return
    with session_scope() as session:
        drafts.save_draft(session, advisor_id=advisor_id, data=draft, started_at=started_at(st.session_state))
    st.session_state[CACHE] = draft


def _save_problems(state, day: date) -> list[str]:
    problems = []
    if state.get("call_follow_up_keep"):
        due = state.get("call_follow_up_on")
        if due is None:
            problems.append(t("call.error_follow_up_date"))
        elif due < day:
            problems.append(t("call.error_follow_up_past"))
    return problems


@guard.action(access.takes_calls)
def save(user: StaffUser, lang: str) -> None:
    """Save the call to the log and end it; on a problem keep everything and say what to correct."""
    state, day = st.session_state, today()
    profile, error = read_profile(state, day)
    if profile is None:
        messages = profile_errors(error, lang)
        state[ERRORS] = [t("call.error_profile"), *messages.values()]
        return
    if problems := _save_problems(state, day):
        state[ERRORS] = problems
        return
    if invalid := contact_errors(state):
        state[ERRORS] = [t(f"call.error_{field}") for field in invalid]
        return
    script = build_script(profile, today=day, lang=lang)
    disposition = most_urgent_disposition(ticked(state, "call_rf_", [flag.id for flag in red_flags(lang)]))
    try:
        data = call_create(state, profile=profile, script=script, disposition=disposition, advisor_id=user.id,
                           ended_at=utcnow())
    except ValidationError as exc:
        state[ERRORS] = [t(f"call.error_{field}" if field in _FIELD_ERRORS else "call.error_invalid")
                         for field in call_errors(exc)]
        return
    with session_scope() as session:
        call_id = save_call(session, data=data, actor_name=user.username)
        drafts.discard_draft(session, advisor_id=user.id)
    _clear()
    state[SAVED] = call_id


def _ask_discard(confirm: bool) -> None:
    st.session_state[CONFIRM] = confirm


# --- what the page shows around the call --------------------------------------------------------------


def lobby(user: StaffUser) -> None:
    """No call in progress: the last saved call, an unsaved call to resume, or the start button."""
    if saved := st.session_state.get(SAVED):
        st.success(t("call.saved", id=saved))
        st.page_link("pages/referrals.py", label=t("call.send_guidance"), icon="✉️",
                     query_params={"call": str(saved)})
    with session_scope() as session:
        draft = drafts.load_draft(session, advisor_id=user.id)
    if st.session_state.pop(RELOADED, False) and draft is not None:
        resume()  # a reload mid-call: the login held (session cookie), so the call comes straight back
        st.rerun()
    if draft is None:
        st.button(t("call.start"), key="call_start", type="primary", icon="📞", on_click=start)
        return
    st.warning(t("call.resume_offer", started=fmt_datetime(draft.started_at), saved=fmt_datetime(draft.updated_at)),
               icon="💾")
    resume_column, discard_column = st.columns([1, 1])
    resume_column.button(t("call.resume"), key="call_resume", type="primary", on_click=resume)
    discard_column.button(t("call.discard_draft"), key="call_discard_draft", on_click=discard)


@st.fragment(run_every=30)
def timer() -> None:
    # Its reruns are no activity: after SESSION_IDLE_MINUTES the guard ends the session and the call goes
    # off screen (the draft stays in the database, offered again after the next login).
    guard.watch()
    if not is_active():
        return
    began = started_at(st.session_state)
    minutes = int((utcnow() - began).total_seconds() // 60)
    st.caption(t("call.timer", started=to_local(began).strftime("%H:%M"), minutes=minutes))


def save_bar(user: StaffUser, lang: str) -> None:
    for message in st.session_state.pop(ERRORS, []):
        st.error(message)
    if st.session_state.get(CONFIRM):
        st.warning(t("call.discard_question"))
        yes, no = st.columns([1, 1])
        yes.button(t("call.discard_confirm"), key="call_discard_confirm", on_click=discard)
        no.button(t("common.cancel"), key="call_discard_cancel", on_click=_ask_discard, args=(False,))
        return
    save_column, discard_column = st.columns([1, 1])
    save_column.button(t("call.save"), key="call_save", type="primary", icon="💾", on_click=save, args=(lang,))
    discard_column.button(t("call.discard"), key="call_discard", on_click=_ask_discard, args=(True,))
