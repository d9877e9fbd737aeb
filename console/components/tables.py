"""Tables (st.dataframe) that write dates the way the UI language does, and never show "None".

Pass the rows with real values: a `datetime` (stored UTC) is shown in Danish local time as 26.11.2026
kl. 14:05, a `date` as 26.11.2026 (2026-11-26 14:05 and 2026-11-26 in English), through column formats,
so a click on the column's header still sorts by time rather than by the text. A yes/no is written as
"Ja"/"Nej" (a check box column is read aloud as "true"/"false"). An empty cell stays empty (Streamlit
would write "None"). Numbers stay numbers, shown through a pandas Styler in the language's way
(Streamlit's own number formats write a decimal point whatever the language), so they still sort.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
import streamlit as st

from advisory import formatting
from advisory.formatting import to_local
from console.i18n import current_language, translate

DATE_FORMATS = {"da": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
DATETIME_FORMATS = {"da": "DD.MM.YYYY [kl.] HH:mm", "en": "YYYY-MM-DD HH:mm"}


def _kind(values: Iterable[Any]) -> str | None:
    present = [value for value in values if value is not None]
    if present and all(isinstance(value, bool) for value in present):
        return "bool"
    if present and all(isinstance(value, datetime) for value in present):
        return "datetime"
    if present and all(isinstance(value, date) and not isinstance(value, datetime) for value in present):
        return "date"
    return None


def prepare(rows: Iterable[Mapping[str, Any]], lang: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table's frame (times in local time) and the column formats for `lang`."""
    table: list[dict[str, Any]] = [dict(row) for row in rows]
    columns = list(table[0]) if table else []
    config: dict[str, Any] = {}
    for name in columns:
        kind = _kind(row.get(name) for row in table)
        if kind == "datetime":
            for row in table:
                if row.get(name) is not None:
                    row[name] = to_local(row[name]).replace(tzinfo=None)
            config[name] = st.column_config.DatetimeColumn(name, format=DATETIME_FORMATS[lang])
        elif kind == "date":
            config[name] = st.column_config.DateColumn(name, format=DATE_FORMATS[lang])
        elif kind == "bool":
            words = {True: translate("common.yes", lang), False: translate("common.no", lang)}
            for row in table:
                if row.get(name) is not None:
                    row[name] = words[row[name]]
    return pd.DataFrame(table, columns=columns), config


def show(rows: Iterable[Mapping[str, Any]], *, key: str | None = None, row_style: str | None = None,
         width: Literal["stretch", "content"] | int = "stretch", selectable: bool = False) -> int | None:
    """Show `rows` (dicts with the same keys, in column order); `row_style` (CSS) colours every row.

    Numbers stay numbers (they sort as numbers) and are shown the UI language's way through a pandas
    Styler (Danish 1.002 and 2,5). With `selectable` (and a `key`) a click on a row selects it: the
    row's index is returned on the run right after the click (None otherwise), so the page opens it once
    and its select box stays free for the keyboard."""
    lang = current_language()
    frame, config = prepare(rows, lang)
    styler = frame.style.format(_number_formats(frame, lang))
    if row_style:
        styler = styler.apply(lambda row: [row_style] * len(row), axis=1)
    if not selectable or key is None:
        st.dataframe(styler, hide_index=True, column_config=config, placeholder="", width=width, key=key)
        return None
    event = st.dataframe(styler, hide_index=True, column_config=config, placeholder="", width=width, key=key,
                         on_select="rerun", selection_mode="single-row")
    picked = event.selection.rows
    chosen = picked[0] if picked else None
    seen = f"{key}__clicked"
    if chosen == st.session_state.get(seen):
        return None
    st.session_state[seen] = chosen
    return chosen


def _number_formats(frame: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Danish (or English) thousands and decimal marks for the numeric columns; ids stay as they are."""
    formats: dict[str, Any] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
            continue
        if str(name).strip().lower() in ("id", "#", "nr.", "no."):
            continue
        formats[name] = lambda v: "" if pd.isna(v) else formatting.format_number(
            v, lang, 0 if float(v).is_integer() else 1)
    return formats
