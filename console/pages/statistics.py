"""Statistics for supervisors: what the line does, for whom, and where it needs staff.

The figures are summed from per-day aggregates kept as calls are saved (services/statistics.py) and
shaped in pandas (advisory/stats.py); this page picks the period, caches the result (until the calls
change, at most a minute) and draws it.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from advisory import access, stats
from advisory.formatting import LOCAL_TZ, format_duration
from console import auth, shortcuts
from console.components import charts, outbox_view
from console.components.charts import Column
from console.i18n import current_language, fmt_date, fmt_number, label, t
from services import statistics
from services.accounts import StaffUser
from settings import get_settings

viewer = auth.require(access.reads_statistics)

CACHE_SECONDS = 60
PRESETS = (30, 90, 365, "custom")


@st.cache_data(ttl=CACHE_SECONDS, max_entries=32, show_spinner=False)
def _dashboard(database_url: str, start: date, end: date, today: date,
               calls: tuple[int, int], _viewer: StaffUser) -> tuple[stats.Dashboard, datetime]:
    # Keyed on the filters, the database and the calls table's stamp: moving between pages does not count
    # again, while a call saved, seeded (make demo) or erased anywhere is in the figures on the next visit.
    # Changes elsewhere (follow-ups done, letters sent) are in within CACHE_SECONDS or on "Beregn igen".
    # (Only supervisors reach this page; the viewer is checked again by the service, not part of the key.)
    return (statistics.dashboard(_viewer, period=stats.Period(start, end), today=today, database_url=database_url),
            datetime.now(LOCAL_TZ))


def _recompute() -> None:
    _dashboard.clear()
    st.session_state[RECOMPUTED] = True


RECOMPUTED = "statistics_recomputed"  # say so once the figures were computed again (button or shortcut)


def _period(today: date) -> stats.Period | None:
    preset = st.selectbox(t("statistics.preset"), PRESETS, key="statistics_preset",
                          format_func=lambda p: t(f"statistics.preset_{p}"), placeholder=t("common.choose"))
    if isinstance(preset, int):
        return stats.last_days(today, preset)
    default = stats.last_days(today)
    picked = st.date_input(t("statistics.dates"), value=(default.start, default.end), max_value=today,
                           format="DD.MM.YYYY", key="statistics_dates")
    if len(picked) != 2:
        st.info(t("statistics.pick_end"))
        return None
    return stats.Period(*picked)


def _metric(column, label: str, metric: stats.Metric, value: str) -> None:
    # The arrow is set from the number: Streamlit reads a delta as negative only after a hyphen, and Danish
    # writes a real minus sign (−12,5 %).
    change = metric.change
    arrow = "off" if not change else "down" if change < 0 else "up"
    column.metric(label, value, delta=charts.change_text(change), delta_color="off", delta_arrow=arrow)


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else format_duration(seconds, current_language())



st.title(t("statistics.title"))
st.caption(t("statistics.intro"))
today = datetime.now(LOCAL_TZ).date()
period = _period(today)
if period is None:
    st.stop()
database_url = get_settings().DATABASE_URL
with st.spinner(t("statistics.computing")):
    data, computed_at = _dashboard(database_url, period.start, period.end, today,
                                   statistics.calls_stamp(viewer, database_url=database_url), viewer)
previous = period.previous()
caption, refresh = st.columns([5, 1], vertical_alignment="center")
caption.caption(t("statistics.period_caption", start=fmt_date(period.start), end=fmt_date(period.end),
                  days=fmt_number(period.days), previous_start=fmt_date(previous.start),
                  previous_end=fmt_date(previous.end))
                + " " + t("statistics.computed_at", time=computed_at.strftime("%H.%M" if current_language() == "da"
                                                                               else "%H:%M")))
refresh.button(t("statistics.recompute"), key="statistics_recompute", icon=":material/refresh:", type="tertiary",
               on_click=_recompute, shortcut=shortcuts.RECOMPUTE, help=shortcuts.help_text(shortcuts.RECOMPUTE))
if st.session_state.pop(RECOMPUTED, False):
    st.toast(t("statistics.recomputed"), icon=":material/refresh:")

m = data.metrics
top, bottom = st.columns(3), st.columns(3)
_metric(top[0], t("statistics.metric_calls"), m["calls"], fmt_number(m["calls"].current))
_metric(top[1], t("statistics.metric_median"), m["median_seconds"], _minutes(m["median_seconds"].current))
_metric(top[2], t("statistics.metric_mean"), m["mean_seconds"], _minutes(m["mean_seconds"].current))
_metric(bottom[0], t("statistics.metric_red_flags"), m["red_flag_calls"], fmt_number(m["red_flag_calls"].current))
_metric(bottom[1], t("statistics.metric_referrals"), m["referrals_sent"], fmt_number(m["referrals_sent"].current))
bottom[2].metric(t("statistics.metric_follow_ups_open"), fmt_number(data.follow_ups.open_now),
                 delta=t("statistics.metric_follow_ups_overdue", n=fmt_number(data.follow_ups.overdue_now)),
                 delta_color="inverse" if data.follow_ups.overdue_now else "off", delta_arrow="off")

outbox_view.health(viewer)

if not (m["calls"].current or m["calls"].previous):
    st.info(t("statistics.no_calls"))
    st.stop()

st.subheader(t("statistics.section_weekly"))
st.caption(t("statistics.weekly_caption"))
charts.show(charts.trend(data.weekly), data.weekly, [
    Column("week", "statistics.col_week_number"), Column("week_start", "statistics.col_week", "date"),
    Column("calls", "statistics.col_calls"), Column("days", "statistics.col_days")], key="weekly")

st.subheader(t("statistics.section_heatmap"))
st.caption(t("statistics.heatmap_caption"))
heat = data.heatmap.assign(day=[t(f"statistics.weekday.{d}") for d in data.heatmap["weekday"]])
charts.show(charts.heatmap(data.heatmap), heat, [
    Column("day", "statistics.col_weekday", "text"), Column("hour", "statistics.col_hour"),
    Column("calls", "statistics.col_calls"), Column("per_day", "statistics.col_per_day", "decimal")],
    key="weekday_hour")

left, right = st.columns(2)
for column, title, table, key, prefix in (
    (left, "section_groups", data.groups, "group_id", "group"),
    (right, "section_roles", data.roles, "caller_role", "caller_role"),
):
    with column:
        st.subheader(t(f"statistics.{title}"))
        labelled = charts.labelled(table, key, prefix)
        charts.show(charts.comparison_bars(labelled), labelled, charts.COMPARISON, key=key)

left, right = st.columns(2)
with left:
    st.subheader(t("statistics.section_topics"))
    st.caption(t("statistics.topics_caption"))
    topics = charts.labelled(data.topics, "topic", "topic").sort_values("current", ascending=False)
    charts.show(charts.comparison_bars(topics), topics, charts.COMPARISON, key="topics")
with right:
    st.subheader(t("statistics.section_library"))
    library = data.library.assign(label=data.library[f"title_{current_language()}"],
                                  kind_label=[label("entry_kind", k) for k in data.library["kind"]])
    kind = Column("kind_label", "statistics.col_kind", "text")
    charts.show(charts.comparison_bars(library), library, [charts.COMPARISON[0], kind, *charts.COMPARISON[1:]],
                key="library")

left, right = st.columns(2)
with left:
    st.subheader(t("statistics.section_red_flags"))
    st.caption(t("statistics.red_flags_caption"))
    red_flags = charts.labelled(data.red_flags, "disposition", "disposition")
    charts.show(charts.comparison_bars(red_flags), red_flags, charts.COMPARISON, key="red_flags")
with right:
    st.subheader(t("statistics.section_referrals"))
    st.caption(t("statistics.referrals_caption"))
    referrals = charts.labelled(data.referrals, "channel", "channel")
    charts.show(charts.comparison_bars(referrals), referrals, charts.COMPARISON, key="referrals")

left, right = st.columns(2)
with left:
    st.subheader(t("statistics.section_follow_ups"))
    st.caption(t("statistics.follow_ups_caption"))
    follow_ups = stats.metrics_table({t("statistics.follow_ups_due"): data.follow_ups.due,
                                      t("statistics.follow_ups_done"): data.follow_ups.done})
    charts.show(None, follow_ups, [Column("label", "statistics.col_measure", "text"), *charts.COMPARISON[1:3],
                                   charts.COMPARISON[-1]], key="follow_ups")
with right:
    st.subheader(t("statistics.section_advisors"))
    advisors = data.advisors.assign(label=data.advisors["name"])
    charts.show(charts.comparison_bars(advisors), advisors, charts.COMPARISON, key="advisors")
