"""Charts for the statistics page: Altair through Streamlit, each with a table view and a CSV download.

Numbers and dates follow the UI language (Danish: 1.234 and 12,5 %), in the charts through a Vega
locale and in tables through a pandas Styler (fmt_number), the numbers themselves kept for sorting. Every table is an aggregate; no call rows reach this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from advisory import stats
from console.i18n import current_language, fmt_date, fmt_number, label, t

_DA_LOCALE = alt.Locale(
    number={"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]},
    time={
        "dateTime": "%A den %d. %B %Y %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
        "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        "months": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
                   "oktober", "november", "december"],
        "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    },
)


@dataclass(frozen=True)
class Column:
    """One column of a table view: where it comes from, its header key and how to show it."""

    source: str
    header: str  # i18n key
    kind: str = "count"  # text | count | decimal | percent | change | date


COMPARISON = [
    Column("label", "statistics.col_label", "text"), Column("current", "statistics.col_current"),
    Column("previous", "statistics.col_previous"), Column("share_current", "statistics.col_share_current", "percent"),
    Column("share_previous", "statistics.col_share_previous", "percent"),
    Column("change", "statistics.col_change", "change"),
]


def labelled(table: pd.DataFrame, key: str, kind: str) -> pd.DataFrame:
    """The table with a `label` column: the display name of each code in column `key`."""
    return table.assign(label=[label(kind, value) for value in table[key]])


def _localised(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    # In Danish without Vega's screen-reader texts, which it writes in English ("X-axis titled ... for a
    # linear scale", each bar as "previous: 3; label: ..."): the table tab holds the same figures.
    # In either language the marks themselves are kept from assistive technology (configure_mark: Vega would
    # otherwise give each mark container a role but no name, which axe reports as serious): the chart is
    # described as a whole, and the table tab beside it holds the same figures for a screen reader.
    if current_language() == "da":
        chart = chart.configure(locale=_DA_LOCALE, aria=False)
    else:
        chart = chart.configure(aria=False)
    return chart.configure_mark(aria=False).properties(description=t("statistics.chart_description"))


def _percent(value: float | None, *, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = f"{fmt_number(value * 100, 1)} %"
    return f"+{text}" if signed and value > 0 else text


def change_text(value: float | None) -> str | None:
    """+12,5 % (None without a previous figure to compare with)."""
    return None if value is None else _percent(value, signed=True)


def _cell(value, kind: str) -> str:
    if kind == "text":
        return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    if kind == "date":
        return fmt_date(value)
    if kind in ("percent", "change"):
        return _percent(value, signed=kind == "change")
    return fmt_number(value, 1 if kind == "decimal" else 0)


def export_frame(table: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """The aggregate with translated headers and raw numbers (what the CSV holds)."""
    return pd.DataFrame({t(c.header): table[c.source].to_numpy() for c in columns})


def screen_frame(table: pd.DataFrame, columns: Sequence[Column]) -> Styler:
    """The same table for the screen: numbers stay numbers (so a column sorts as numbers, 12 before 1.002),
    shown in the UI language through a pandas Styler (Danish 1.002 and 12,5 %)."""
    frame = export_frame(table, columns)
    formats = {t(c.header): (lambda v, kind=c.kind: _cell(v, kind)) for c in columns}
    return frame.style.format(formats)


def show(chart: alt.TopLevelMixin | None, table: pd.DataFrame, columns: Sequence[Column], *, key: str) -> None:
    """Chart and table in two tabs, and the table as CSV."""
    if chart is not None:
        chart_tab, table_tab = st.tabs([t("statistics.chart"), t("statistics.table")])
        with chart_tab:
            st.altair_chart(_localised(chart), width="stretch", key=f"statistics_chart_{key}")  # type: ignore[call-overload]  # any top-level chart

    else:
        table_tab = st.container()  # type: ignore[assignment]  # the table alone, where the tab would be
    with table_tab:
        st.dataframe(screen_frame(table, columns), hide_index=True, width="stretch", placeholder="",
                     key=f"statistics_table_{key}")
    st.download_button(
        t("common.download_csv"), data=stats.csv_bytes(export_frame(table, columns)),
        file_name=f"{t('statistics.csv_file')}-{key}.csv", mime="text/csv", key=f"statistics_csv_{key}",
    )


# --- the charts -----------------------------------------------------------------------------------


def comparison_bars(frame: pd.DataFrame, *, shares: bool = True) -> alt.TopLevelMixin:
    """Horizontal bars for this period, in the frame's order, with a tick at the previous period.

    `frame` has label, current, previous (and share_current when `shares`).
    """
    base = alt.Chart(frame).encode(y=alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)))
    tooltip = [alt.Tooltip("label:N", title=t("statistics.col_label")),
               alt.Tooltip("current:Q", title=t("statistics.col_current"), format=",d"),
               alt.Tooltip("previous:Q", title=t("statistics.col_previous"), format=",d")]
    if shares:
        tooltip.append(alt.Tooltip("share_current:Q", title=t("statistics.col_share_current"), format=".1%"))
    bars = base.mark_bar().encode(
        x=alt.X("current:Q", title=t("statistics.bar_axis"), axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=tooltip,
    )
    ticks = base.mark_tick(color="#222222", thickness=2).encode(x="previous:Q", tooltip=tooltip)
    return alt.layer(bars, ticks).properties(height=alt.Step(26))


def trend(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Calls per ISO week; weeks only partly in the period get a light dot so they do not read as a drop."""
    data = frame.assign(label=frame["week"].astype(str), monday=[fmt_date(d) for d in frame["week_start"]],
                        full=frame["days"] == 7)
    base = alt.Chart(data).encode(
        x=alt.X("label:O", sort=None, title=t("statistics.col_week_number"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("calls:Q", title=t("statistics.col_calls"), axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("label:O", title=t("statistics.col_week_number")),
                 alt.Tooltip("monday:N", title=t("statistics.col_week")),
                 alt.Tooltip("calls:Q", title=t("statistics.col_calls"), format=",d"),
                 alt.Tooltip("days:Q", title=t("statistics.col_days"))],
    )
    points = base.mark_point(filled=True, size=60).encode(
        opacity=alt.condition("datum.full", alt.value(1.0), alt.value(0.3)))
    return alt.layer(base.mark_line(), points).properties(height=260)


def heatmap(frame: pd.DataFrame) -> alt.Chart:
    """Average calls per weekday and hour; hours no one calls at are left out at both ends."""
    used = frame.loc[frame["calls"] > 0, "hour"]
    first, last = (int(used.min()), int(used.max())) if len(used) else (8, 16)
    data = frame[frame["hour"].between(first, last)]
    days = [t(f"statistics.weekday.{day}") for day in range(7)]
    data = data.assign(day=[days[d] for d in data["weekday"]])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title=t("statistics.col_hour"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:N", sort=days, title=None),
        color=alt.Color("per_day:Q", title=t("statistics.col_per_day"), scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("day:N", title=t("statistics.col_weekday")),
                 alt.Tooltip("hour:O", title=t("statistics.col_hour")),
                 alt.Tooltip("per_day:Q", title=t("statistics.col_per_day"), format=",.1f"),
                 alt.Tooltip("calls:Q", title=t("statistics.col_calls"), format=",d")],
    ).properties(height=alt.Step(30))
