"""Opkald / Call: the live call. The profile on the left, the script it selects on the right, then saved.

Everything typed lives in `st.session_state` under `call_*` keys and is autosaved as a draft in the
database on every change, so a reload, a new login or a crash loses nothing (console/call_draft.py,
console/components/call_state.py).
"""

import streamlit as st

from advisory import access
from advisory.profile import profile_errors
from advisory.script import build_script, most_urgent_disposition, red_flags
from console import auth
from console.call_draft import last_valid_profile, read_profile, ticked
from console.components import call_state, call_wrap_up, profile_form, script_view
from console.components.library_search import current_library
from console.i18n import current_language, t

user = auth.require(access.takes_calls)
lang = current_language()
st.title(t("nav.call"))


@st.fragment
def workspace() -> None:
    # A fragment: a change in the form reruns this part only, not the router and the page around it.
    state = st.session_state
    today = call_state.today()
    profile, error = read_profile(state, today)
    errors = profile_errors(error, lang) if error else {}
    if profile is not None:
        state["call_last_profile"] = profile.model_dump(mode="json")
    shown = profile or last_valid_profile(state)  # while a field is wrong, the last valid profile leads
    script = build_script(shown, today=today, lang=lang) if shown else None
    call_wrap_up.suggest_follow_up(script)
    disposition = most_urgent_disposition(ticked(state, "call_rf_", [flag.id for flag in red_flags(lang)]))
    if disposition:
        script_view.disposition_banner(disposition, lang)
    library = current_library()
    form_column, script_column = st.columns([2, 3], gap="large")
    with form_column:
        profile_form.profile_form(errors, today=today)
    with script_column:
        if profile is None:
            missing = errors.get("activity_level", t("call.script_waiting"))
            st.warning(t("call.script_fallback") if script else missing, icon="✍️")
        script_view.script_view(script, library=library, lang=lang)
    call_wrap_up.wrap_up(library=library, lang=lang)
    call_state.autosave()


if not call_state.is_active():
    call_state.lobby(user)
    st.stop()
call_state.recover()
call_state.timer()
workspace()
call_state.save_bar(user, lang)
