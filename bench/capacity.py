"""Capacity: how many advisors one console instance carries before the page slows down (issue 23).

One real Chromium (bench/browser.py's timing: from the input event to the page at rest, inside the page)
measures what one advisor sees while N other advisors are driven by light clients. A light client speaks
Streamlit's websocket protocol as the browser does: it connects to `/_stcore/stream` with the advisor's
session cookie (a session opened in the database as the login does), sends `BackMsg.rerun_script` with
widget states (for a widget in the call page's fragment: that fragment's id), and reads ForwardMsgs until
the run's `script_finished`. Each light advisor starts a call and makes a call's worth of changes (activity
level, age, T-score, notes), with think time between them (`--think-ms`, ±50 %), spread over the instances.

For each N: the measured advisor's median and p95 (profile changes: activity level and age), both as a ratio
to the floor, the page's own main-thread work per change (`page_parts_median_ms`, as bench/browser.py's
`update_page_ms`; the floor's too), the console processes' CPU per change (every change: light and measured),
and the elements and bytes each change of a light client received. The floor is a bare Streamlit page with one input in a
fragment, timed the same way in the same run. `capacity` is the largest N whose p95 stays under 300 ms.

Setups: one instance on SQLite; two instances on PostgreSQL (`--database-url`, or TEST_DATABASE_URL; a
schema of its own, dropped after), the light clients and the measured advisor on both.

Prints one JSON line; progress goes to stderr.

Run:  .venv/bin/python bench/capacity.py                        (N = 0, 10, 20, 40, 60; 20 samples each)
      .venv/bin/python bench/capacity.py --advisors 0,20,40 --samples 30
      .venv/bin/python bench/capacity.py --smoke               (N = 0 and 2, 2 samples: does it still run?)
Targets (2 cores): capacity ≥ 40 on one instance (p95 < 300 ms); two instances on PostgreSQL ≥ 1.6× one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import browser as chromium_bench  # noqa: E402  (bench/browser.py: the console, Chromium and the timing)

GOAL_MS = 300
FLOOR_APP = '''
import streamlit as st

st.set_page_config(layout="wide")


@st.fragment
def part():
    value = st.text_input("Alder", key="floor_age")
    st.write(f"Alder: {value}")


part()
'''


# --------------------------------------------------------------------------------------------------------
# A light advisor: Streamlit's websocket protocol, no browser.
# --------------------------------------------------------------------------------------------------------


@dataclass
class LightStats:
    changes: int = 0
    deltas: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    by_field: dict[str, list[int]] = field(default_factory=dict)  # widget key -> [changes, elements, bytes]
    # A light advisor's own wait for a profile change (request sent -> its run's "finished" read), ms: the
    # server's part as a client without a page sees it.
    profile_round_trips: list[float] = field(default_factory=list)

    def add(self, key: str, deltas: int, size: int, round_trip_ms: float | None = None) -> None:
        if round_trip_ms is not None and key != "call_notes":
            self.profile_round_trips.append(round_trip_ms)
        self.changes += 1
        self.deltas += deltas
        self.bytes += size
        totals = self.by_field.setdefault(key, [0, 0, 0])
        totals[0], totals[1], totals[2] = totals[0] + 1, totals[1] + deltas, totals[2] + size


def session_cookie_for(database_url: str, username: str) -> str:
    """A live session for `username`, as the login opens it (console/server.py trades the ticket for it)."""
    from sqlmodel import select

    from db.engine import get_engine, session_scope
    from db.models import User
    from db.repositories import sessions
    from services import session_cookie

    with session_scope(get_engine(database_url)) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        opened = sessions.open_session(session, user_id=user.id, lifetime=timedelta(hours=12))
        redeemed = sessions.redeem_ticket(session, ticket=opened.ticket)
    assert redeemed is not None
    return session_cookie.encode(session_id=redeemed.id, token=redeemed.token, expires_at=redeemed.expires_at,
                                 key=session_cookie._stored_key(database_url))


class LightAdvisor:
    """One advisor's tab as the server sees it."""

    def __init__(self, url: str, cookie: str, stats: LightStats, think_s: float, rng: random.Random) -> None:
        self.url, self.cookie, self.stats, self.think_s, self.rng = url, cookie, stats, think_s, rng
        self.widgets: dict[str, tuple[str, object]] = {}  # key -> (widget id, element proto)
        self.fragment_of: dict[str, str] = {}  # key -> the fragment it is drawn in
        self.page_hash = ""
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        import websockets

        from services.session_cookie import COOKIE_NAME

        address = self.url.replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(address, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      additional_headers={"Cookie": f"{COOKIE_NAME}={self.cookie}",
                                                          "Origin": self.url}) as ws:
            self.ws = ws
            await self.rerun([])  # the page load: the app takes up the login from the cookie
            await self.rerun([self.trigger("call_start")])
            if "call_age" not in self.widgets:
                raise RuntimeError("the call did not start (no age field after 'Start opkald')")
            self.ready.set()
            turn = 0
            while not stop.is_set():
                await asyncio.sleep(self.think_s * self.rng.uniform(0.5, 1.5))
                if stop.is_set():
                    break
                key, state = self.change(turn)
                turn += 1
                began = time.perf_counter()
                deltas, size = await self.rerun([state], self.fragment_of.get(key))
                self.stats.add(key, deltas, size, (time.perf_counter() - began) * 1000)

    def trigger(self, key: str):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return WidgetState(id=self.widgets[key][0], trigger_value=True)

    def change(self, turn: int):
        """A call's worth of changes, round and round: activity level, age, T-score, notes."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        kind = turn % 4
        if kind == 0:
            key = "call_activity_level"
            options = list(self.widgets[key][1].options)
            return key, WidgetState(id=self.widgets[key][0], string_value=options[(turn // 4) % 2])
        if kind == 1:
            key, value = "call_age", str(65 + turn % 20)
        elif kind == 2:
            key, value = "call_t_score", ("-2,6", "-1,5")[(turn // 4) % 2]
        else:
            key, value = "call_notes", f"Ringer om træning efter brud (note {turn})"
        return key, WidgetState(id=self.widgets[key][0], string_value=value)

    async def rerun(self, states: list, fragment_id: str | None = None) -> tuple[int, int]:
        """Send one rerun request; read until its run has finished. Returns (elements, bytes) received."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        client = message.rerun_script
        client.query_string = ""
        client.page_script_hash = self.page_hash
        client.widget_states.widgets.extend(states)
        if fragment_id:
            client.fragment_id = fragment_id
        await self.ws.send(message.SerializeToString())
        deltas = size = 0
        while True:
            data = await asyncio.wait_for(self.ws.recv(), timeout=120)
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                deltas += 1
                size += len(data)
                self.harvest(msg)
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return deltas, size

    def harvest(self, msg) -> None:
        """Note each keyed widget's id (and the fragment it is in) as the page draws it."""
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind) if kind else None
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if not widget_id or "-" not in widget_id:
            return
        key = widget_id.rsplit("-", 1)[-1]  # "$$ID-<hash>-<key>"
        self.widgets[key] = (widget_id, proto)
        if delta.fragment_id:
            self.fragment_of[key] = delta.fragment_id


async def light_advisors(urls: list[str], cookies: list[str], think_s: float, stop: asyncio.Event,
                         stats: LightStats) -> list[asyncio.Task]:
    rng = random.Random(23)
    advisors = [LightAdvisor(urls[index % len(urls)], cookie, stats, think_s, random.Random(rng.random()))
                for index, cookie in enumerate(cookies)]

    async def guarded(advisor: LightAdvisor, index: int) -> None:
        await asyncio.sleep(index * 0.05)  # staggered logins
        try:
            await advisor.run(stop)
        except Exception as exc:  # noqa: BLE001 - counted and reported; the bench goes on
            stats.errors.append(f"{type(exc).__name__}: {exc}")
            advisor.ready.set()

    tasks = [asyncio.create_task(guarded(advisor, index)) for index, advisor in enumerate(advisors)]
    for advisor in advisors:
        await asyncio.wait_for(advisor.ready.wait(), timeout=300)
    return tasks


# --------------------------------------------------------------------------------------------------------
# The measured advisor and the floor, timed by bench/browser.py's probe in the page.
# --------------------------------------------------------------------------------------------------------


def measured_toggles():
    updates, _, _, start = chromium_bench.call_toggles()
    chosen = [toggle for toggle in updates if toggle.name in ("activity_level", "age")]
    return chosen, start


async def measure_console(browser, url: str, username: str, samples: int, advisors: int) -> list:
    toggles, start = measured_toggles()
    context, page = await chromium_bench.open_advisor(browser, url, username)
    try:
        await start(page)

        async def think():
            await asyncio.sleep(0.3)

        found = []
        for toggle, count in zip(toggles, chromium_bench.spread(samples, len(toggles)), strict=True):
            found += await chromium_bench.run_toggle(page, toggle, count, advisors, think)
        return found
    finally:
        await context.close()


async def measure_floor(browser, url: str, samples: int) -> list:
    context, page = await chromium_bench.open_page(browser)
    await page.goto(url)
    await chromium_bench.widget(page, "floor_age").wait_for()
    await chromium_bench.settle(page)

    async def age(page, value, arm):
        await chromium_bench.type_and_enter(page, "floor_age", value, arm)

    async def think():
        await asyncio.sleep(0.3)

    toggle = chromium_bench.Toggle("update", "age", ("80", "70"), age, redraw=False)
    try:
        return await chromium_bench.run_toggle(page, toggle, samples, 0, think)
    finally:
        await context.close()


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, every core (/proc/stat): with the console's own
    CPU, it says whether the bench's light advisors and Chromium left the instances a free core."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(values) - idle) / ticks, sum(values) / ticks


def _median_p95(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"median": round(statistics.median(values), 1), "p95": round(chromium_bench.percentile(values, 0.95), 1),
            "n": len(values)}


def wait_parts(samples: list) -> dict | None:
    """Where the measured advisor's wait goes (medians, ms): the page sending the request after the input
    (`to_send`), the request to the page taking the run's last message (`to_finished`: the server's run and
    sending, and the page applying the elements that came before it, as they came: see bench/browser.py's
    Sample), and from there until the state shows (`client`). The server's part alone: the light advisors'
    `light_profile_round_trip_ms`."""
    timed = [s for s in samples if not s.stuck]
    if not timed:
        return None
    return {part: round(statistics.median(getattr(s, part) for s in timed), 1)
            for part in ("to_send", "to_finished", "client")}


def timings(samples: list) -> tuple[float, float]:
    values = [s.total for s in samples if not s.stuck]
    if not values:
        return float("nan"), float("nan")
    return round(statistics.median(values), 1), round(chromium_bench.percentile(values, 0.95), 1)


# --------------------------------------------------------------------------------------------------------
# The setups.
# --------------------------------------------------------------------------------------------------------


def start_floor(directory: Path) -> tuple[str, subprocess.Popen]:
    app = directory / "floor.py"
    app.write_text(FLOOR_APP)
    port = chromium_bench._free_port()
    log = (directory / "floor.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--runner.postScriptGC", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    chromium_bench._wait_healthy(url, process, timeout=90)
    return url, process


def postgres_schema_url(base: str) -> tuple[str, str]:
    from sqlalchemy import create_engine, text

    schema = f"bench_capacity_{os.getpid()}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from db.engine import get_engine

    get_engine(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}").dispose()
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


async def run_setup(browser, name: str, database_url: str, instances: int, levels: list[int], args,
                    floor: tuple[float, float], directory: Path) -> dict:
    # Fresh light advisors for every level: one who started a call at an earlier level has a call under
    # way, and her lobby offers to resume it instead of "Start opkald".
    users = [f"cap{os.getpid() % 10000}{name[:2]}{index}" for index in range(1 + sum(levels))]
    chromium_bench.create_users(database_url, users)
    processes, urls = [], []
    try:
        for index in range(instances):
            place = directory / f"{name}_{index}"
            place.mkdir()
            url, process = chromium_bench.start_console(database_url, place, None)
            urls.append(url)
            processes.append(process)
        pids = set()
        for process in processes:
            pids |= {process.pid} | chromium_bench.descendants(process.pid)
        rows = []
        first_light = 1
        for level in levels:
            print(f"{name}: {level} light advisors ...", file=sys.stderr)
            stats, stop = LightStats(), asyncio.Event()
            cookies = [session_cookie_for(database_url, users[first_light + index]) for index in range(level)]
            first_light += level
            tasks = await light_advisors(urls, cookies, args.think_ms / 1000, stop, stats)
            await asyncio.sleep(min(3.0, args.think_ms / 1000))  # their first changes under way
            # The console's CPU per change: the light advisors alone for a while (the measured advisor's
            # page loads and redraws would count too).
            changes_before, deltas_before, bytes_before = stats.changes, stats.deltas, stats.bytes
            trips_before = len(stats.profile_round_trips)
            cpu_before, began = chromium_bench.cpu_seconds(pids), time.time()
            busy_before, all_before = machine_busy_seconds()
            own_before = chromium_bench.cpu_seconds({os.getpid()})  # the light advisors run in this process
            await asyncio.sleep(args.window if level else 0)
            cpu, wall = chromium_bench.cpu_seconds(pids) - cpu_before, time.time() - began
            busy_after, all_after = machine_busy_seconds()
            own = chromium_bench.cpu_seconds({os.getpid()}) - own_before
            machine_busy = (busy_after - busy_before) / (all_after - all_before) if all_after > all_before else None
            light_changes = stats.changes - changes_before
            samples = await measure_console(browser, urls[level % len(urls)], users[0], args.samples, level)
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            light_changes_all = stats.changes - changes_before
            timed = [s for s in samples if not s.stuck]
            median, p95 = timings(samples)
            parts = wait_parts(samples)
            rows.append({
                "advisors": level,
                "median_ms": median,
                "p95_ms": p95,
                "median_x_floor": round(median / floor[0], 2),
                "p95_x_floor": round(p95 / floor[1], 2),
                "wait_parts_median_ms": parts,
                # The page's own main-thread work per change (bench/browser.py's PAGE_METRICS; medians, ms).
                "page_parts_median_ms": chromium_bench.page_parts(samples),
                "samples": len(timed),
                "stuck": sum(bool(s.stuck) for s in samples),
                # The light advisors' changes while the CPU was measured, and per second.
                "changes": light_changes,
                "changes_per_s": round(light_changes / wall, 2) if level else None,
                "cpu_ms_per_change": round(cpu * 1000 / light_changes, 1) if light_changes else None,
                "cpu_share_of_one_core": round(cpu / wall, 2) if level else None,
                # The whole machine meanwhile (every process, all cores; 1.0 = every core busy): the
                # console's share above plus the light advisors, the bench and anything else running.
                "machine_busy_share": round(machine_busy, 2) if level and machine_busy is not None else None,
                "light_advisors_cpu_share_of_one_core": round(own / wall, 2) if level else None,
                # What one change received: the measured advisor's (elements and KB, median) and the light
                # advisors' (mean over all their changes at this N).
                "elements_per_change": statistics.median(s.deltas for s in timed) if timed else None,
                "kb_per_change": round(statistics.median(s.kb for s in timed), 1) if timed else None,
                "light_elements_per_change": round((stats.deltas - deltas_before) / light_changes_all, 1)
                if light_changes_all else None,
                "light_bytes_per_change": round((stats.bytes - bytes_before) / light_changes_all)
                if light_changes_all else None,
                # Per field changed: what a change of it redraws (elements and bytes, mean).
                "light_by_field": {key.removeprefix("call_"): {"elements": round(elements / count, 1),
                                                               "bytes": round(size / count)}
                                   for key, (count, elements, size) in sorted(stats.by_field.items())},
                # The light advisors' own round trip for a profile change, from the CPU window on (through
                # the measured advisor's changes): the instances' part without any browser.
                "light_profile_round_trip_ms": _median_p95(stats.profile_round_trips[trips_before:]),
                "light_errors": len(stats.errors),
            })
            if stats.errors:
                print(f"{name}, {level}: {len(stats.errors)} light advisors failed, e.g. {stats.errors[0]}",
                      file=sys.stderr)
            print(f"{name}: {rows[-1]}", file=sys.stderr)
        # The largest N up to which every N measured kept the p95 under the goal (no light advisor failing).
        capacity = 0
        for row in rows:
            if not (row["p95_ms"] < GOAL_MS and not row["light_errors"]):
                break
            capacity = row["advisors"]
        return {"instances": instances, "levels": rows, "capacity": capacity}
    finally:
        for process in processes:
            chromium_bench.stop(process)


async def bench(args, levels: list[int], directory: Path) -> dict:
    from playwright.async_api import async_playwright

    report: dict = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_bench.CHROMIUM, headless=True,
                                                   args=chromium_bench.CHROMIUM_ARGS)
        url, process = start_floor(directory)
        try:
            print("floor ...", file=sys.stderr)
            floor_samples = await measure_floor(browser, url, args.samples)
            floor = timings(floor_samples)
        finally:
            chromium_bench.stop(process)
        report["floor_median_ms"], report["floor_p95_ms"] = floor
        report["floor_wait_parts_median_ms"] = wait_parts(floor_samples)
        report["floor_page_parts_median_ms"] = chromium_bench.page_parts(floor_samples)
        report["sqlite_1"] = await run_setup(browser, "sqlite", f"sqlite:///{directory / 'console.db'}", 1, levels,
                                             args, floor, directory)
        base = args.database_url or os.environ.get("TEST_DATABASE_URL")
        if base and not args.skip_postgres:
            url, schema = postgres_schema_url(base)
            try:
                report["postgres_2"] = await run_setup(browser, "postgres", url, 2, levels, args, floor, directory)
            finally:
                drop_schema(base, schema)
        else:
            report["postgres_2"] = None
        await browser.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--advisors", default="0,10,20,40,60", help="light advisors at once, comma-separated")
    parser.add_argument("--samples", type=int, default=20, help="timed changes of the measured advisor per N")
    parser.add_argument("--think-ms", type=int, default=4000, help="a light advisor's think time between changes")
    parser.add_argument("--database-url", help="PostgreSQL for the two-instance setup (else TEST_DATABASE_URL)")
    parser.add_argument("--skip-postgres", action="store_true", help="only the one-instance SQLite setup")
    parser.add_argument("--window", type=float, default=20, help="seconds the console's CPU is measured per N")
    parser.add_argument("--smoke", action="store_true", help="N = 0 and 2, 2 samples: does it still run?")
    args = parser.parse_args()
    if args.smoke:
        args.advisors, args.samples, args.think_ms, args.window = "0,2", 2, 500, 3
    levels = sorted({int(n) for n in args.advisors.split(",")})
    if not Path(chromium_bench.CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {chromium_bench.CHROMIUM} (or set CHROMIUM_PATH)")
    directory = Path(tempfile.mkdtemp(prefix="bench_capacity_"))
    load = os.getloadavg()[0]
    report = asyncio.run(bench(args, levels, directory))
    one, two = report["sqlite_1"]["capacity"], (report["postgres_2"] or {}).get("capacity")
    report |= {
        "capacity_sqlite_1": one,
        "capacity_postgres_2": two,
        "capacity_ratio_2_to_1": round(two / one, 2) if two is not None and one else None,
        "goal_p95_ms": GOAL_MS,
        "goals": {"capacity_sqlite_1": 40, "capacity_ratio_2_to_1": 1.6},
        "samples": args.samples,
        "think_ms": args.think_ms,
        "cpus": os.cpu_count(),
        "load_1min_at_start": round(load, 2),
    }
    print(json.dumps(_no_nan(report)))


def _no_nan(value):
    """NaN (no sample) as null, so the line is strict JSON."""
    if isinstance(value, dict):
        return {key: _no_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_nan(item) for item in value]
    return None if isinstance(value, float) and math.isnan(value) else value


if __name__ == "__main__":
    main()
