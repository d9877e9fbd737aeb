"""Call log at scale: page, count and follow-up queries and a full export on a 1,000,000-call SQLite DB.

    .venv/bin/python bench/call_log.py [--calls 1000000] [--db bench/.cache/calls-1m.db] [--rebuild] [--export-only] [--split-from CALLS]

Builds the database with the demo generator (or reuses the cached one) and prints ONE JSON line:
calls, page_ms (slowest of four first-page queries), count_ms (slowest of their counts),
follow_ups_ms (slowest follow-up query), export_peak_mb (peak resident memory of a full streamed CSV
export with contact details, measured in a subprocess; a large export runs a second process,
services.export_worker, whose peak is export_worker_peak_mb, and export_total_peak_mb is the two together),
export_s and export_cpu_s (its wall-clock and CPU seconds, the CPU of the exporting process and its worker
together), seed_s when it built the database, and the figures per query. Each query is timed warm, as the
median of five runs. --export-only: only the export (and the calls counted), on the database as it is.
Targets: page < 150 ms, count < 500 ms, export < 300 MB and < 30 s (issue 25).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from db.engine import get_engine, session_scope  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Call, User  # noqa: E402
from db.repositories import call_log, follow_ups  # noqa: E402
from db.repositories.call_log import CallFilters  # noqa: E402
from db.repositories.users import StaffUser  # noqa: E402
from services.demo import seed_demo  # noqa: E402

DEFAULT_DB = ROOT / "bench" / ".cache" / "calls-1m.db"
RUNS = 5


def _timed(action) -> float:
    action()  # warm the page cache and the statement cache
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        action()
        samples.append((time.perf_counter() - began) * 1000)
    return round(sorted(samples)[len(samples) // 2], 1)  # the median (bench/statistics.py shadows the stdlib)


def _staff(session, username: str) -> StaffUser:
    user = session.execute(select(User).where(User.username == username)).scalar_one()
    return StaffUser(id=user.id, username=user.username, display_name=user.display_name, role=user.role)


def _prepare(url: str, path: Path, calls: int, rebuild: bool) -> float | None:
    if rebuild and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    engine = get_engine(url)
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(Call)).scalar_one()
    if have >= calls:
        return None
    began = time.perf_counter()
    seed_demo(engine, calls=calls - have, with_users=True, seed=1, progress=_progress)
    print(file=sys.stderr)
    return round(time.perf_counter() - began, 1)


def _progress(done: int, total: int) -> None:
    width = 40
    filled = width * done // max(total, 1)
    print(f"\rseeding [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}", end="", file=sys.stderr)


def _export_child(url: str, split_from: int | None) -> None:
    """Run in a subprocess: a full CSV export to a temporary file; print peak RSS and rows."""
    from services import exports

    if split_from is not None:
        exports.PARALLEL_MIN_ROWS = split_from

    with session_scope(get_engine(url)) as session, tempfile.TemporaryFile() as target:
        supervisor = _staff(session, "sofie")
        began, cpu = time.perf_counter(), _cpu_seconds()
        result = exports.export_calls(session, filters=CallFilters(), viewer=supervisor, fmt="csv",
                                      include_contact=True, target=target)
        seconds, cpu = time.perf_counter() - began, _cpu_seconds() - cpu
        size = target.tell()
    peak, worker_peak = _peak_rss_mb(), exports.last_worker_peak_mb
    print(json.dumps({"rows": result.rows, "peak_mb": round(peak, 1),
                      "worker_peak_mb": None if worker_peak is None else round(worker_peak, 1),
                      "total_peak_mb": round(peak + (worker_peak or 0), 1), "seconds": round(seconds, 1),
                      "cpu_seconds": round(cpu, 1), "file_mb": round(size / 1e6, 1)}))


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that ended (the export's worker)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own address space; ru_maxrss
    would also count the parent's memory at fork time (Linux carries it over exec), i.e. the seeding."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_peak(url: str, split_from: int | None) -> dict:
    split = [] if split_from is None else ["--split-from", str(split_from)]
    done = subprocess.run([sys.executable, __file__, "--export-child", url, *split], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export_figures(export: dict) -> dict:
    return {"export_peak_mb": export["peak_mb"], "export_worker_peak_mb": export["worker_peak_mb"],
            "export_total_peak_mb": export["total_peak_mb"], "export_s": export["seconds"],
            "export_cpu_s": export["cpu_seconds"], "export_rows": export["rows"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true", help="delete the cached database first")
    parser.add_argument("--export-only", action="store_true",
                        help="only the export, on the database as it is (built by an earlier run)")
    parser.add_argument("--split-from", type=int, metavar="CALLS",
                        help="split the export across two processes from this many calls on "
                             "(default: services.exports.PARALLEL_MIN_ROWS)")
    parser.add_argument("--export-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        _export_child(args.export_child, args.split_from)
        return

    url = f"sqlite:///{args.db.resolve()}"
    if args.export_only:
        if not args.db.exists():
            parser.error(f"{args.db} does not exist: build it first (without --export-only)")
        with get_engine(url).connect() as conn:
            calls = conn.execute(select(func.count()).select_from(Call)).scalar_one()
        print(json.dumps({"calls": calls, **_export_figures(_export_peak(url, args.split_from))}))
        return
    seed_s = _prepare(url, args.db, args.calls, args.rebuild)
    engine = get_engine(url)
    with session_scope(engine) as session:
        supervisor, advisor = _staff(session, "sofie"), _staff(session, "rikke")
        calls = session.execute(select(func.count()).select_from(Call)).scalar_one()
        newest = session.execute(select(func.max(Call.started_at))).scalar_one()
    today = newest.date()
    cases = {
        "unfiltered": (supervisor, CallFilters()),
        "advisor_last_30_days": (advisor, CallFilters(date_from=today - timedelta(days=30), date_to=today)),
        "group": (supervisor, CallFilters(group_ids=("function_limited",))),
        "topic": (supervisor, CallFilters(topics=("balance",))),
    }
    page, count = {}, {}
    with session_scope(engine) as session:
        for name, (viewer, filters) in cases.items():
            page[name] = _timed(lambda v=viewer, f=filters: call_log.list_calls(session, filters=f, viewer=v))
            count[name] = _timed(lambda v=viewer, f=filters: call_log.count_calls(session, filters=f, viewer=v))
        follow = {
            "all_overdue": _timed(lambda: follow_ups.list_open(session, viewer=supervisor, scope="all",
                                                               bucket="overdue", today=today)),
            "mine_upcoming": _timed(lambda: follow_ups.list_open(session, viewer=advisor, scope="mine",
                                                                 bucket="upcoming", today=today)),
            "all_counts": _timed(lambda: follow_ups.count_open(session, viewer=supervisor, scope="all",
                                                               today=today)),
        }
    export = _export_peak(url, args.split_from)
    figures = {
        "calls": calls,
        "page_ms": max(page.values()),
        "count_ms": max(count.values()),
        "follow_ups_ms": max(follow.values()),
        **_export_figures(export),
        "page_ms_by_query": page,
        "count_ms_by_query": count,
        "follow_ups_ms_by_query": follow,
    }
    if seed_s is not None:
        figures["seed_s"] = seed_s
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
