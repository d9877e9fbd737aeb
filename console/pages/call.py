"""Opkald / Call: the live call. The profile on the left, the script it selects on the right, then saved.

Everything typed lives in the session state (console/call_form.py holds its keys) and is autosaved as a
draft in the database on every change, so a reload, a new login or a crash loses nothing
(console/components/call_state.py). The form is evaluated once per change (services/calls.py: profile,
script with the red flags answered "yes", disposition and follow-up suggestion).
"""

import streamlit as st

from advisory import access
from console import auth, clock
from console.components import call_state, call_wrap_up, profile_form, script_view
from console.components.library_entries import current_library
from console.i18n import current_language, t

user = auth.require(access.takes_calls)
lang = current_language()
# Less empty space above the title: the script's answers are to be in view without scrolling (1400x900).
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.5rem}</style>")
st.title(t("nav.call"))


@st.fragment
def workspace() -> None:
    # A fragment: a change in the form reruns this part only, not the router and the page around it.
    if not call_state.is_active():
        # The call ended in between (saved or discarded, e.g. Ctrl+Enter in the notes applies the text,
        # which reruns this fragment, and saves the call in the same keystroke): show the page as it is now.
        st.rerun(scope="app")
    call = call_state.call()
    evaluation, errors = call_state.evaluate_call(call_state.today(), lang)
    if evaluation.profile is not None:
        call["last_profile"] = evaluation.profile.model_dump(mode="json")
    script = evaluation.script
    call_wrap_up.suggest_follow_up(script)
    banner = st.container()  # always there, so a red flag's banner does not move the form below it
    if evaluation.disposition_text is not None:
        with banner:
            script_view.disposition_banner(evaluation.disposition_text)  # a red flag outranks everything
    library = current_library()
    form_column, script_column = st.columns([2, 3], gap="large")
    with form_column:
        profile_form.profile_form(errors, own_column=True)  # nothing after it in its column
    with script_column:
        if evaluation.profile is None:
            missing = errors.get("activity_level", t("call.script_waiting"))
            st.warning(t("call.script_fallback") if script else missing, icon=":material/edit_note:")
        script_view.script_view(script, profile=evaluation.shown_profile, library=library, lang=lang)
    wrap_up(library, lang, ends_call=evaluation.ends_call)


@st.fragment
def wrap_up(library, lang: str, *, ends_call: bool) -> None:
    # A fragment in the fragment: a change in the wrap-up (notes, outcome, follow-up, consent, contact) reruns
    # this part only, as nothing above depends on it; a change above reruns both. Its last act is the
    # autosave, so every change, here or above, is saved.
    if not call_state.is_active():
        st.rerun(scope="app")  # the call ended in the same keystroke (Ctrl+Enter in the notes), as above
    call_wrap_up.wrap_up(library=library, lang=lang, ends_call=ends_call)
    call_state.autosave()


if not call_state.is_active():
    call_state.lobby(user)
    st.stop()
call_state.recover()
clock.call_clock(call_state.call().started_at)  # counts in the browser: no timer, no rerun
workspace()
call_state.save_bar(user, lang)
