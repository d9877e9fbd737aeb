"""The call's life on the page: start, autosave, resume after a reload, save to the log, discard.

Each call has its own key from its first keystroke: its draft is stored under it, so two tabs are two
calls and neither overwrites the other, and saving is idempotent on it. The actions are widget callbacks:
they run before the page is drawn, which is when Streamlit lets them put values into widget state (a
resumed draft) or clear it (a saved call). Each goes through console/guard.py first, and so does the
autosave: a logged-out, deactivated or idle advisor changes nothing. The work itself is in
services/calls.py; the call's values are read and written through console/call_form.py.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

import streamlit as st

from advisory import access
from advisory.formatting import local_today
from console import guard, shortcuts
from console.call_form import WIDGET_OF_FIELD, CallState, item_key, key, new_call
from console.i18n import fmt_datetime, fmt_number, t
from console.profile_messages import field_messages
from db.models import FOLLOW_UP_REASON_MAX_CHARS, NOTES_MAX_CHARS, utcnow
from services import calls
from services.accounts import StaffUser

RELOADED = "auth_resumed_from_cookie"  # set by console/auth.py when a reload took up the login


def today() -> date:
    """The call date: the local date in Denmark, whatever the server's time zone."""
    return local_today()


def call() -> CallState:
    return CallState(st.session_state)


def is_active() -> bool:
    return call().active


def evaluate_call(day: date, lang: str) -> tuple[calls.CallEvaluation, dict[str, str]]:
    """The form evaluated once for this run, and the messages beside its fields."""
    evaluation = calls.evaluate(call().call_input(day, said_and_used=False), today=day, lang=lang)
    return evaluation, field_messages(evaluation, lang)


@guard.action(access.takes_calls)
def start(user: StaffUser) -> None:
    call().begin(new_call(utcnow()))
    _write_draft(user.id)  # at once, so even a call with nothing typed yet is offered after a crash


@guard.action(access.takes_calls)
def resume(user: StaffUser, call_key: str) -> None:
    draft = calls.load_draft(call_key=call_key, advisor_id=user.id)
    state = call()
    if draft is None:  # saved or discarded in another tab meanwhile
        state.clear()
        return
    state.begin(new_call(draft.started_at, call_key=draft.call_key))
    state.restore(draft.data)
    state["draft_cache"] = draft.data


@guard.action(access.takes_calls)
def discard(user: StaffUser, call_key: str) -> None:
    calls.discard_draft(call_key=call_key, advisor_id=user.id)
    if call().call_key == call_key:
        call().clear()


def recover() -> None:
    """Put the call back from the last autosave if Streamlit dropped its widget state.

    The call's widgets persist for the session, so this should never fire; if it did, the next autosave
    would otherwise overwrite the stored draft with an empty form.
    """
    state = call()
    if state.lost_widgets():
        state.restore(state["draft_cache"])


def autosave() -> None:
    """Write the draft when anything changed since the last write (one small UPDATE per change).

    Called in the call page's fragment, whose reruns pass neither app.py nor the page's own check: the
    guard runs here, and an ended session takes the whole page (and the call) off screen unsaved.
    """
    user = guard.in_fragment(access.takes_calls)
    _write_draft(user.id)


def _write_draft(advisor_id: int) -> None:
    state = call()
    draft = state.draft()
    if draft == state["draft_cache"]:
        return
    calls.save_draft(call_key=state.call_key or "", advisor_id=advisor_id, data=draft, started_at=state.started_at)
    state["draft_cache"] = draft


def attached_entries() -> list[str] | None:
    """The library entries attached to the call open in this browser session; None when none is open."""
    state = call()
    return state.attached if state.active else None


def attach(advisor_id: int, slug: str) -> bool:
    """Attach a library entry to the call open in this session and save the draft at once.

    The one way to add an entry to a call (the library page, the search dialog); False when no call is
    open here.
    """
    state = call()
    if not state.active:
        return False
    state.attach(slug)
    _write_draft(advisor_id)  # the caller (a guarded action) has checked the user
    return True


@guard.action(access.takes_calls)
def save(user: StaffUser, lang: str) -> None:
    """Save the call to the log and end it; on a problem keep everything and say what to correct."""
    state, day = call(), today()
    state.pop("field_errors")
    outcome = calls.save_call(state.call_input(day), advisor=user, today=day, lang=lang)
    if outcome.evaluation is not None:
        state["save_errors"] = [t("call.error_profile"), *field_messages(outcome.evaluation, lang).values()]
    elif outcome.follow_up_problems:
        state["save_errors"] = [t(f"call.error_follow_up_{problem}") for problem in outcome.follow_up_problems]
    elif outcome.invalid_fields:
        _show_field_errors(outcome.invalid_fields)
    else:
        state.clear()
        state["saved_id"] = outcome.call_id


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
    state = call()
    beside = {WIDGET_OF_FIELD[field]: [state[WIDGET_OF_FIELD[field]], field_message(field)]
              for field in errors if field in WIDGET_OF_FIELD}
    state["field_errors"] = beside
    elsewhere = [field_message(field) for field in errors if field not in WIDGET_OF_FIELD]
    state["save_errors"] = [t("call.error_fields")] * bool(beside) + elsewhere


def field_error(name: str, *, ends_container: bool = False) -> None:
    """The save's message for the widget `name`, shown under it until its value changes.

    In a container of its own, always there: a message that comes and goes must not move the fields below.
    `ends_container`: the widget is the last in its container (nothing below can move), so no container."""
    state = call()
    refused = (state["field_errors"] or {}).get(name)
    with nullcontext() if ends_container else st.container():
        if refused and state[name] == refused[0]:
            st.error(refused[1])


def _ask_discard(confirm: bool) -> None:
    call()["confirm_discard"] = confirm


# --- what the page shows around the call --------------------------------------------------------------


def lobby(user: StaffUser) -> None:
    """No call in progress here: the last saved call, unsaved calls to resume, and the start button."""
    if saved := call()["saved_id"]:
        st.success(t("call.saved", id=saved))
        st.page_link("pages/referrals.py", label=t("call.send_guidance"), icon=":material/mail:",
                     query_params={"call": str(saved)})
    waiting = calls.waiting_drafts(advisor_id=user.id)
    if st.session_state.pop(RELOADED, False) and waiting:
        # A reload mid-call: the login held (session cookie), so the call typed in last comes straight back.
        resume(waiting[0].call_key)
        st.rerun()
    st.button(t("call.start"), key=key("start"), type="primary", icon=":material/call:", on_click=start,
              shortcut=shortcuts.START_CALL, help=shortcuts.help_text(shortcuts.START_CALL))
    for draft in waiting:
        with st.container(border=True):
            st.warning(t("call.resume_offer", started=fmt_datetime(draft.started_at),
                         saved=fmt_datetime(draft.updated_at)), icon=":material/save:")
            resume_column, discard_column = st.columns([1, 1])
            resume_column.button(t("call.resume"), key=item_key("resume", draft.call_key), type="primary",
                                 on_click=resume, args=(draft.call_key,))
            discard_column.button(t("call.discard_draft"), key=item_key("discard_draft", draft.call_key),
                                  on_click=discard, args=(draft.call_key,))


def save_bar(user: StaffUser, lang: str) -> None:
    state = call()
    for message in state.pop("save_errors") or []:
        st.error(message)
    if state["confirm_discard"]:
        st.warning(t("call.discard_question"))
        yes, no = st.columns([1, 1])
        yes.button(t("call.discard_confirm"), key=key("discard_confirm"), on_click=discard, args=(state.call_key,))
        no.button(t("common.cancel"), key=key("discard_cancel"), on_click=_ask_discard, args=(False,))
        return
    save_column, discard_column = st.columns([1, 1])
    save_column.button(t("call.save"), key=key("save"), type="primary", icon=":material/save:", on_click=save,
                       args=(lang,), shortcut=shortcuts.SAVE_CALL, help=shortcuts.help_text(shortcuts.SAVE_CALL))
    discard_column.button(t("call.discard"), key=key("discard"), on_click=_ask_discard, args=(True,))
