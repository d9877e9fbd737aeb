"""The call's life in the session: start, autosave, resume after a reload, save to the log, discard.

Each call has its own key (`call_key`) from its first keystroke: its draft is stored under it, so two tabs
are two calls and neither overwrites the other, and saving is idempotent on it. The actions are widget
callbacks: they run before the page is drawn, which is when Streamlit lets them put values into widget
state (a resumed draft) or clear it (a saved call).
Each goes through console/guard.py first, and so does the autosave: a logged-out, deactivated or idle
advisor changes nothing.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from pydantic import ValidationError

from advisory import access
from advisory.formatting import local_today, to_local
from console import guard
from console.call_draft import (
    FIELD_WIDGETS,
    call_create,
    call_errors,
    draft_from_state,
    evaluate_call,
    is_draft_key,
    new_call,
    started_at,
    state_from_draft,
)
from console.i18n import fmt_datetime, fmt_number, t
from db.engine import session_scope
from db.models import FOLLOW_UP_REASON_MAX_CHARS, NOTES_MAX_CHARS, utcnow
from db.repositories import drafts
from db.repositories.calls import save_call
from db.repositories.users import StaffUser

ACTIVE, CACHE, SAVED, ERRORS, CONFIRM = (
    "call_active", "call_draft_cache", "call_saved_id", "call_save_errors", "call_confirm_discard")
SEARCH_OPEN, SEARCH_QUERY = "call_search_dialog", "call_search_query"
FIELD_ERRORS = "call_field_errors"  # widget key -> [the value refused, the message]
# The script's sections: open now (the row of buttons), the advisor's choice, the one in use.
OPEN_SECTIONS, WANTED_SECTIONS, CURRENT_SECTION = "call_open_sections", "call_sections_wanted", "call_section_now"
_SESSION_KEYS = (ACTIVE, CACHE, SAVED, ERRORS, CONFIRM, SEARCH_OPEN, SEARCH_QUERY, FIELD_ERRORS, OPEN_SECTIONS,
                 WANTED_SECTIONS, CURRENT_SECTION)
RELOADED = "auth_resumed_from_cookie"  # set by console/auth.py when a reload took up the login


def today() -> date:
    """The call date: the local date in Denmark, whatever the server's time zone."""
    return local_today()


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
def resume(user: StaffUser, call_key: str) -> None:
    with session_scope() as session:
        draft = drafts.load_draft(session, call_key=call_key, advisor_id=user.id)
    if draft is None:  # saved or discarded in another tab meanwhile
        _clear()
        return
    _begin({**new_call(draft.started_at, call_key=draft.call_key), **state_from_draft(draft.data)})
    st.session_state["call_key"] = draft.call_key
    st.session_state[CACHE] = draft.data


@guard.action(access.takes_calls)
def discard(user: StaffUser, call_key: str) -> None:
    with session_scope() as session:
        drafts.discard_draft(session, call_key=call_key, advisor_id=user.id)
    if st.session_state.get("call_key") == call_key:
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
        drafts.save_draft(session, call_key=st.session_state["call_key"], advisor_id=advisor_id, data=draft,
                          started_at=started_at(st.session_state))
    st.session_state[CACHE] = draft


def attached_entries() -> list[str] | None:
    """The library entries attached to the call open in this browser session; None when none is open."""
    if not is_active():
        return None
    return list(st.session_state.get("call_attached") or [])


def attach(advisor_id: int, slug: str) -> bool:
    """Attach a library entry to the call open in this session and save the draft at once.

    The one way to add an entry to a call from outside the call page (the library page, the search dialog);
    False when no call is open here.
    """
    if not is_active():
        return False
    st.session_state["call_attached"] = list(dict.fromkeys([*(st.session_state.get("call_attached") or []), slug]))
    _write_draft(advisor_id)  # the caller (a guarded action) has checked the user
    return True


def has_contact(state) -> bool:
    """The caller consented and left a phone number or an e-mail address to reach them by."""
    return bool(state.get("call_consent")) and bool(
        (state.get("call_contact_phone") or "").strip() or (state.get("call_contact_email") or "").strip())


def _follow_up_problems(state, day: date) -> list[str]:
    if not state.get("call_follow_up_keep"):
        return []
    problems = []
    due = state.get("call_follow_up_on")
    if due is None:
        problems.append(t("call.error_follow_up_date"))
    elif due < day:
        problems.append(t("call.error_follow_up_past"))
    if not (state.get("call_follow_up_reason") or "").strip():
        problems.append(t("call.error_follow_up_reason"))
    if not (has_contact(state) or state.get("call_callback_by_member")):
        problems.append(t("call.error_follow_up_contact"))
    return problems


@guard.action(access.takes_calls)
def save(user: StaffUser, lang: str) -> None:
    """Save the call to the log and end it; on a problem keep everything and say what to correct."""
    state, day = st.session_state, today()
    state.pop(FIELD_ERRORS, None)
    evaluation = evaluate_call(state, today=day, lang=lang)
    if evaluation.profile is None:
        state[ERRORS] = [t("call.error_profile"), *evaluation.errors.values()]
        return
    if problems := _follow_up_problems(state, day):
        state[ERRORS] = problems
        return
    try:
        data = call_create(state, evaluation=evaluation, advisor_id=user.id, ended_at=utcnow())
    except ValidationError as exc:
        _show_field_errors(call_errors(exc))
        return
    state.pop(FIELD_ERRORS, None)
    with session_scope() as session:
        call_id = save_call(session, data=data, actor_name=user.username)
        drafts.discard_draft(session, call_key=data.call_key, advisor_id=user.id)
    _clear()
    state[SAVED] = call_id


def field_message(field: str) -> str:
    """A CallCreate field's validation error in the advisor's words (pydantic's are English); each field
    can fail in one way only (notes and reason: too long; contact details: the named rule)."""
    if field == "notes":
        return t("call.error_notes_too_long", max=fmt_number(NOTES_MAX_CHARS))
    if field == "follow_up_reason":
        return t("call.error_follow_up_reason_too_long", max=FOLLOW_UP_REASON_MAX_CHARS)
    if field in ("email", "phone", "caller_name", "member_number"):
        return t(f"call.error_{field}")
    return t("call.error_invalid")


def _show_field_errors(errors: dict[str, str]) -> None:
    """Each message goes next to its field (while the field still holds the refused value); what has no
    field on the page is listed above the save button."""
    state = st.session_state
    beside = {FIELD_WIDGETS[field]: [state.get(FIELD_WIDGETS[field]), field_message(field)]
              for field in errors if field in FIELD_WIDGETS}
    state[FIELD_ERRORS] = beside
    elsewhere = [field_message(field) for field in errors if field not in FIELD_WIDGETS]
    state[ERRORS] = [t("call.error_fields")] * bool(beside) + elsewhere


def field_error(key: str) -> None:
    """The save's message for the widget `key`, shown under it until its value changes."""
    refused = (st.session_state.get(FIELD_ERRORS) or {}).get(key)
    slot = st.container()  # always there: a message that comes and goes must not move the fields below
    if refused and st.session_state.get(key) == refused[0]:
        slot.error(refused[1])


def _ask_discard(confirm: bool) -> None:
    st.session_state[CONFIRM] = confirm


# --- what the page shows around the call --------------------------------------------------------------


def lobby(user: StaffUser) -> None:
    """No call in progress here: the last saved call, unsaved calls to resume, and the start button."""
    if saved := st.session_state.get(SAVED):
        st.success(t("call.saved", id=saved))
        st.page_link("pages/referrals.py", label=t("call.send_guidance"), icon=":material/mail:",
                     query_params={"call": str(saved)})
    with session_scope() as session:
        waiting = drafts.list_drafts(session, advisor_id=user.id)
    if st.session_state.pop(RELOADED, False) and waiting:
        # A reload mid-call: the login held (session cookie), so the call typed in last comes straight back.
        resume(waiting[0].call_key)
        st.rerun()
    st.button(t("call.start"), key="call_start", type="primary", icon=":material/call:", on_click=start)
    for draft in waiting:
        with st.container(border=True):
            st.warning(t("call.resume_offer", started=fmt_datetime(draft.started_at),
                         saved=fmt_datetime(draft.updated_at)), icon=":material/save:")
            resume_column, discard_column = st.columns([1, 1])
            resume_column.button(t("call.resume"), key=f"call_resume_{draft.call_key}", type="primary",
                                 on_click=resume, args=(draft.call_key,))
            discard_column.button(t("call.discard_draft"), key=f"call_discard_draft_{draft.call_key}",
                                  on_click=discard, args=(draft.call_key,))


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
        yes.button(t("call.discard_confirm"), key="call_discard_confirm", on_click=discard,
                   args=(st.session_state.get("call_key"),))
        no.button(t("common.cancel"), key="call_discard_cancel", on_click=_ask_discard, args=(False,))
        return
    save_column, discard_column = st.columns([1, 1])
    save_column.button(t("call.save"), key="call_save", type="primary", icon=":material/save:", on_click=save,
                       args=(lang,))
    discard_column.button(t("call.discard"), key="call_discard", on_click=_ask_discard, args=(True,))
