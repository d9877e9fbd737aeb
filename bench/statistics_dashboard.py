"""Statistics at scale: the whole dashboard for 12 months on a 1,000,000-call SQLite database.

    .venv/bin/python bench/statistics_dashboard.py [--calls 1000000] [--db bench/.cache/calls-1m.db] [--rebuild]

Reuses the cached demo database of bench/call_log.py (or builds it with the demo generator; an older
cached database is migrated, which fills the per-day aggregates) and prints ONE JSON line: calls,
aggregate_rows, dashboard_s (all of the page's data, summed from the per-day aggregates, warm, median of
three), after_change_s (the slowest of three dashboards each right after a call was saved), from_calls_s
(the same figures counted from the calls, the way before the aggregates), speedup, period_calls, agree /
agree_after_change (both ways gave the same dashboard), both ways' headline figures, prepare_s, and
with --naive naive_s (every row of the two periods read into pandas). Targets (issue 25): dashboard
< 0.3 s warm, < 1 s after a change, figures identical to the from-scratch computation.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from advisory import stats  # noqa: E402
from advisory.formatting import LOCAL_TZ  # noqa: E402
from advisory.stats import CURRENT, PREVIOUS, Aggregates, Dashboard, Period  # noqa: E402
from db.engine import get_engine, session_scope  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Call,
    CallLibraryEntry,
    CallStatsDay,
    CallTopic,
    FollowUp,
    LibraryEntryRecord,
    Referral,
    User,
)
from db.repositories import stats as stats_repo  # noqa: E402
from db.repositories.users import StaffUser  # noqa: E402
from services.demo import seed_demo  # noqa: E402

DEFAULT_DB = ROOT / "bench" / ".cache" / "calls-1m.db"
RUNS = 3
DAYS = 365


def _prepare(url: str, path: Path, calls: int, rebuild: bool) -> float | None:
    """The same cached database as bench/call_log.py (same generator and seed)."""
    if rebuild and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)  # also brings an older cached database up to the statistics indexes
    engine = get_engine(url)
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(Call)).scalar_one()
    if have >= calls:
        return None
    began = time.perf_counter()
    seed_demo(engine, calls=calls - have, with_users=True, seed=1)
    return round(time.perf_counter() - began, 1)


def _median_seconds(action) -> tuple[float, object]:
    result = action()  # warm the page cache and the statement cache
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - began)
    return round(statistics.median(samples), 3), result


# --- the naive way: every row of both periods into pandas ------------------------------------------


def _read(session, query) -> pd.DataFrame:
    result = session.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def _by_period(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    counts = frame.groupby([*keys, "period"], dropna=False).size().unstack("period", fill_value=0)
    return counts.reindex(columns=[CURRENT, PREVIOUS], fill_value=0).reset_index().rename_axis(columns=None)


def naive_aggregates(session, period: Period, today) -> Aggregates:
    low = period.previous().utc_bounds()[0]
    middle, high = period.utc_bounds()
    in_both = (Call.started_at >= low) & (Call.started_at < high)
    calls = _read(session, select(Call.id, Call.started_at, Call.duration_seconds, Call.group_id, Call.caller_role,
                                  Call.disposition, Call.advisor_id).where(in_both))
    calls["period"] = (calls["started_at"] >= middle).map({True: CURRENT, False: PREVIOUS})
    period_of = calls.set_index("id")["period"]
    topics = _read(session, select(CallTopic.call_id, CallTopic.topic).join(Call).where(in_both))
    library = _read(session, select(CallLibraryEntry.call_id, CallLibraryEntry.slug).join(Call).where(in_both))
    sent = _read(session, select(Referral.channel, Referral.sent_at).where(
        Referral.status == "sent", Referral.sent_at >= low, Referral.sent_at < high))
    sent["period"] = (sent["sent_at"] >= middle).map({True: CURRENT, False: PREVIOUS})
    follow = _read(session, select(FollowUp.status, FollowUp.due_on))
    previous = period.previous()
    follow_ups = follow.groupby("status").agg(
        total=("due_on", "size"), overdue=("due_on", lambda d: int((d < today).sum())),
        due_current=("due_on", lambda d: int(((d >= period.start) & (d <= period.end)).sum())),
        due_previous=("due_on", lambda d: int(((d >= previous.start) & (d <= previous.end)).sum())),
    ).reset_index()
    current = calls[calls["period"] == CURRENT]
    hours = pd.to_datetime(current["started_at"], utc=True).dt.floor("h")
    hourly = hours.value_counts().rename_axis("hour").rename("calls").reset_index()
    library = _by_period(library.assign(period=library["call_id"].map(period_of)), ["slug"])
    titles = _read(session, select(LibraryEntryRecord.slug, LibraryEntryRecord.kind, LibraryEntryRecord.data))
    info = {row.slug: row for row in titles.itertuples()}
    library["kind"] = [info[s].kind if s in info else "" for s in library["slug"]]
    for lang in ("da", "en"):
        library[f"title_{lang}"] = [info[s].data.get(lang, {}).get("title", s) if s in info else s
                                    for s in library["slug"]]
    names = dict(session.execute(select(User.id, User.display_name)).all())
    return Aggregates(
        profile=_by_period(calls, ["group_id", "caller_role", "disposition", "advisor_id"]),
        durations=_by_period(calls, ["duration_seconds"]),
        hourly=hourly,
        topics=_by_period(topics.assign(period=topics["call_id"].map(period_of)), ["topic"]),
        library=library,
        referrals=_by_period(sent, ["channel"]),
        follow_ups=follow_ups,
        advisors={int(i): names.get(int(i), "") for i in calls["advisor_id"].unique()},
    )


def _same(one: Dashboard, other: Dashboard) -> bool:
    if one.metrics != other.metrics or one.follow_ups != other.follow_ups:
        return False
    for name in ("groups", "roles", "red_flags", "topics", "library", "referrals", "advisors", "heatmap", "weekly"):
        try:
            pd.testing.assert_frame_equal(getattr(one, name), getattr(other, name), check_dtype=False)
        except AssertionError:
            return False
    return True


def _figures(board: Dashboard) -> dict:
    m = board.metrics
    return {"calls": m["calls"].current, "previous_calls": m["calls"].previous,
            "median_s": m["median_seconds"].current, "mean_s": round(m["mean_seconds"].current or 0, 3),
            "red_flag_calls": m["red_flag_calls"].current, "referrals_sent": m["referrals_sent"].current,
            "topics": int(board.topics["current"].sum()), "heatmap_calls": int(board.heatmap["calls"].sum())}


def _save_one(engine, advisor_id: int, today) -> None:
    """A change: one call saved now (its aggregates in the same transaction), as the call page saves it."""
    from db.models import CallCreate
    from db.repositories import calls as calls_repo

    started = datetime.now(LOCAL_TZ).replace(year=today.year, month=today.month, day=today.day, hour=10)
    with session_scope(engine) as session:
        calls_repo.save_call(session, data=CallCreate(started_at=started, ended_at=started + pd.Timedelta(minutes=7),
                                                      advisor_id=advisor_id, group_id="function_limited",
                                                      topics=["balance"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true", help="delete the cached database first")
    parser.add_argument("--naive", action="store_true", help="also read every row into pandas (slow)")
    args = parser.parse_args()

    url = f"sqlite:///{args.db.resolve()}"
    began = time.perf_counter()
    seed_s = _prepare(url, args.db, args.calls, args.rebuild)
    prepare_s = round(time.perf_counter() - began, 1)
    engine = get_engine(url)
    with session_scope(engine) as session:
        calls = session.execute(select(func.count()).select_from(Call)).scalar_one()
        newest = session.execute(select(func.max(Call.started_at))).scalar_one()
        sofie = session.execute(select(User).where(User.username == "sofie")).scalar_one()
        rikke = session.execute(select(User.id).where(User.username == "rikke")).scalar_one()
        rows = session.execute(select(func.count()).select_from(CallStatsDay)).scalar_one()
    viewer = StaffUser(id=sofie.id, username=sofie.username, display_name=sofie.display_name, role=sofie.role)
    today = newest.astimezone(LOCAL_TZ).date() if isinstance(newest, datetime) else datetime.now(LOCAL_TZ).date()
    period = stats.last_days(today, DAYS)

    def board() -> Dashboard:
        with session_scope(engine) as session:
            return stats_repo.dashboard(session, viewer=viewer, period=period, today=today)

    def from_calls() -> Dashboard:
        with session_scope(engine) as session:
            return stats_repo.dashboard_from_calls(session, viewer=viewer, period=period, today=today)

    dashboard_s, fast = _median_seconds(board)
    from_calls_s, slow = _median_seconds(from_calls)
    after_change = []
    for _ in range(RUNS):
        _save_one(engine, rikke, today)
        began = time.perf_counter()
        changed = board()
        after_change.append(time.perf_counter() - began)
    agree_after_change = _same(changed, from_calls())
    figures = {
        "calls": calls,
        "aggregate_rows": rows,
        "dashboard_s": dashboard_s,
        "after_change_s": round(max(after_change), 3),
        "from_calls_s": from_calls_s,
        "speedup": round(from_calls_s / dashboard_s, 1),
        "period_calls": fast.calls,
        "agree": _same(fast, slow),
        "agree_after_change": agree_after_change,
        "figures_from_aggregates": _figures(fast),
        "figures_from_calls": _figures(slow),
        "prepare_s": prepare_s,
    }
    if args.naive:
        with session_scope(engine) as session:
            naive_s, naive = _median_seconds(lambda: stats.shape(naive_aggregates(session, period, today), period))
        figures.update(naive_s=naive_s, agree_naive=_same(fast, naive))
    if seed_s is not None:
        figures["seed_s"] = seed_s
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
