"""The caller profile form of the call page, drawn from its table (console/call_form.py: PROFILE_FORM).

Widgets read their values from `st.session_state` (the call's defaults and a resumed draft are put there
before the form renders), so no widget is given a default of its own. Numbers are text fields read the way
Danes type them ("-2,6", "−2,6", "-2.6"): what was typed stays in the field, and a number that cannot be
read gets its message beside it. `persist_state="session"` keeps what was typed when the advisor looks at
another page during the call.
"""

from __future__ import annotations

from itertools import groupby
from typing import Final

import streamlit as st

from advisory.vocab import codes
from console.call_form import (
    FRACTURES_KNOWN,
    PROFILE_FORM,
    ROW_WIDTHS,
    TRI_STATE,
    WHEN_KINDS,
    CallState,
    ProfileField,
    item_key,
    key,
)
from console.i18n import current_language, labeller, t, translate

KEEP: Final = "session"


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


# --- fracture rows ------------------------------------------------------------------------------------


def _add_row() -> None:
    CallState(st.session_state).add_fracture_row()


def _remove_row(row: int) -> None:
    CallState(st.session_state).remove_fracture_row(row)


def _known_changed(field: ProfileField) -> None:
    call = CallState(st.session_state)
    if call[field.name] == "yes" and not call.fracture_rows:
        call.add_fracture_row()


def _fracture_row(call: CallState, number: int, row: int) -> None:
    call.fracture_row_defaults(row)
    with st.container(border=True):
        site, when = st.columns([1, 1])
        site.selectbox(t("profile.fracture_site", n=number), codes("fracture_site"), index=None,
                       key=item_key("fx_site", row), format_func=labeller("fracture_site"),
                       placeholder=t("profile.choose"), persist_state=KEEP)
        when.radio(t("profile.fracture_when"), WHEN_KINDS, key=item_key("fx_when", row), horizontal=True,
                   format_func=_label("when"), persist_state=KEEP)
        kind = call.item("fx_when", row)
        if kind == "weeks":
            st.text_input(t("profile.weeks_ago"), key=item_key("fx_weeks", row), max_chars=4, persist_state=KEEP)
        elif kind == "month":
            month, year = st.columns([1, 1])
            month.selectbox(t("profile.month"), list(range(1, 13)), index=None, key=item_key("fx_month", row),
                            format_func=_label("month"), placeholder=t("profile.choose"), persist_state=KEEP)
            year.text_input(t("profile.year"), key=item_key("fx_year", row), max_chars=4, persist_state=KEEP)
        else:
            st.caption(t("profile.when_unknown_help"))
        energy, remove = st.columns([3, 1], vertical_alignment="bottom")
        energy.checkbox(t("profile.low_energy"), key=item_key("fx_low_energy", row),
                        help=t("profile.low_energy_help"), persist_state=KEEP)
        remove.button(t("profile.remove_fracture"), key=item_key("remove_fracture", row), on_click=_remove_row,
                      args=(row,), type="tertiary")


def _fractures(call: CallState, field: ProfileField) -> None:
    st.radio(t(f"profile.{field.field}"), FRACTURES_KNOWN, key=field.key, horizontal=True,
             format_func=_label("fractures"), on_change=_known_changed, args=(field,), persist_state=KEEP)
    if call[field.name] == "yes":
        for number, row in enumerate(call.fracture_rows, start=1):
            _fracture_row(call, number, row)
        st.button(t("profile.add_fracture"), key=key("add_fracture"), on_click=_add_row, icon=":material/add:")


# --- one widget per row of the table ------------------------------------------------------------------


def _widget(call: CallState, field: ProfileField, errors: dict[str, str]) -> None:
    label, help_text = t(f"profile.{field.field}"), t(field.help) if field.help else None
    if field.widget == "radio":
        st.radio(label, codes(field.kind), index=None, key=field.key, format_func=labeller(field.kind),
                 help=help_text, persist_state=KEEP)
    elif field.widget == "select":
        st.selectbox(label, codes(field.kind), index=None, key=field.key, format_func=labeller(field.kind),
                     placeholder=t("profile.choose"), help=help_text, persist_state=KEEP)
    elif field.widget == "number":
        st.text_input(label, key=field.key, max_chars=8, help=help_text, persist_state=KEEP)
    elif field.widget == "yes_no":
        st.radio(label, TRI_STATE, key=field.key, horizontal=True, format_func=_label("answer"), help=help_text,
                 persist_state=KEEP)
    elif field.widget == "topics":
        st.multiselect(label, codes(field.kind), key=field.key, format_func=labeller(field.kind),
                       placeholder=t("profile.choose_topics"), select_all=False, help=help_text, persist_state=KEEP)
    elif field.widget == "fractures":
        with st.container():  # fracture rows come and go without moving the fields below
            _fractures(call, field)
    if field.widget != "yes_no":
        _error(errors, field.field)
    if field.hint_if_positive:
        hint = st.container()
        if call.positive(field) and field.field not in errors:
            hint.caption(t(field.hint_if_positive))


def _column(call: CallState, fields: list[ProfileField], errors: dict[str, str]) -> None:
    for field in fields:
        if field.shown_if is None:
            _widget(call, field, errors)
            continue
        with st.container():  # comes and goes without moving what follows
            if call.shown(field):
                _widget(call, field, errors)


def profile_form(errors: dict[str, str]) -> None:
    """The profile widgets in the table's rows and columns, each with the message for its field."""
    st.subheader(t("profile.title"))
    call = CallState(st.session_state)
    for row, in_row in groupby(PROFILE_FORM, key=lambda field: field.place[0]):
        by_column = [list(fields) for _, fields in groupby(in_row, key=lambda field: field.place[1])]
        if len(by_column) == 1:
            _column(call, by_column[0], errors)
            continue
        for column, fields in zip(st.columns(list(ROW_WIDTHS.get(row, [1] * len(by_column)))), by_column,
                                  strict=True):
            with column:
                _column(call, fields, errors)
