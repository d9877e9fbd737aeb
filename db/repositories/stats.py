"""Aggregates for the statistics page, counted in SQL so only small frames of counts leave the database.

The page reads `dashboard`: sums over the per-day aggregates that are kept as calls are saved
(db/repositories/call_stats.py), a few thousand rows at a million calls. `dashboard_from_calls` counts
the same figures from the calls themselves, as described below; the tests and bench/statistics_dashboard.py
hold the two equal. Both take the viewer and check that it may read statistics.

Each aggregate is one `GROUP BY` over categorical columns that counts the chosen period and the one
before it in a single pass (`count(*) FILTER (WHERE ...)` for each). Shaping (shares, median, local
time) is pandas in advisory/stats.py. Counts only, so SQLite and PostgreSQL give the same numbers: the
median comes from (duration, number of calls) pairs, and the one dialect switch, calls per UTC hour, is
held to identical answers by the tests.

SQLite has no hash aggregation and, without ANALYZE statistics, plans a period filter as a range over
started_at, then a lookup of every call row and a sort: seconds at a million calls. So on SQLite the
period filter is written `+started_at` (a unary plus keeps a term from choosing the index, see
https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_), and SQLite streams
the groups from an index ordered by the grouped columns (migration 0002) without touching the rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import false, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session

from advisory import access, stats
from advisory.access import Viewer
from advisory.stats import CURRENT, PREVIOUS, Aggregates, Dashboard, DurationSummary, Period
from db.models import (
    Call,
    CallLibraryEntry,
    CallStatsDay,
    CallTopic,
    FollowUp,
    LibraryEntryRecord,
    Referral,
    ReferralStatus,
    User,
)

_call = Call.__table__.c


@dataclass(frozen=True)
class _Span:
    """The previous and the chosen period as one time range [start, end), split at `split`."""

    start: datetime
    split: datetime
    end: datetime

    @classmethod
    def of(cls, period: Period) -> _Span:
        split, end = period.utc_bounds()
        return cls(period.previous().utc_bounds()[0], split, end)

    def within(self, column: ColumnElement) -> ColumnElement[bool]:
        return (column >= self.start) & (column < self.end)

    def counts(self, column: ColumnElement) -> list[ColumnElement[int]]:
        """(current, total) for the rows `within`; one filter per row instead of two is measurably faster."""
        return [func.count().filter(column >= self.split), func.count()]


class _Scanned(ColumnElement):
    """A column that SQLite must not use for an index range (rendered `+column` there, plain elsewhere)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement) -> None:
        self.column = column
        self.type = column.type


@compiles(_Scanned)
def _plain(element: _Scanned, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(_Scanned, "sqlite")
def _unary_plus(element: _Scanned, compiler, **kw) -> str:
    return "+" + compiler.process(element.column, **kw)


def _frame(session: Session, query: Select, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=columns)


def _split_frame(session: Session, query: Select, keys: list[str]) -> pd.DataFrame:
    """Run a query of (keys..., *_Span.counts) and give (keys..., current, previous)."""
    frame = _frame(session, query, [*keys, CURRENT, "total"])
    frame[PREVIOUS] = frame["total"] - frame[CURRENT]
    return frame.drop(columns="total")


def _calls_by(session: Session, span: _Span, keys: list[str]) -> pd.DataFrame:
    """Calls per key combination; SQLite reads the ix_call_stats_* index that starts with `keys`."""
    columns = [_call[key] for key in keys]
    query = (select(*columns, *span.counts(_call.started_at)).where(span.within(_Scanned(_call.started_at)))
             .group_by(*columns))
    return _split_frame(session, query, keys)


# --- topics and library entries -------------------------------------------------------------------
# Calls are saved as they end, so ids follow started_at and a period's calls are one run of ids, with
# at most a few strangers in it (a call entered late). Counting a link table's rows by id range from its
# own (key, call_id) index, then taking the strangers' rows away, gives exact counts without joining
# each of a million topic rows to its call.
STRANGERS_BEFORE_JOIN = 5_000
COUNTED = (CURRENT, PREVIOUS)


@dataclass(frozen=True)
class _IdWindow:
    first: int
    last: int
    strangers: tuple[int, ...] | None  # calls in [first, last] that started outside; None: too many

    def holds(self, column: ColumnElement[int]) -> ColumnElement[bool]:
        return column.between(self.first, self.last)


def _id_window(session: Session, start: datetime, end: datetime) -> _IdWindow | None:
    in_period = (_call.started_at >= start) & (_call.started_at < end)
    first, last, calls = session.execute(
        select(func.min(_call.id), func.max(_call.id), func.count()).where(in_period)).one()
    if not calls:
        return None
    in_window = session.execute(select(func.count()).where(_call.id.between(first, last))).scalar_one()
    if in_window == calls:
        return _IdWindow(first, last, ())
    if in_window - calls > STRANGERS_BEFORE_JOIN:
        return _IdWindow(first, last, None)
    strangers = session.execute(select(_call.id).where(_call.id.between(first, last), ~in_period)).scalars()
    return _IdWindow(first, last, tuple(strangers))


def _linked_by(session: Session, span: _Span, windows: dict[str, _IdWindow | None],
               key: InstrumentedAttribute) -> pd.DataFrame:
    """(key, current, previous) for a link-table column: CallTopic.topic or CallLibraryEntry.slug.

    SQLite streams the groups from the link table's (key, call_id) index.
    """
    link = key.class_
    columns = [key.key, CURRENT, PREVIOUS]
    if any(window is not None and window.strangers is None for window in windows.values()):
        # Ids far from time order: join every row to its call instead.
        query = (select(key, *span.counts(_call.started_at)).join(Call, Call.id == link.call_id)
                 .where(span.within(_call.started_at)).group_by(key))
        return _split_frame(session, query, [key.key])
    present = [w for w in windows.values() if w is not None]
    if not present:
        return pd.DataFrame(columns=columns)

    def counts(inside) -> list[ColumnElement[int]]:
        return [func.count().filter(inside(windows[name]) if windows[name] else false()) for name in COUNTED]

    query = (select(key, *counts(lambda w: w.holds(link.call_id)))
             .where(_Scanned(link.call_id).between(min(w.first for w in present), max(w.last for w in present)))
             .group_by(key))
    totals = {row[0]: Counter(dict(zip(COUNTED, row[1:], strict=True))) for row in session.execute(query)}
    strangers = {s for w in present for s in w.strangers}
    if strangers:
        query = select(key, *counts(lambda w: link.call_id.in_(w.strangers)))
        for row in session.execute(query.where(link.call_id.in_(strangers)).group_by(key)):
            totals.setdefault(row[0], Counter()).subtract(dict(zip(COUNTED, row[1:], strict=True)))
    return pd.DataFrame([(value, c[CURRENT], c[PREVIOUS]) for value, c in totals.items()
                         if c[CURRENT] or c[PREVIOUS]], columns=columns)


# --- calls per hour -------------------------------------------------------------------------------
# Grouping by a computed hour makes SQLite sort all the period's calls. Walking the hours instead and
# counting each from the started_at index is several times faster. SQLAlchemy stores SQLite datetimes
# as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', and the bounds are whole hours, so hour strings compare.
_SQLITE_HOURLY = text("""
    WITH RECURSIVE hours(start) AS (
        SELECT :first
        UNION ALL
        SELECT strftime('%Y-%m-%d %H:00:00', start, '+1 hour') FROM hours WHERE start < :last
    )
    SELECT start, calls FROM (
        SELECT start, (SELECT count(*) FROM call
                       WHERE started_at >= start
                         AND started_at < strftime('%Y-%m-%d %H:00:00', start, '+1 hour')) AS calls
        FROM hours
    ) WHERE calls > 0
""")


def _hourly(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Calls per UTC hour of [start, end); pandas moves them to Danish local time."""
    if session.get_bind().dialect.name == "sqlite":
        hour = "%Y-%m-%d %H:00:00"
        query = _SQLITE_HOURLY.bindparams(first=start.strftime(hour), last=(end - timedelta(hours=1)).strftime(hour))
    else:
        truncated = func.date_trunc("hour", func.timezone("UTC", _call.started_at))
        query = (select(truncated, func.count())
                 .where(_call.started_at >= start, _call.started_at < end).group_by(truncated))
    frame = _frame(session, query, ["hour", "calls"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True) if len(frame) else pd.Series(dtype="datetime64[ns, UTC]")
    return frame


# --- the rest -------------------------------------------------------------------------------------


def _follow_ups(session: Session, period: Period, today: date) -> pd.DataFrame:
    """Per status: all follow-ups, those due before today, and those due in each period (local days)."""
    due, previous = FollowUp.due_on, period.previous()
    query = select(
        FollowUp.status, func.count(), func.count().filter(due < today),
        func.count().filter(due.between(period.start, period.end)),
        func.count().filter(due.between(previous.start, previous.end)),
    ).group_by(FollowUp.status)
    return _frame(session, query, ["status", "total", "overdue", "due_current", "due_previous"])


def _with_titles(session: Session, library: pd.DataFrame) -> pd.DataFrame:
    """Kind and titles of the counted entries; an entry no longer in the library keeps its slug."""
    slugs = library["slug"].tolist()
    records = {row.slug: row for row in session.execute(
        select(LibraryEntryRecord.slug, LibraryEntryRecord.kind, LibraryEntryRecord.data)
        .where(LibraryEntryRecord.slug.in_(slugs)))} if slugs else {}

    def title(slug: str, lang: str) -> str:
        text = (records[slug].data.get(lang) or {}).get("title") if slug in records else None
        return text or slug

    return library.assign(
        kind=[records[s].kind if s in records else "" for s in slugs],
        title_da=[title(s, "da") for s in slugs],
        title_en=[title(s, "en") for s in slugs],
    )


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(sorted(ids))))
    return {row.id: row.display_name for row in rows}


def fetch_aggregates_from_calls(session: Session, *, period: Period, today: date) -> Aggregates:
    """All counts the dashboard needs for `period` and the period before it, counted from the calls
    themselves (the from-scratch reference for the kept aggregates); `today` dates "overdue"."""
    span = _Span.of(period)
    profile = _calls_by(session, span, ["group_id", "caller_role", "disposition", "advisor_id"])
    windows = {CURRENT: _id_window(session, span.split, span.end), PREVIOUS: _id_window(session, span.start, span.split)}
    referrals = (select(Referral.channel, *span.counts(Referral.sent_at))
                 .where(Referral.status == ReferralStatus.sent.value, span.within(Referral.sent_at))
                 .group_by(Referral.channel))
    library = _linked_by(session, span, windows, CallLibraryEntry.slug)
    return Aggregates(
        profile=profile,
        durations=_calls_by(session, span, ["duration_seconds"]),
        hourly=_hourly(session, span.split, span.end),
        topics=_linked_by(session, span, windows, CallTopic.topic),
        library=_with_titles(session, library),
        referrals=_split_frame(session, referrals, ["channel"]),
        follow_ups=_follow_ups(session, period, today),
        advisors=_names(session, {int(i) for i in profile["advisor_id"]}),
    )


# --- from the per-day aggregates (db/repositories/call_stats.py) ---------------------------------------
_day = CallStatsDay.__table__.c
_PROFILE = {"group": "group_id", "role": "caller_role", "disposition": "disposition", "advisor": "advisor_id"}


def _duration_median(session: Session, start: datetime, end: datetime, minutes: list[tuple[int, int]]) -> float | None:
    """The exact median duration of the calls in [start, end), from (whole minutes, calls) pairs: the two
    middle positions are found among the minutes, then read from the calls of that minute only (the
    (duration_seconds, started_at) index)."""
    total = sum(calls for _, calls in minutes)
    if not total:
        return None

    def at(position: int) -> float:
        before = 0
        for minute, calls in sorted(minutes):
            if position < before + calls:
                query = (select(_call.duration_seconds)
                         .where(_call.duration_seconds.between(minute * 60, minute * 60 + 59),
                                _call.started_at >= start, _call.started_at < end)
                         .order_by(_call.duration_seconds).offset(position - before).limit(1))
                return float(session.execute(query).scalar_one())
            before += calls
        raise AssertionError("the aggregates count fewer calls than asked for")

    low, high = (total - 1) // 2, total // 2
    first = at(low)
    return (first + (first if high == low else at(high))) / 2


def _frame_of(rows: list[tuple[str, int, int]], key: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[key, CURRENT, PREVIOUS]).astype({CURRENT: "int64", PREVIOUS: "int64"})


def fetch_aggregates(session: Session, *, period: Period, today: date) -> Aggregates:
    """All counts the dashboard needs, summed from the per-day aggregates (a few thousand rows), the median
    read from the calls of one minute's duration; referrals and follow-ups counted as they are."""
    previous = period.previous()
    query = (select(_day.dimension, _day.key, func.sum(_day.calls).filter(_day.day >= period.start),
                    func.sum(_day.calls), func.sum(_day.seconds).filter(_day.day >= period.start),
                    func.sum(_day.seconds))
             .where(_day.dimension != "hour", _day.day.between(previous.start, period.end))
             .group_by(_day.dimension, _day.key))
    found: dict[str, list[tuple[str, int, int]]] = {}
    seconds = {CURRENT: 0, PREVIOUS: 0}
    for dimension, key, current, total, secs_current, secs_total in session.execute(query):
        current, total = int(current or 0), int(total or 0)
        if dimension == "duration":
            seconds[CURRENT] += int(secs_current or 0)
            seconds[PREVIOUS] += int(secs_total or 0) - int(secs_current or 0)
        if current or total:
            found.setdefault(dimension, []).append((key, current, total - current))
    profile_parts = []
    for dimension, column in _PROFILE.items():
        part = _frame_of(found.get(dimension, []), column)
        if dimension == "advisor":
            part[column] = part[column].astype("int64")
        profile_parts.append(part)
    profile = pd.concat(profile_parts, ignore_index=True) if any(len(p) for p in profile_parts) else _frame_of(
        [], "group_id")
    for column in _PROFILE.values():
        if column not in profile:
            profile[column] = None
    profile["advisor_id"] = profile["advisor_id"].astype("Int64")
    minutes = found.get("duration", [])
    span = _Span.of(period)
    summary = {
        CURRENT: DurationSummary(sum(c for _, c, _ in minutes), seconds[CURRENT],
                                 _duration_median(session, span.split, span.end,
                                                  [(int(k), c) for k, c, _ in minutes])),
        PREVIOUS: DurationSummary(sum(p for _, _, p in minutes), seconds[PREVIOUS],
                                  _duration_median(session, span.start, span.split,
                                                   [(int(k), p) for k, _, p in minutes])),
    }
    hourly_rows = session.execute(
        select(_day.key, func.sum(_day.calls))
        .where(_day.dimension == "hour", _day.day.between(period.start, period.end)).group_by(_day.key)).all()
    hourly = pd.DataFrame([(pd.Timestamp(key, tz="UTC"), int(calls)) for key, calls in hourly_rows if calls],
                          columns=["hour", "calls"])
    if not len(hourly):
        hourly["hour"] = pd.Series(dtype="datetime64[ns, UTC]")
    referrals = (select(Referral.channel, *span.counts(Referral.sent_at))
                 .where(Referral.status == ReferralStatus.sent.value, span.within(Referral.sent_at))
                 .group_by(Referral.channel))
    library = _frame_of(found.get("library", []), "slug")
    return Aggregates(
        profile=profile,
        hourly=hourly,
        topics=_frame_of(found.get("topic", []), "topic"),
        library=_with_titles(session, library),
        referrals=_split_frame(session, referrals, ["channel"]),
        follow_ups=_follow_ups(session, period, today),
        advisors=_names(session, {int(key) for key, _, _ in found.get("advisor", [])}),
        duration_summary=summary,
    )


def dashboard(session: Session, *, viewer: Viewer, period: Period, today: date) -> Dashboard:
    """The statistics page's data: summed from the per-day aggregates, shaped in pandas (advisory.stats)."""
    access.require(access.reads_statistics(viewer), "statistics")
    return stats.shape(fetch_aggregates(session, period=period, today=today), period)


def dashboard_from_calls(session: Session, *, viewer: Viewer, period: Period, today: date) -> Dashboard:
    """The same dashboard counted from the calls themselves (slower at a million calls; the reference)."""
    access.require(access.reads_statistics(viewer), "statistics")
    return stats.shape(fetch_aggregates_from_calls(session, period=period, today=today), period)


def calls_stamp(session: Session, *, viewer: Viewer) -> tuple[int, int]:
    """How many calls there are and the newest id: changes whenever calls are saved, seeded or erased, so a
    cached dashboard keyed on it is never older than the calls table (one indexed query)."""
    access.require(access.reads_statistics(viewer), "statistics")
    count, newest = session.execute(select(func.count(Call.id), func.max(Call.id))).one()
    return int(count), int(newest or 0)
