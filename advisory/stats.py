"""Statistics for supervisors: pure pandas shaping of the counts that SQL has already grouped.

Nothing here sees a call row. `db/repositories/stats.py` hands over small frames of counts in an
`Aggregates`; most carry two count columns, `current` and `previous`, for the chosen period and the
period of the same length just before it. `shape()` turns them into the `Dashboard` the page draws.
Only categorical fields are counted, so anonymised calls count like any other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from advisory import spreadsheet
from advisory.formatting import LOCAL_TZ
from advisory.vocab import codes

CURRENT, PREVIOUS = "current", "previous"
COUNTS = [CURRENT, PREVIOUS]

TOP_LIBRARY_ENTRIES = 10


# --- periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Danish local days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[from, to) in UTC: local midnight of the first day to local midnight after the last."""
        return _local_midnight_utc(self.start), _local_midnight_utc(self.end + timedelta(days=1))


def _local_midnight_utc(day: date) -> datetime:
    # Danish clocks never change at midnight, so local midnight always exists and is unique.
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def last_days(today: date, days: int = 30) -> Period:
    """The `days` days up to and including today (the page's default: the last 30 days)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return Period(today - timedelta(days=days - 1), today)


# --- small numbers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Relative change from the previous period (0.25 = 25 % more); None when there is no base."""
        return relative_change(self.current, self.previous)


def metrics_table(metrics: Mapping[str, Metric]) -> pd.DataFrame:
    """label, current, previous, change: one row per named metric (for a table view)."""
    return pd.DataFrame({
        "label": list(metrics),
        CURRENT: [m.current for m in metrics.values()],
        PREVIOUS: [m.previous for m in metrics.values()],
        "change": [m.change for m in metrics.values()],
    })


def relative_change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def weighted_median(values: Sequence[float] | pd.Series, weights: Sequence[float] | pd.Series) -> float | None:
    """The median of `values` each repeated `weights` times (mean of the two middle ones when even).

    Durations arrive as (seconds, number of calls) pairs, so SQLite and PostgreSQL give the same median
    without either computing it.
    """
    frame = pd.DataFrame({"value": list(values), "weight": list(weights)})
    frame = frame[frame["weight"] > 0].sort_values("value")
    total = int(frame["weight"].sum())
    if total == 0:
        return None
    cumulative = frame["weight"].cumsum().to_numpy()
    sorted_values = frame["value"].to_numpy()

    def at(position: int) -> float:  # 0-based position in the expanded, sorted list
        return float(sorted_values[(cumulative > position).argmax()])

    return (at((total - 1) // 2) + at(total // 2)) / 2


def duration_metrics(durations: pd.DataFrame) -> dict[str, Metric]:
    """Number of calls, mean and median duration (seconds) from `duration_seconds, current, previous`."""
    values = {}
    for column in COUNTS:
        weights = durations[column] if len(durations) else pd.Series(dtype="int64")
        total = int(weights.sum())
        mean = float((durations["duration_seconds"] * weights).sum() / total) if total else None
        median = weighted_median(durations["duration_seconds"], weights) if total else None
        values[column] = (total, mean, median)
    return {
        name: Metric(values[CURRENT][index], values[PREVIOUS][index])
        for index, name in enumerate(("calls", "mean_seconds", "median_seconds"))
    }


# --- breakdowns -----------------------------------------------------------------------------------


def counts_table(frame: pd.DataFrame, key: str, *, order: Sequence[str] = (),
                 totals: Mapping[str, float | None] | None = None) -> pd.DataFrame:
    """Counts per `key` for both periods with each key's share of `totals` (default: the column sums).

    Keys in `order` always appear (with zero counts), in that order; other keys follow, largest first.
    Shares of a period without calls are NaN rather than a misleading 0.
    """
    summed = frame.groupby(key, dropna=True)[COUNTS].sum() if len(frame) else pd.DataFrame(columns=COUNTS)
    extras = sorted((k for k in summed.index if k not in order), key=lambda k: (-summed.loc[k, CURRENT], k))
    table = summed.reindex(list(order) + extras, fill_value=0).astype("int64")
    table.index.name = key
    table = table.reset_index()
    for column in COUNTS:
        total = totals[column] if totals is not None else table[column].sum()
        table[f"share_{column}"] = table[column] / total if total else math.nan
    table["change"] = [relative_change(c, p) for c, p in zip(table[CURRENT], table[PREVIOUS], strict=True)]
    return table


def top(table: pd.DataFrame, key: str, n: int) -> pd.DataFrame:
    """The `n` largest rows by current count (ties by key), leaving out keys never counted."""
    used = table[(table[CURRENT] > 0) | (table[PREVIOUS] > 0)]
    return used.sort_values([CURRENT, key], ascending=[False, True]).head(n).reset_index(drop=True)


# --- time -----------------------------------------------------------------------------------------


def local_hours(hourly: pd.DataFrame) -> pd.DataFrame:
    """`hour` (UTC, whole hours) and `calls` with the Danish local time of each hour added as `local`."""
    hours = pd.to_datetime(hourly["hour"], utc=True)
    return pd.DataFrame({"local": hours.dt.tz_convert(LOCAL_TZ), "calls": hourly["calls"].astype("int64")})


def weekday_counts(period: Period) -> pd.Series:
    """How many Mondays, Tuesdays ... the period has (index 0 = Monday)."""
    days = pd.date_range(period.start, period.end, freq="D")
    return pd.Series(days.day_of_week).value_counts().reindex(range(7), fill_value=0).sort_index()


def weekday_hour(hourly: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Calls by local weekday (0 = Monday) and hour (0-23), all 168 cells, for the staffing heatmap.

    `per_day` is the average for one such weekday in the period (calls / number of those weekdays).
    """
    local = local_hours(hourly)
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    if len(local):
        counts = local.groupby([local["local"].dt.day_of_week, local["local"].dt.hour])["calls"].sum()
        counts.index.names = ["weekday", "hour"]
    else:
        counts = pd.Series(dtype="int64")
    table = counts.reindex(grid, fill_value=0).astype("int64").rename("calls").reset_index()
    occurrences = table["weekday"].map(weekday_counts(period))
    table["per_day"] = (table["calls"] / occurrences.where(occurrences > 0)).fillna(0.0)
    return table


def weekly(hourly: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Calls per local week (`week_start` = its Monday, `week` = its ISO number) for every week the
    period touches.

    `days` says how many of the week's days lie in the period, so a short first or last week is
    recognisable and not read as a drop.
    """
    first = period.start - timedelta(days=period.start.weekday())
    weeks = pd.date_range(first, period.end, freq="7D").date
    local = local_hours(hourly)
    if len(local):
        days = local["local"].dt.date
        starts = [day - timedelta(days=day.weekday()) for day in days]
        counts = local["calls"].groupby(starts).sum()
    else:
        counts = pd.Series(dtype="int64")
    table = pd.DataFrame({"week_start": weeks, "week": [start.isocalendar().week for start in weeks]})
    table["calls"] = table["week_start"].map(counts).fillna(0).astype("int64")
    table["days"] = [
        (min(start + timedelta(days=6), period.end) - max(start, period.start)).days + 1 for start in weeks
    ]
    return table


# --- follow-ups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUps:
    open_now: int
    overdue_now: int
    due: Metric  # follow-ups due in each period
    done: Metric  # of those, closed as done


def follow_ups(frame: pd.DataFrame) -> FollowUps:
    """From `status, total, overdue, due_current, due_previous` (one row per status).

    `total` counts every follow-up with that status, `overdue` those due before today, `due_*` those
    due within each period.
    """
    by_status = frame.set_index("status")

    def value(status: str, column: str) -> int:
        return int(by_status[column].get(status, 0))

    return FollowUps(
        open_now=value("open", "total"),
        overdue_now=value("open", "overdue"),
        due=Metric(int(by_status["due_current"].sum()), int(by_status["due_previous"].sum())),
        done=Metric(value("done", "due_current"), value("done", "due_previous")),
    )


# --- the whole dashboard --------------------------------------------------------------------------


def _empty(*columns: str) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="int64") for column in columns})


@dataclass(frozen=True)
class Aggregates:
    """What SQL hands over: small frames of counts, never call rows.

    profile: group_id, caller_role, disposition, advisor_id, current, previous
    durations: duration_seconds, current, previous
    hourly: hour (UTC, whole hours), calls (chosen period only)
    topics: topic, current, previous
    library: slug, kind, title_da, title_en, current, previous
    referrals: channel, current, previous (referrals sent in each period)
    follow_ups: status, total, overdue, due_current, due_previous
    advisors: advisor id -> display name
    """

    profile: pd.DataFrame = field(default_factory=lambda: _empty(
        "group_id", "caller_role", "disposition", "advisor_id", CURRENT, PREVIOUS))
    durations: pd.DataFrame = field(default_factory=lambda: _empty("duration_seconds", CURRENT, PREVIOUS))
    hourly: pd.DataFrame = field(default_factory=lambda: _empty("hour", "calls"))
    topics: pd.DataFrame = field(default_factory=lambda: _empty("topic", CURRENT, PREVIOUS))
    library: pd.DataFrame = field(default_factory=lambda: _empty(
        "slug", "kind", "title_da", "title_en", CURRENT, PREVIOUS))
    referrals: pd.DataFrame = field(default_factory=lambda: _empty("channel", CURRENT, PREVIOUS))
    follow_ups: pd.DataFrame = field(default_factory=lambda: _empty(
        "status", "total", "overdue", "due_current", "due_previous"))
    advisors: dict[int, str] = field(default_factory=dict)
    # Instead of `durations`, when the counting already knows them: per period (current, previous) the
    # number of calls, the sum of their seconds and the median (None without calls).
    duration_summary: Mapping[str, DurationSummary] | None = None


@dataclass(frozen=True)
class DurationSummary:
    calls: int
    seconds: int
    median: float | None


def summary_metrics(summary: Mapping[str, DurationSummary]) -> dict[str, Metric]:
    """The same metrics as `duration_metrics`, from counts, sums and medians found elsewhere."""
    def mean(s: DurationSummary) -> float | None:
        return s.seconds / s.calls if s.calls else None

    now, before = summary[CURRENT], summary[PREVIOUS]
    return {"calls": Metric(now.calls, before.calls), "mean_seconds": Metric(mean(now), mean(before)),
            "median_seconds": Metric(now.median, before.median)}


@dataclass(frozen=True)
class Dashboard:
    period: Period
    metrics: dict[str, Metric]  # calls, median_seconds, mean_seconds, red_flag_calls, referrals_sent
    follow_ups: FollowUps
    groups: pd.DataFrame  # group_id, current, previous, share_current, share_previous, change
    roles: pd.DataFrame  # caller_role, ...
    red_flags: pd.DataFrame  # disposition, ... (shares of all calls)
    topics: pd.DataFrame  # topic, ... (shares of all calls: a call may have several topics)
    library: pd.DataFrame  # slug, kind, title_da, title_en, ... (the most used entries)
    referrals: pd.DataFrame  # channel, ...
    advisors: pd.DataFrame  # advisor_id, name, ...
    heatmap: pd.DataFrame  # weekday, hour, calls, per_day
    weekly: pd.DataFrame  # week_start, week, calls, days

    @property
    def calls(self) -> int:
        return int(self.metrics["calls"].current or 0)


def shape(data: Aggregates, period: Period) -> Dashboard:
    metrics = (duration_metrics(data.durations) if data.duration_summary is None
               else summary_metrics(data.duration_summary))
    totals = {CURRENT: metrics["calls"].current, PREVIOUS: metrics["calls"].previous}
    red_flags = counts_table(data.profile, "disposition", order=codes("disposition"), totals=totals)
    referrals = counts_table(data.referrals, "channel", order=codes("channel"))
    metrics["red_flag_calls"] = Metric(int(red_flags[CURRENT].sum()), int(red_flags[PREVIOUS].sum()))
    metrics["referrals_sent"] = Metric(int(referrals[CURRENT].sum()), int(referrals[PREVIOUS].sum()))
    library = counts_table(data.library, "slug", totals=totals)
    details = data.library.drop_duplicates("slug").set_index("slug")
    for column in ("kind", "title_da", "title_en"):
        library[column] = library["slug"].map(details[column]) if len(details) else pd.Series(dtype="object")
    advisors = counts_table(data.profile, "advisor_id", totals=totals)
    advisors.insert(1, "name", advisors["advisor_id"].map(lambda i: data.advisors.get(int(i), f"#{i}")))
    return Dashboard(
        period=period,
        metrics=metrics,
        follow_ups=follow_ups(data.follow_ups),
        groups=counts_table(data.profile, "group_id", order=codes("group")),
        roles=counts_table(data.profile, "caller_role", order=codes("caller_role")),
        red_flags=red_flags,
        topics=counts_table(data.topics, "topic", order=codes("topic"), totals=totals),
        library=top(library, "slug", TOP_LIBRARY_ENTRIES),
        referrals=referrals,
        advisors=advisors.sort_values([CURRENT, "name"], ascending=[False, True]).reset_index(drop=True),
        heatmap=weekday_hour(data.hourly, period),
        weekly=weekly(data.hourly, period),
    )


# --- export ---------------------------------------------------------------------------------------

def csv_bytes(table: pd.DataFrame) -> bytes:
    """The aggregate as CSV a Danish spreadsheet opens directly, in the one format of every export
    (advisory.spreadsheet: ";" between fields, decimal comma, UTF-8 with BOM, formula text neutralised)."""
    return spreadsheet.csv_bytes(table.itertuples(index=False, name=None), [str(c) for c in table.columns])
