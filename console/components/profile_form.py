"""The caller profile form of the call page, drawn from its table (console/call_form.py: PROFILE_FORM).

Widgets read their values from `st.session_state` (the call's defaults and a resumed draft are put there
before the form renders), so no widget is given a default of its own. Numbers are text fields read the way
Danes type them ("-2,6", "−2,6", "-2.6"): what was typed stays in the field, and a number that cannot be
read gets its message beside it. `persist_state="session"` keeps what was typed when the advisor looks at
another page during the call.
"""

from __future__ import annotations

from contextlib import nullcontext
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


def _message(call: CallState, field: ProfileField, errors: dict[str, str], *, ends_container: bool) -> None:
    # The field's message, or else its hint (a T-score typed without a minus), under the widget. Always in one
    # container of its own when something follows in the same container: an element that comes and goes would
    # shift the widgets after it to new places on the page, and the browser redraws a moved text field empty
    # for a moment (what was typed in it meanwhile looked lost). A field that ends its container (the last in
    # a column) needs none: nothing after it can move, and one element fewer is redrawn per change.
    has_message = field.widget != "yes_no"
    if not has_message and not field.hint_if_positive:
        return
    with nullcontext() if ends_container else st.container():
        if has_message and field.field in errors:
            st.error(errors[field.field], icon=":material/warning:")
        elif field.hint_if_positive and call.positive(field):
            st.caption(t(field.hint_if_positive))


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
        # Side by side in equal shares, without a column around each (fewer elements per change).
        with st.container(horizontal=True, wrap=False, gap="small"):
            st.selectbox(t("profile.fracture_site", n=number), codes("fracture_site"), index=None,
                         key=item_key("fx_site", row), format_func=labeller("fracture_site"),
                         placeholder=t("profile.choose"), persist_state=KEEP, width="stretch")
            st.radio(t("profile.fracture_when"), WHEN_KINDS, key=item_key("fx_when", row), horizontal=True,
                     format_func=_label("when"), persist_state=KEEP, width="stretch")
        kind = call.item("fx_when", row)
        if kind == "weeks":
            st.text_input(t("profile.weeks_ago"), key=item_key("fx_weeks", row), max_chars=4, persist_state=KEEP)
        elif kind == "month":
            with st.container(horizontal=True, wrap=False, gap="small"):
                st.selectbox(t("profile.month"), list(range(1, 13)), index=None, key=item_key("fx_month", row),
                             format_func=_label("month"), placeholder=t("profile.choose"), persist_state=KEEP,
                             width="stretch")
                st.text_input(t("profile.year"), key=item_key("fx_year", row), max_chars=4, persist_state=KEEP,
                              width="stretch")
        else:
            st.caption(t("profile.when_unknown_help"))
        with st.container(horizontal=True, wrap=False, vertical_alignment="bottom", gap="small"):
            st.checkbox(t("profile.low_energy"), key=item_key("fx_low_energy", row),
                        help=t("profile.low_energy_help"), persist_state=KEEP, width="stretch")
            st.button(t("profile.remove_fracture"), key=item_key("remove_fracture", row), on_click=_remove_row,
                      args=(row,), type="tertiary")


def _fractures(call: CallState, field: ProfileField) -> None:
    st.radio(t(f"profile.{field.field}"), FRACTURES_KNOWN, key=field.key, horizontal=True,
             format_func=_label("fractures"), on_change=_known_changed, args=(field,), persist_state=KEEP)
    if call[field.name] == "yes":
        for number, row in enumerate(call.fracture_rows, start=1):
            _fracture_row(call, number, row)
        st.button(t("profile.add_fracture"), key=key("add_fracture"), on_click=_add_row, icon=":material/add:")


# --- one widget per row of the table ------------------------------------------------------------------


def _widget(call: CallState, field: ProfileField, errors: dict[str, str], *, ends_container: bool,
            with_message: bool = True) -> None:
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
                 persist_state=KEEP, width="stretch")
    elif field.widget == "topics":
        st.multiselect(label, codes(field.kind), key=field.key, format_func=labeller(field.kind),
                       placeholder=t("profile.choose_topics"), select_all=False, help=help_text, persist_state=KEEP)
    elif field.widget == "fractures":
        with st.container():  # fracture rows and the message come and go without moving the fields below
            _fractures(call, field)
            _message(call, field, errors, ends_container=True)  # the last in this container
        return
    if with_message:
        _message(call, field, errors, ends_container=ends_container)


def _column(call: CallState, fields: list[ProfileField], errors: dict[str, str], *, own_column: bool) -> None:
    # `own_column`: nothing follows these fields in their container, so the last one ends it.
    before: ProfileField | None = None  # the field whose message shares the next field's container
    for index, field in enumerate(fields):
        last = own_column and index == len(fields) - 1
        if field.shown_if is None:
            following = fields[index + 1] if index + 1 < len(fields) else None
            # A field followed by one its value shows (the caller's role, then the relation) puts its message
            # in that one's container, which is always there: one container fewer per change. Nothing moves: a
            # message means the value is not valid, and so the field it shows is not shown.
            shares = following is not None and following.shown_if is not None and following.shown_if[0] == field.name
            _widget(call, field, errors, ends_container=last, with_message=not shares)
            before = field if shares else None
            continue
        with st.container():  # comes and goes without moving what follows
            if before is not None:
                _message(call, before, errors, ends_container=True)
                before = None
            if call.shown(field):
                _widget(call, field, errors, ends_container=True)


def profile_form(errors: dict[str, str], *, own_column: bool = False) -> None:
    """The profile widgets in the table's rows and columns, each with the message for its field.

    `own_column`: the form is drawn in a container of its own (nothing after it), so its last field ends it."""
    st.subheader(t("profile.title"))
    call = CallState(st.session_state)
    last_row = PROFILE_FORM[-1].place[0]
    for row, in_row in groupby(PROFILE_FORM, key=lambda field: field.place[0]):
        by_column = [list(fields) for _, fields in groupby(in_row, key=lambda field: field.place[1])]
        if len(by_column) == 1:
            _column(call, by_column[0], errors, own_column=own_column and row == last_row)
            continue
        if row not in ROW_WIDTHS and all(len(fields) == 1 and fields[0].widget == "yes_no"
                                         and fields[0].shown_if is None for fields in by_column):
            # Questions that are one widget each and nothing under it: side by side in equal shares without a
            # column around each (one container instead of one per column plus theirs).
            with st.container(horizontal=True, wrap=False, gap="small"):
                for (field,) in by_column:
                    _widget(call, field, errors, ends_container=True)
            continue
        for column, fields in zip(st.columns(list(ROW_WIDTHS.get(row, [1] * len(by_column)))), by_column,
                                  strict=True):
            with column:
                _column(call, fields, errors, own_column=True)
