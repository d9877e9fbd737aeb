"""The caller profile form of the call page: fast keyboard entry, defaults, messages beside the fields.

Widgets read their values from `st.session_state` (the call's defaults and a resumed draft are put there
before the form renders), so no widget is given a default of its own. Numbers are text fields read the way
Danes type them ("-2,6", "−2,6", "-2.6"): what was typed stays in the field, and a number that cannot be
read gets its message beside it (console/call_draft.py). `persist_state="session"` keeps what was typed
when the advisor looks at another page during the call.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from advisory.profile import ActivityLevel, Diagnosis, FractureSite, PainLevel, Sex
from advisory.vocab import CallerRole, Relation, Topic
from console.call_draft import FRACTURES_KNOWN, ROW_PREFIXES, TRI_STATE, WHEN_KINDS, t_score_hint
from console.i18n import current_language, labeller, t, translate

KEEP = "session"


def _label(prefix: str):
    # The language is bound now: Streamlit may call format_func outside the page's run.
    lang = current_language()
    return lambda value: translate(f"profile.{prefix}_{value}", lang)


def _error(errors: dict[str, str], field: str) -> None:
    # Always one container, message or not: an element that comes and goes would shift the widgets after it
    # to new places on the page, and the browser redraws a moved text field empty for a moment (what was
    # typed in it meanwhile looked lost).
    slot = st.container()
    if field in errors:
        slot.error(errors[field], icon=":material/warning:")


def _select(field: str, key: str, options, errors: dict[str, str]) -> None:
    """A vocabulary field (its kind is the field's name), its options labelled from labels.yaml."""
    st.selectbox(t(f"profile.{field}"), [option.value for option in options], index=None, key=key,
                 format_func=labeller(field), placeholder=t("profile.choose"), persist_state=KEEP)
    _error(errors, field)


def _tri_state(field: str, key: str) -> None:
    st.radio(t(f"profile.{field}"), TRI_STATE, key=key, horizontal=True, format_func=_label("answer"),
             persist_state=KEEP)


def _number(field: str, key: str, errors: dict[str, str], help_key: str | None = None) -> None:
    st.text_input(t(f"profile.{field}"), key=key, max_chars=8, help=t(help_key) if help_key else None,
                  persist_state=KEEP)
    _error(errors, field)


# --- fracture rows ------------------------------------------------------------------------------------


def _add_row() -> None:
    rows = st.session_state.setdefault("call_fx_rows", [])
    rows.append(max(rows, default=0) + 1)


def _remove_row(row: int) -> None:
    st.session_state["call_fx_rows"] = [r for r in st.session_state.get("call_fx_rows", []) if r != row]
    for prefix in ROW_PREFIXES:
        st.session_state.pop(f"{prefix}{row}", None)


def _known_changed() -> None:
    if st.session_state.get("call_fractures_known") == "yes" and not st.session_state.get("call_fx_rows"):
        _add_row()


def _fracture_row(number: int, row: int) -> None:
    st.session_state.setdefault(f"call_fx_when_{row}", "weeks")
    st.session_state.setdefault(f"call_fx_low_energy_{row}", True)
    with st.container(border=True):
        site, when = st.columns([1, 1])
        site.selectbox(t("profile.fracture_site", n=number), [s.value for s in FractureSite], index=None,
                       key=f"call_fx_site_{row}", format_func=labeller("fracture_site"), placeholder=t("profile.choose"),
                       persist_state=KEEP)
        when.radio(t("profile.fracture_when"), WHEN_KINDS, key=f"call_fx_when_{row}", horizontal=True,
                   format_func=_label("when"), persist_state=KEEP)
        kind = st.session_state[f"call_fx_when_{row}"]
        if kind == "weeks":
            st.text_input(t("profile.weeks_ago"), key=f"call_fx_weeks_{row}", max_chars=4, persist_state=KEEP)
        elif kind == "month":
            month, year = st.columns([1, 1])
            month.selectbox(t("profile.month"), list(range(1, 13)), index=None, key=f"call_fx_month_{row}",
                            format_func=_label("month"), placeholder=t("profile.choose"), persist_state=KEEP)
            year.text_input(t("profile.year"), key=f"call_fx_year_{row}", max_chars=4, persist_state=KEEP)
        else:
            st.caption(t("profile.when_unknown_help"))
        energy, remove = st.columns([3, 1], vertical_alignment="bottom")
        energy.checkbox(t("profile.low_energy"), key=f"call_fx_low_energy_{row}", help=t("profile.low_energy_help"),
                        persist_state=KEEP)
        remove.button(t("profile.remove_fracture"), key=f"call_remove_fracture_{row}", on_click=_remove_row,
                      args=(row,), type="tertiary")


def _fractures(errors: dict[str, str]) -> None:
    st.radio(t("profile.fractures"), FRACTURES_KNOWN, key="call_fractures_known", horizontal=True,
             format_func=_label("fractures"), on_change=_known_changed, persist_state=KEEP)
    if st.session_state.get("call_fractures_known") == "yes":
        for number, row in enumerate(st.session_state.get("call_fx_rows") or [], start=1):
            _fracture_row(number, row)
        st.button(t("profile.add_fracture"), key="call_add_fracture", on_click=_add_row, icon=":material/add:")
    _error(errors, "fractures")


# --- the form -----------------------------------------------------------------------------------------


def profile_form(errors: dict[str, str], *, today: date) -> None:
    """The profile widgets, each with the message for its field when the profile is invalid."""
    st.subheader(t("profile.title"))
    st.radio(t("profile.activity_level"), [a.value for a in ActivityLevel], index=None, key="call_activity_level",
             format_func=labeller("activity_level"), help=t("profile.activity_level_help"), persist_state=KEEP)
    _error(errors, "activity_level")

    role, age = st.columns(2)
    with role:
        _select("caller_role", "call_caller_role", CallerRole, errors)
        with st.container():  # comes and goes without moving what follows
            if st.session_state.get("call_caller_role") == CallerRole.relative:
                _select("relation", "call_relation", Relation, errors)
    with age:
        _number("age", "call_age", errors)
    sex, diagnosis = st.columns(2)
    with sex:
        _select("sex", "call_sex", Sex, errors)
    with diagnosis:
        _select("diagnosis", "call_diagnosis", Diagnosis, errors)
    score, pain = st.columns(2)
    with score:
        _number("t_score", "call_t_score", errors, "profile.t_score_help")
        hint = st.container()
        if t_score_hint(st.session_state) and "t_score" not in errors:
            hint.caption(t("profile.t_score_positive"))
    with pain:
        _select("pain", "call_pain", PainLevel, errors)

    with st.container():  # fracture rows come and go without moving the fields below
        _fractures(errors)

    falls, fear_falling = st.columns([1, 2])
    with falls:
        _number("falls_last_year", "call_falls", errors)
    with fear_falling:
        _tri_state("fear_of_falling", "call_fear_falling")
    fear, aid, physio = st.columns([1, 1, 1])
    with fear:
        _tri_state("fear_of_movement", "call_fear")
    with aid:
        _tri_state("walking_aid", "call_walking_aid")
    with physio:
        _tri_state("in_physiotherapy", "call_physio")
    st.multiselect(t("profile.topics"), [topic.value for topic in Topic], key="call_topics",
                   format_func=labeller("topic"), placeholder=t("profile.choose_topics"), select_all=False,
                   persist_state=KEEP)
    _error(errors, "topics")
