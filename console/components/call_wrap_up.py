"""The end of a call: library entries attached from the search, notes, outcome, follow-up, contact details.

The follow-up date follows the script's suggestion (the end of the healing phase) until the advisor
picks another date; it is ticked only when there is a way to reach the member (consent and a phone number
or e-mail), else only suggested. Contact fields appear only once the caller has consented, and are dropped
again when the consent is withdrawn. A relative is asked whether the member agreed to guidance being sent
to the relative.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from advisory.library import Library
from advisory.script import CallScript
from advisory.vocab import codes
from console.call_draft import CONTACT_FIELDS
from console.components.call_state import SEARCH_OPEN, field_error, has_contact
from console.components.library_search import entry_body, escape_md, library_search
from console.i18n import current_language, fmt_date, labeller, t
from db.models import NOTES_MAX_CHARS

KEEP = "session"
SUGGESTED = "call_follow_up_suggested"


def suggest_follow_up(script: CallScript | None) -> None:
    """Prefill the follow-up from the script; call before the follow-up widgets are drawn."""
    if script is None:
        return
    state = st.session_state
    suggested = script.follow_up_on.isoformat() if script.follow_up_on else None
    previous = state.get(SUGGESTED)
    if suggested == previous:
        return
    state[SUGGESTED] = suggested
    untouched = state.get("call_follow_up_on") in (None, date.fromisoformat(previous) if previous else None)
    if not untouched:
        return  # the advisor chose a date of their own: leave it
    default_reason = t("call.follow_up_reason_healing")
    if suggested:
        state["call_follow_up_on"] = date.fromisoformat(suggested)
        # "We call you" needs a way to reach the member: without one the follow-up is suggested, not ticked.
        state["call_follow_up_keep"] = has_contact(state)
        if not state.get("call_follow_up_reason"):
            state["call_follow_up_reason"] = default_reason
    elif previous:  # the suggestion went away (the fracture date was corrected)
        state["call_follow_up_on"] = None
        state["call_follow_up_keep"] = False
        if state.get("call_follow_up_reason") == default_reason:
            state["call_follow_up_reason"] = ""


# --- library entries attached to the call ---------------------------------------------------------------


def _attach(slug: str) -> None:
    attached = list(st.session_state.get("call_attached") or [])
    if slug not in attached:
        attached.append(slug)
    st.session_state["call_attached"] = attached
    st.session_state[SEARCH_OPEN] = False


def _detach(slug: str) -> None:
    st.session_state["call_attached"] = [s for s in st.session_state.get("call_attached") or [] if s != slug]


def _show_search(show: bool) -> None:
    st.session_state[SEARCH_OPEN] = show


def _close_search() -> None:
    _show_search(False)


def _search_body(library: Library, lang: str) -> None:
    if not st.session_state.get(SEARCH_OPEN):
        # An entry was just attached (its callback closed the search): rerun the page, which closes the
        # dialog (a click inside a dialog reruns only the dialog) and shows the entry under the call.
        st.rerun()
    used = st.session_state.get("call_attached") or []
    library_search(library, key_prefix="call_search", lang=lang, on_use=_attach, used=used)


def _attached(library: Library, lang: str) -> None:
    st.button(t("call.search_library"), key="call_search_open", icon=":material/search:", shortcut="Ctrl+K",
              on_click=_show_search, args=(True,))
    for slug in st.session_state.get("call_attached") or []:
        entry = library.get(slug)
        with st.expander(escape_md(entry.text(lang).title) if entry else slug, icon=":material/attach_file:"):
            if entry is not None:
                entry_body(entry, lang)
            st.button(t("call.detach"), key=f"call_detach_{slug}", on_click=_detach, args=(slug,), type="tertiary")
    if st.session_state.get(SEARCH_OPEN):
        # The open state lives in the session, so the dialog survives reruns until used or dismissed.
        dialog = st.dialog(t("call.search_title"), width="large", on_dismiss=_close_search)
        dialog(_search_body)(library, lang)


# --- follow-up and contact ------------------------------------------------------------------------------


def _follow_up() -> None:
    suggested = st.session_state.get(SUGGESTED)
    keep = st.checkbox(t("call.follow_up_keep") if suggested else t("call.follow_up_add"), key="call_follow_up_keep",
                       persist_state=KEEP)
    suggestion = st.container()  # always there, so the fields below stay in place
    if suggested:
        suggestion.caption(t("call.follow_up_suggested", date=fmt_date(date.fromisoformat(suggested))))
    date_format = "DD.MM.YYYY" if current_language() == "da" else "YYYY-MM-DD"
    st.date_input(t("call.follow_up_on"), value=None, key="call_follow_up_on", format=date_format,
                  disabled=not keep, persist_state=KEEP)
    st.text_input(t("call.follow_up_reason"), key="call_follow_up_reason", disabled=not keep, max_chars=200,
                  persist_state=KEEP)
    field_error("call_follow_up_reason")
    if keep and not has_contact(st.session_state):
        st.checkbox(t("call.callback_by_member"), key="call_callback_by_member", help=t("call.callback_help"),
                    persist_state=KEEP)


def _consent_changed() -> None:
    if not st.session_state.get("call_consent"):
        for key in CONTACT_FIELDS:
            st.session_state.pop(key, None)


def _contact() -> None:
    st.checkbox(t("call.consent"), key="call_consent", on_change=_consent_changed, help=t("call.consent_help"),
                wrap=True, persist_state=KEEP)
    if st.session_state.get("call_caller_role") == "relative":
        st.checkbox(t("call.third_party_consent"), key="call_third_party_consent",
                    help=t("call.third_party_consent_help"), wrap=True, persist_state=KEEP)
    if not st.session_state.get("call_consent"):
        return
    name, number = st.columns([2, 1])
    with name:
        st.text_input(t("call.contact_name"), key="call_contact_name", max_chars=128, persist_state=KEEP)
        field_error("call_contact_name")
    with number:
        st.text_input(t("call.contact_member_number"), key="call_contact_member_number", max_chars=32,
                      persist_state=KEEP)
        field_error("call_contact_member_number")
    phone, email = st.columns([1, 2])
    with phone:
        st.text_input(t("call.contact_phone"), key="call_contact_phone", max_chars=32, persist_state=KEEP)
        field_error("call_contact_phone")
    with email:
        st.text_input(t("call.contact_email"), key="call_contact_email", max_chars=254, persist_state=KEEP)
        field_error("call_contact_email")


def wrap_up(*, library: Library, lang: str) -> None:
    st.divider()
    st.subheader(t("call.wrap_up"))
    with st.container():  # attached entries come and go without moving the notes below
        _attached(library, lang)
    notes, right = st.columns([3, 2], gap="large")
    with notes:
        # max_chars shows a counter; CallCreate holds the same limit (NOTES_MAX_CHARS).
        st.text_area(t("call.notes"), key="call_notes", height=160, persist_state=KEEP,
                     placeholder=t("call.notes_placeholder"), max_chars=NOTES_MAX_CHARS)
        field_error("call_notes")
    with right:
        st.selectbox(t("call.outcome"), codes("outcome"), key="call_outcome", persist_state=KEEP,
                     format_func=labeller("outcome"), placeholder=t("common.choose"))
        _follow_up()
    _contact()
