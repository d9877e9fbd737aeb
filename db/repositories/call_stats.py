"""The statistics' per-day aggregates (table call_stats_day): kept in step with the calls, rebuilt on demand.

Each call adds one to a row per counted field for its Danish local day: its group, caller role, red-flag
disposition (when there is one), advisor, each topic, each library entry, its duration in whole minutes
(with the seconds summed, for the mean) and its UTC hour (for the weekday/hour heatmap and the weeks).
Period bounds are local days, so sums over days give exactly the figures counting the calls would.

When they change:
- a call is saved: `add_calls` in the same transaction (db/repositories/calls.py, and the demo seeding
  batch by batch);
- a call is edited (notes, outcome), anonymised (purge or erasure): none of the counted fields changes, so
  neither do the aggregates. `restate` is there for any future change of a counted field: take the call
  out before the change and put it back after, in the same transaction.
- `rebuild` (python -m cli rebuild-statistics) computes the table from the calls from scratch; the tests
  hold the kept table equal to `from_calls` after random saves, edits, anonymisations and erasures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from advisory.formatting import to_local
from db.models import Call, CallLibraryEntry, CallStatsDay, CallTopic

_stats = CallStatsDay.__table__
_call = Call.__table__.c
_topic = CallTopic.__table__.c
_library = CallLibraryEntry.__table__.c

DIMENSIONS = ("group", "role", "disposition", "advisor", "topic", "library", "duration", "hour")
REBUILD_CHUNK = 20_000
Key = tuple[str, str, date]  # (dimension, key, local day)
Totals = dict[Key, list[int]]  # -> [calls, seconds]

_FIELDS = (_call.id, _call.started_at, _call.group_id, _call.caller_role, _call.disposition, _call.advisor_id,
           _call.duration_seconds)


def minute_key(seconds: int) -> str:
    """The duration row's key: whole minutes, zero-padded so the keys sort as numbers."""
    return f"{seconds // 60:05d}"


def hour_key(started_at: datetime) -> str:
    return started_at.astimezone(UTC).strftime("%Y-%m-%d %H:00")


def _add(totals: Totals, key: Key, calls: int, seconds: int = 0) -> None:
    entry = totals.get(key)
    if entry is None:
        totals[key] = [calls, seconds]
    else:
        entry[0] += calls
        entry[1] += seconds


def contribute(totals: Totals, row: Any, topics: Iterable[str], slugs: Iterable[str], sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) one call's rows; `row` has the fields of _FIELDS."""
    day = to_local(row.started_at).date()
    _add(totals, ("group", str(row.group_id), day), sign)
    _add(totals, ("role", str(row.caller_role), day), sign)
    if row.disposition is not None:
        _add(totals, ("disposition", str(row.disposition), day), sign)
    _add(totals, ("advisor", str(row.advisor_id), day), sign)
    for topic in topics:
        _add(totals, ("topic", topic, day), sign)
    for slug in slugs:
        _add(totals, ("library", slug, day), sign)
    _add(totals, ("duration", minute_key(row.duration_seconds), day), sign, sign * row.duration_seconds)
    _add(totals, ("hour", hour_key(row.started_at), day), sign)


def _links(conn: Session | Connection, column, key, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if ids:
        condition = column.between(min(ids), max(ids)) if len(ids) > 500 else column.in_(ids)
        wanted = set(ids)
        for call_id, value in conn.execute(select(column, key).where(condition)):
            if call_id in wanted:
                found.setdefault(call_id, []).append(value)
    return found


def _totals(conn: Session | Connection, rows: list[Any], sign: int, totals: Totals | None = None) -> Totals:
    totals = {} if totals is None else totals
    ids = [row.id for row in rows]
    topics = _links(conn, _topic.call_id, _topic.topic, ids)
    slugs = _links(conn, _library.call_id, _library.slug, ids)
    for row in rows:
        contribute(totals, row, topics.get(row.id, ()), slugs.get(row.id, ()), sign)
    return totals


def _dialect(conn: Session | Connection) -> str:
    if isinstance(conn, Session):
        return conn.get_bind().dialect.name
    return conn.dialect.name


def _write(conn: Session | Connection, totals: Totals) -> None:
    """Add `totals` to the table (an upsert per row); rows that come to zero calls go."""
    rows = [{"dimension": d, "key": k, "day": day, "calls": c, "seconds": s}
            for (d, k, day), (c, s) in totals.items() if c or s]
    if not rows:
        return
    insert = postgresql.insert if _dialect(conn) == "postgresql" else sqlite.insert
    statement = insert(_stats)
    statement = statement.on_conflict_do_update(
        index_elements=[_stats.c.dimension, _stats.c.key, _stats.c.day],
        set_={"calls": _stats.c.calls + statement.excluded.calls,
              "seconds": _stats.c.seconds + statement.excluded.seconds})
    conn.execute(statement, rows)
    if any(c < 0 for c, _ in totals.values()):
        days = sorted({day for _, _, day in totals})
        conn.execute(delete(_stats).where(_stats.c.calls <= 0, _stats.c.day.in_(days)))


def add_calls(conn: Session | Connection, condition: ColumnElement[bool], *, sign: int = 1) -> None:
    """Count the calls matching `condition` in (sign 1) or out (sign -1), in the caller's transaction."""
    rows = conn.execute(select(*_FIELDS).where(condition)).all()
    _write(conn, _totals(conn, rows, sign))


def restate(conn: Session | Connection, call_ids: list[int], change) -> Any:
    """Run `change()` (which alters counted fields of these calls) with the calls counted out before and in
    after, in the caller's transaction; returns what `change` returned."""
    condition = _call.id.in_(call_ids)
    add_calls(conn, condition, sign=-1)
    result = change()
    add_calls(conn, condition, sign=1)
    return result


def _chunks(conn: Session | Connection) -> Iterator[list[Any]]:
    last = 0
    while True:
        rows = conn.execute(select(*_FIELDS).where(_call.id > last).order_by(_call.id).limit(REBUILD_CHUNK)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def from_calls(conn: Session | Connection) -> Totals:
    """The table's content computed from every call (what it must equal)."""
    totals: Totals = {}
    for rows in _chunks(conn):
        _totals(conn, rows, 1, totals)
    return {key: value for key, value in totals.items() if value[0] or value[1]}


def stored(conn: Session | Connection) -> Totals:
    """The table's content as kept."""
    return {(row.dimension, row.key, row.day): [row.calls, row.seconds]
            for row in conn.execute(select(_stats)) if row.calls or row.seconds}


def rebuild(conn: Session | Connection) -> int:
    """Replace the table's content with the figures computed from the calls; returns the number of rows."""
    totals = from_calls(conn)
    conn.execute(delete(_stats))
    rows = [{"dimension": d, "key": k, "day": day, "calls": c, "seconds": s}
            for (d, k, day), (c, s) in totals.items()]
    for start in range(0, len(rows), 5000):
        conn.execute(_stats.insert(), rows[start:start + 5000])
    return len(rows)
