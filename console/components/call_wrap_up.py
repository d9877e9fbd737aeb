"""The end of a call: library entries attached from the search, notes, outcome, follow-up, contact details.

The follow-up date follows the script's suggestion (the end of the healing phase), computed in the same run
as the script, until the advisor picks another date; it is ticked only when there is a way to reach the member (consent and a phone number
or e-mail), else only suggested. Contact fields appear only once the caller has consented, and are dropped
again when the consent is withdrawn. A relative is asked whether the member agreed to guidance being sent
to the relative. After a 112 disposition none of this is asked.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import streamlit as st

from advisory.library import Library
from advisory.script import CallScript
from advisory.vocab import CallerRole, codes
from console.call_form import WRAP_UP_BY_NAME, CallState, item_key, key, search_prefix
from console.components.call_state import field_error, today
from console.components.library_entries import entry_body, escape_md
from console.components.search_panel import search_panel
from console.i18n import current_language, fmt_date, labeller, t
from db.models import NOTES_MAX_CHARS

KEEP: Final = "session"


def suggest_follow_up(script: CallScript | None) -> None:
    """Prefill the follow-up from the script; call before the follow-up widgets are drawn."""
    if script is None:
        return
    call = CallState(st.session_state)
    suggested = script.follow_up_on.isoformat() if script.follow_up_on else None
    previous = call["follow_up_suggested"]
    if suggested == previous:
        return
    call["follow_up_suggested"] = suggested
    if call["follow_up_own"]:
        return  # the advisor chose a date of their own: leave it
    default_reason = t("call.follow_up_reason_healing")
    call.suggestion_set_follow_up()  # the tick and the reason are drawn anew with the values set here
    if suggested:
        call["follow_up_on"] = date.fromisoformat(suggested)
        # "We call you" needs a way to reach the member: without one the follow-up is suggested, not ticked.
        call["follow_up_keep"] = call.has_contact()
        if not call["follow_up_reason"]:
            call["follow_up_reason"] = default_reason
    elif previous:  # the suggestion went away (the fracture date was corrected)
        call["follow_up_on"] = None
        call["follow_up_keep"] = False
        if call["follow_up_reason"] == default_reason:
            call["follow_up_reason"] = ""


# --- library entries attached to the call ---------------------------------------------------------------


def _detach(slug: str) -> None:
    CallState(st.session_state).detach(slug)


def _show_search(show: bool) -> None:
    CallState(st.session_state)["search_dialog"] = show


def _close_search(_slug: str | None = None) -> None:
    _show_search(False)


def _search_body(library: Library, lang: str) -> None:
    if not CallState(st.session_state)["search_dialog"]:
        # An entry was just attached (its callback closed the search): rerun the page, which closes the
        # dialog (a click inside a dialog reruns only the dialog) and shows the entry under the call.
        st.rerun()
    search_panel(library, key_prefix=search_prefix(), lang=lang, today=today(), on_used=_close_search)


def _attached(call: CallState, library: Library, lang: str) -> None:
    st.button(t("call.search_library"), key=key("search_open"), icon=":material/search:", shortcut="Ctrl+K",
              on_click=_show_search, args=(True,))
    for slug in call.attached:
        entry = library.get(slug)
        with st.expander(escape_md(entry.text(lang).title) if entry else slug, icon=":material/attach_file:"):
            if entry is not None:
                entry_body(entry, lang)
            st.button(t("call.detach"), key=item_key("detach", slug), on_click=_detach, args=(slug,), type="tertiary")
    if call["search_dialog"]:
        # The open state lives in the session, so the dialog survives reruns until used or dismissed.
        dialog = st.dialog(t("call.search_title"), width="large", on_dismiss=_close_search)
        dialog(_search_body)(library, lang)


# --- follow-up and contact ------------------------------------------------------------------------------


def _take(name: str, widget_key: str) -> None:
    CallState(st.session_state).take_from_widget(name, widget_key)


def _date_picked(widget_key: str) -> None:
    CallState(st.session_state).pick_follow_up(widget_key)


def _follow_up(call: CallState) -> None:
    suggested = call["follow_up_suggested"]
    # The tick and the reason hold the call's values (`follow_up_keep`, `follow_up_reason`), which the script's
    # suggestion may set; like the date, their widgets' keys change when it does (see VERSIONED).
    keep_key = call.follow_up_widget_key("follow_up_keep_pick")
    keep = st.checkbox(t("call.follow_up_keep") if suggested else t("call.follow_up_add"),
                       value=bool(call["follow_up_keep"]), key=keep_key, on_change=_take,
                       args=("follow_up_keep", keep_key))
    suggestion = st.container()  # always there, so the fields below stay in place
    if suggested:
        suggestion.caption(t("call.follow_up_suggested", date=fmt_date(date.fromisoformat(suggested))))
    date_format = "DD.MM.YYYY" if current_language() == "da" else "YYYY-MM-DD"
    # The date is the call's value (`follow_up_on`), set by the script's suggestion in this same run or by
    # the advisor's pick; the widget's key names it, so a new suggestion is a new widget showing it, and a
    # value the browser sends for the old one (a change made while this run was on its way) is ignored.
    pick = call.follow_up_pick_key
    st.date_input(t("call.follow_up_on"), value=call["follow_up_on"], key=pick, format=date_format,
                  disabled=not keep, on_change=_date_picked, args=(pick,))
    reason_key = call.follow_up_widget_key("follow_up_reason_pick")
    st.text_input(t("call.follow_up_reason"), value=call["follow_up_reason"] or "", key=reason_key,
                  disabled=not keep, max_chars=200, on_change=_take, args=("follow_up_reason", reason_key))
    callback = keep and not call.has_contact()
    field_error("follow_up_reason", ends_container=not callback)  # the last in its column unless the tick follows
    if callback:
        st.checkbox(t("call.callback_by_member"), key=key("callback_by_member"), help=t("call.callback_help"),
                    persist_state=KEEP)


def _consent_changed() -> None:
    call = CallState(st.session_state)
    if not call["consent"]:
        call.drop_contact()


# Contact widgets: the call form's row, its label and the most it holds (CallCreate's limits).
_CONTACT_WIDGETS = (("contact_name", 128), ("contact_member_number", 32), ("contact_phone", 32),
                    ("contact_email", 254))


def _contact_field(name: str, max_chars: int) -> None:
    st.text_input(t(f"call.{name}"), key=WRAP_UP_BY_NAME[name].key, max_chars=max_chars, persist_state=KEEP)
    field_error(name, ends_container=True)  # the last in its column


def _contact(call: CallState) -> None:
    st.checkbox(t("call.consent"), key=key("consent"), on_change=_consent_changed, help=t("call.consent_help"),
                wrap=True, persist_state=KEEP)
    if call["caller_role"] == CallerRole.relative:
        st.checkbox(t("call.third_party_consent"), key=key("third_party_consent"),
                    help=t("call.third_party_consent_help"), wrap=True, persist_state=KEEP)
    if not call["consent"]:
        return
    name, number = st.columns([2, 1])
    with name:
        _contact_field(*_CONTACT_WIDGETS[0])
    with number:
        _contact_field(*_CONTACT_WIDGETS[1])
    phone, email = st.columns([1, 2])
    with phone:
        _contact_field(*_CONTACT_WIDGETS[2])
    with email:
        _contact_field(*_CONTACT_WIDGETS[3])


def wrap_up(*, library: Library, lang: str, ends_call: bool = False) -> None:
    """Notes, outcome, follow-up and contact. After a 112 disposition the call ends: no consent, contact or
    follow-up questions (they wait for a later call; GUIDANCE.md, 4 December 2026)."""
    call = CallState(st.session_state)
    st.markdown(f"---\n\n### {t('call.wrap_up')}")
    with st.container():  # attached entries come and go without moving the notes below
        _attached(call, library, lang)
    notes, right = st.columns([3, 2], gap="large")
    with notes:
        # max_chars shows a counter; CallCreate holds the same limit (NOTES_MAX_CHARS).
        st.text_area(t("call.notes"), key=key("notes"), height=160, persist_state=KEEP,
                     placeholder=t("call.notes_placeholder"), max_chars=NOTES_MAX_CHARS)
        field_error("notes", ends_container=True)  # the last in its column
    with right:
        st.selectbox(t("call.outcome"), codes("outcome"), key=key("outcome"), persist_state=KEEP,
                     format_func=labeller("outcome"), placeholder=t("common.choose"))
        if not ends_call:
            _follow_up(call)
    if ends_call:
        st.info(t("script.emergency_ends_call"), icon=":material/emergency:")
        return
    _contact(call)
