"""Tables (st.dataframe) that write dates the way the UI language does, and never show "None".

Pass the rows with real values: a `datetime` (stored UTC) is shown in Danish local time as 26.11.2026
kl. 14:05, a `date` as 26.11.2026 (2026-11-26 14:05 and 2026-11-26 in English), through column formats,
so a click on the column's header still sorts by time rather than by the text. A yes/no is written as
"Ja"/"Nej" (a check box column is read aloud as "true"/"false"). An empty cell stays empty (Streamlit
would write "None"). Decimals are passed as text from `fmt_number`: Streamlit's number formats write a
decimal point whatever the language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
import streamlit as st

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
         width: Literal["stretch", "content"] | int = "stretch") -> None:
    """Show `rows` (dicts with the same keys, in column order); `row_style` (CSS) colours every row."""
    frame, config = prepare(rows, current_language())
    data = frame.style.apply(lambda row: [row_style] * len(row), axis=1) if row_style else frame
    st.dataframe(data, hide_index=True, column_config=config, placeholder="", width=width, key=key)
