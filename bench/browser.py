"""Benchmark the console as the advisor feels it: Debian's Chromium driving a real `streamlit run` (issue 15).

It starts the console itself (`streamlit run console/server.py` on a free port, a fresh SQLite file in a
temporary directory, the environment of the browser tests), creates advisor accounts the way the browser
tests do, logs in (viewport 1400x900, locale da-DK) and times, over many repetitions:

- update:    a profile change (activity level, age, T-score typed "-2,6", fractures, fracture site, pain)
- topic:     a topic added to or removed from the call's topics
- red flag:  a red-flag question ticked (the disposition banner appears) and unticked
- search:    a query typed into the library page's search and Enter pressed

then the call loop again with `--advisors` advisors at once (8 by default; one browser context each, one
async loop, about `--think-ms-8` ms of think time between actions), whose figures are the `_8` keys.

Each change alternates between two values, so every change really changes the page. The time runs from the
input event (the mouse press or the Enter key, in the browser) to the moment the page is done: the app's
last answer to the change has arrived (Streamlit is idle) and the main area shows exactly what it shows when
that state is at rest. That text is learnt once per state before the timed changes, so the signal needs no
knowledge of the content and survives layout changes. Everything is timed inside the page (performance.now),
so Playwright's own round trips are not in the figures.

Prints one JSON line (stdout), with `update_page_ms`: the page's own main-thread work for a profile change
(Chromium's DevTools totals, see PAGE_METRICS: all of it, JavaScript, styles, layout); a breakdown of where
the time goes goes to stderr: per change the browser's
share (input to request, last message to done) and the server's (request to last message), the messages per
change, and from a probe in the console's process (this script starts it; no console code is changed) the
run time, CPU time, SQL statements and the time spent in the page's parts.

Run:  .venv/bin/python bench/browser.py                 (40 samples per kind; about 5 minutes)
      .venv/bin/python bench/browser.py --samples 10    (a quick look)
      .venv/bin/python bench/browser.py --smoke         (2 samples, 2 advisors: does it still run?)
      .venv/bin/python bench/browser.py --url http://127.0.0.1:8501   (a console already running; its
            DATABASE_URL must be given with --database-url or the environment, to create the advisors)
Targets (2 cores): update median < 200 ms, p95 < 400 ms; p95 < 800 ms with 8 advisors; search median < 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The console is started and Chromium launched as the browser tests do it (one copy of those helpers).
from tests.e2e.conftest import CHROMIUM_ARGS, _free_port, _wait_healthy  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "korrekt-hest-batteri-15"
GOALS = {"update_median_ms": 200, "update_p95_ms": 400, "update_p95_ms_8": 800, "search_median_ms": 150}
WAIT_MS = 60_000  # for one change to be done; the machine may be busy
SEARCHES = ("må jeg løfte 5 kg", "kan jeg gå til yoga")
RED_FLAG = "call_rf_sudden_severe_back_pain"
SCREENSHOT = Path(tempfile.gettempdir()) / "bench_browser_failure.png"
STUCK_MS = 20_000  # idle but not showing the state this long: stuck
STUCK: list[str] = []  # what stuck() saw, for the breakdown
# The page's own work for a change: Chromium's main-thread totals (its DevTools Performance domain) read before
# the input and after the next frame. busy: every task on the page's main thread; script: JavaScript (mostly
# React drawing the elements received); style and layout: the browser recomputing styles and placing boxes.
PAGE_METRICS = {"busy": "TaskDuration", "script": "ScriptDuration", "style": "RecalcStyleDuration",
                "layout": "LayoutDuration"}
WATCHED: dict = {}  # page -> its DevTools session (watch_page)
ONE_ACTION = ("activity_level", "age", "t_score", "fractures_known")  # profile changes made by one click or Enter

# --------------------------------------------------------------------------------------------------------
# The probe in the console's process: `browser.py --serve-probed <streamlit run arguments>` installs it and
# runs Streamlit. One JSON line per script run (a page or a fragment) goes to $BENCH_PROBE_LOG.
# --------------------------------------------------------------------------------------------------------

PROBED = {  # module: functions timed (inclusive) in every run
    "console.components.script_view": ["script_view", "disposition_banner"],
    "console.components.profile_form": ["profile_form"],
    "console.components.call_wrap_up": ["wrap_up", "suggest_follow_up"],
    "console.components.call_state": ["evaluate_call", "autosave"],
    "console.components.library_entries": ["current_library"],
    "console.components.search_panel": ["search_panel", "find"],
    "console.guard": ["verified_user"],
    "console.auth": ["resume_from_cookie", "sync_cookie"],
}
# What the call page's fragment (`workspace` in console/pages/call.py) calls at its top level.
WORKSPACE_PARTS = ("evaluate_call", "suggest_follow_up", "disposition_banner", "current_library", "profile_form",
                   "script_view", "wrap_up", "autosave")


def serve_probed(argv: list[str]) -> None:
    import gc
    import importlib
    import threading
    import types
    from functools import wraps

    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool
    from streamlit.runtime.scriptrunner import script_runner

    local = threading.local()
    log = open(os.environ["BENCH_PROBE_LOG"], "a", buffering=1)  # noqa: SIM115 (open for the process)
    lock = threading.Lock()

    def record():
        return getattr(local, "record", None)

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        began = conn.info["bench_started"].pop()
        if (current := record()) is not None:
            current["sql_n"] += 1
            current["sql_ms"] += (time.perf_counter() - began) * 1000

    @event.listens_for(Pool, "connect")
    def _connect(dbapi_connection, connection_record):
        if (current := record()) is not None:
            current["connects"] += 1

    def timed(name, function):
        @wraps(function)
        def wrapper(*args, **kwargs):
            current = record()
            if current is None:
                return function(*args, **kwargs)
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts = current["parts"]
                parts[name] = parts.get(name, 0.0) + (time.perf_counter() - began) * 1000
        return wrapper

    for module_name, names in PROBED.items():
        module = importlib.import_module(module_name)
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    library = importlib.import_module("advisory.library")
    library.Library.search = timed("Library.search", library.Library.search)

    # The run's phases: the script itself (exec), and Streamlit's tear-down after it (widget state clean-up).
    script_runner.exec_func_with_error_handling = timed("exec", script_runner.exec_func_with_error_handling)
    script_runner.ScriptRunner._on_script_finished = timed("finish", script_runner.ScriptRunner._on_script_finished)
    # Within the tear-down: the full garbage collection Streamlit runs after every run (runner.postScriptGC).
    script_runner.gc = types.SimpleNamespace(collect=timed("gc.collect", gc.collect))
    run_script = script_runner.ScriptRunner._run_script
    enqueue = script_runner.ScriptRunner._enqueue_forward_msg

    def probed_run(self, rerun_data):
        local.record = {"fragment": bool(rerun_data.fragment_id_queue), "sql_n": 0, "sql_ms": 0.0, "connects": 0,
                        "deltas": 0, "bytes": 0, "parts": {}}
        began, cpu = time.perf_counter(), time.thread_time()
        try:
            return run_script(self, rerun_data)
        finally:
            current, local.record = local.record, None
            current["ms"] = (time.perf_counter() - began) * 1000
            current["cpu_ms"] = (time.thread_time() - cpu) * 1000
            current["end"] = time.time()
            with lock:
                log.write(json.dumps(current) + "\n")

    def probed_enqueue(self, msg):
        if (current := record()) is not None and msg.HasField("delta"):
            current["deltas"] += 1
            current["bytes"] += msg.ByteSize()
        return enqueue(self, msg)

    script_runner.ScriptRunner._run_script = probed_run
    script_runner.ScriptRunner._enqueue_forward_msg = probed_enqueue

    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *argv]
    cli.main()


# --------------------------------------------------------------------------------------------------------
# The console, started like tests/e2e/conftest.py's running_console.
# --------------------------------------------------------------------------------------------------------


def start_console(database_url: str, directory: Path, probe_log: Path | None, options: list[str] = ()
                  ) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEFAULT_LANGUAGE": "da", "PYTHONPATH": str(ROOT)}
    streamlit_args = [str(ROOT / "console" / "server.py"), "--server.port", str(port),
                      "--server.address", "127.0.0.1", "--server.headless", "true",
                      "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    for option in options:  # --option runner.postScriptGC=false -> --runner.postScriptGC false
        name, _, value = option.partition("=")
        streamlit_args += [f"--{name}", value]
    if probe_log is not None:
        env["BENCH_PROBE_LOG"] = str(probe_log)
        command = [sys.executable, str(Path(__file__).resolve()), "--serve-probed", *streamlit_args]
    else:
        command = [sys.executable, "-m", "streamlit", "run", *streamlit_args]
    log = (directory / "streamlit.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, timeout=90)
    except Exception:
        stop(process)
        raise
    return url, process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def create_users(database_url: str, names: list[str]) -> None:
    """Advisor accounts made before the browser opens (as tests/e2e/helpers.py create_user)."""
    from db.bootstrap import prepare_database
    from db.engine import get_engine, session_scope
    from db.models import Role, UserCreate
    from db.repositories import users

    prepare_database(database_url)
    with session_scope(get_engine(database_url)) as session:
        for name in names:
            users.create_user(session, data=UserCreate(username=name, display_name=name.title(),
                                                       role=Role.advisor, password=PASSWORD))


def cpu_seconds(pids: set[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def descendants(root: int) -> set[int]:
    children = defaultdict(set)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children[parent].add(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# --------------------------------------------------------------------------------------------------------
# In the page: the WebSocket's messages (ForwardMsg/BackMsg top-level fields), the input event, the DOM.
# --------------------------------------------------------------------------------------------------------

INSTRUMENT = r"""
(() => {
  if (window.__bench) return;
  const B = window.__bench = {m: null, sigs: {}, timer: null, lastMutation: 0};
  // Top-level fields of a protobuf message: ForwardMsg 5 delta, 6 script_finished; BackMsg 11 rerun_script.
  function fields(data) {
    let b = null;
    if (data instanceof ArrayBuffer) b = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) b = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const out = {};
    if (!b) return out;
    let i = 0;
    const varint = () => { let x = 0, s = 1, c; do { c = b[i++]; x += (c & 0x7f) * s; s *= 128; } while (c & 0x80 && i < b.length); return x; };
    while (i < b.length) {
      const tag = varint(), f = Math.floor(tag / 8), w = tag % 8;
      if (w === 0) out[f] = varint();
      else if (w === 2) { const n = varint(); i += n; if (!(f in out)) out[f] = true; }
      else if (w === 1) i += 8;
      else if (w === 5) i += 4;
      else break;
    }
    return out;
  }
  const Native = window.WebSocket;
  class BenchSocket extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const now = performance.now(), m = B.m;
        if (!m || m.t_sent === null) return;
        const f = fields(event.data);
        m.msgs += 1;
        m.bytes += event.data.byteLength || 0;
        if (5 in f) m.deltas += 1;
        if (6 in f && f[6] !== 2) {  // 2: FINISHED_EARLY_FOR_RERUN, another run follows
          m.finished += 1;
          m.t_fin = now;
          setTimeout(check, 0);  // after Streamlit's own handler
        }
      });
    }
    send(data) {
      const m = B.m;
      if (m && m.t_input !== null && 11 in fields(data)) {
        m.sent += 1;
        m.t_last_sent = performance.now();
        if (m.t_sent === null) m.t_sent = m.t_last_sent;
      }
      return super.send(data);
    }
  }
  window.WebSocket = BenchSocket;
  for (const type of ['mousedown', 'keydown']) {
    document.addEventListener(type, (event) => {
      const m = B.m;
      if (m && m.t_input === null && event.isTrusted) m.t_input = event.timeStamp;
    }, true);
  }
  function signature() {  // the main area's text as shown (innerText: hidden leftovers do not count)
    const main = document.querySelector('[data-testid="stMain"]');
    const text = main ? main.innerText : '';
    return B.timer ? text.replace(B.timer, '') : text;
  }
  // Idle: the last run finished after the last request. (Requests can be merged into one run, e.g. the
  // call page's two 30-second timers, so counting them would not do.)
  const idle = (m) => m.sent === 0 || (m.t_fin !== null && m.t_fin >= m.t_last_sent);
  function check() {
    const m = B.m;
    if (!m || m.expect === null || m.t_done !== null || m.sent === 0 || !idle(m)) return;
    if (signature() !== B.sigs[m.expect]) return;
    m.t_done = performance.now();
    requestAnimationFrame(() => { m.t_paint = performance.now(); });
  }
  new MutationObserver(() => { B.lastMutation = performance.now(); check(); })
    .observe(document, {subtree: true, childList: true, characterData: true});
  B.setTimer = (source) => { B.timer = new RegExp(source, 'g'); };
  B.arm = (expect) => {
    B.m = {expect, t_arm: performance.now(), t_input: null, t_sent: null, t_last_sent: null, sent: 0,
           finished: 0, t_fin: null, t_done: null, t_paint: null, msgs: 0, deltas: 0, bytes: 0};
  };
  B.settled = (quiet) => {  // no answer pending and no change in the page for `quiet` ms
    const m = B.m, now = performance.now();
    if (now - B.lastMutation <= quiet) return false;
    return !m || (now - m.t_arm > quiet && idle(m));
  };
  B.learn = (name) => { B.sigs[name] = signature(); return B.sigs[name].length; };
  B.same = (a, b) => B.sigs[a] === B.sigs[b];
  B.matches = (name) => signature() === B.sigs[name];
  B.idle = () => !B.m || idle(B.m);
  B.difference = (name) => {  // where the page differs from what `name` looked like (for error messages)
    const now = signature(), want = B.sigs[name] || '';
    let i = 0;
    while (i < now.length && i < want.length && now[i] === want[i]) i++;
    return {now: now.slice(Math.max(0, i - 80), i + 160), want: want.slice(Math.max(0, i - 80), i + 160),
            m: B.m};
  };
})();
"""


@dataclass
class Sample:
    kind: str  # update, topic, red_flag, search
    what: str  # the field or action
    total: float  # input event -> done
    to_send: float  # input event -> the page sends the rerun request
    # request -> the page's main thread takes the run's last message ("script finished"): the server's run and
    # sending, and the page applying the elements that arrived before it (as they come). The two cannot be told
    # apart in the page: Chromium's DevTools stamps a websocket frame when the main thread takes it too
    # (measured: within 0.04 ms of the page's own time), so the server's part alone is measured without a page
    # (capacity.py's light advisors, `light_profile_round_trip_ms`).
    to_finished: float
    client: float  # ... -> done (the page applies it, removes stale elements, shows the state at rest)
    paint: float  # done -> the next animation frame
    msgs: int
    deltas: int
    kb: float
    advisors: int
    stuck: str = ""  # the app went idle but the page never showed the state: "mended" by a redraw, or "state"
    # The page's main thread from before the change's input actions (a click; a field filled and Enter; a list
    # opened and an option picked) to after the next frame, ms per PAGE_METRICS part (None: not watched). It
    # also holds the bench's own small work in the page (its observer, Playwright's polling).
    page: dict | None = None


@dataclass
class Toggle:
    """A change between two values of one thing; `apply(page, value, arm)` calls `arm()` just before the
    event that commits the change (after opening a drop-down, after filling a field)."""

    kind: str
    name: str
    values: tuple[str, str]
    apply: Callable[..., Awaitable[None]]
    after: Callable[..., Awaitable[None]] | None = None  # e.g. close a drop-down that stays open
    prepare: Callable[..., Awaitable[None]] | None = None  # before the first change, untimed
    page: str = "call"  # the page it is on (its nav.* key)
    redraw: bool = True  # learn the page as drawn afresh (the call page keeps its state on another page)


async def watch_page(context, page) -> None:
    """Read the page's main-thread totals around each timed change (see PAGE_METRICS)."""
    session = await context.new_cdp_session(page)
    await session.send("Performance.enable")
    WATCHED[page] = session


async def page_work(page) -> dict[str, float] | None:
    session = WATCHED.get(page)
    if session is None:
        return None
    metrics = {item["name"]: item["value"] for item in (await session.send("Performance.getMetrics"))["metrics"]}
    return {part: metrics[name] * 1000 for part, name in PAGE_METRICS.items()}


def page_parts(samples: list[Sample]) -> dict | None:
    """Medians (ms) of the page's own work per change, over the changes that were watched and not stuck."""
    watched = [s.page for s in samples if s.page is not None and not s.stuck]
    if not watched:
        return None
    return {part: round(statistics.median(work[part] for work in watched), 1) for part in PAGE_METRICS}


def widget(page, key: str):
    return page.locator(f".st-key-{key}")


async def click_radio(page, key: str, label: str, arm) -> None:
    target = widget(page, key).get_by_text(label, exact=True)
    await target.wait_for()
    await arm()
    await target.click()


async def type_and_enter(page, key: str, text: str, arm) -> None:
    box = widget(page, key).locator("input, textarea").first
    await box.fill(text)
    await arm()
    await box.press("Enter")


async def pick_option(page, key: str, label: str, arm) -> None:
    option = page.get_by_role("option", name=label, exact=True)
    for _ in range(10):  # a list opened while a rerun redraws the widget closes again: open it again
        box = widget(page, key).get_by_role("combobox").first
        await box.focus()
        await box.press("ArrowDown")  # opens the list (a click on a multiselect's box does not)
        try:
            await option.wait_for(timeout=3_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            await page.keyboard.press("Escape")
    await option.wait_for()
    await arm()
    await option.click()


async def close_menu(page) -> None:
    """A multiselect's list stays open after a pick; Escape closes it (no rerun)."""
    await page.keyboard.press("Escape")


async def toggle_topic(page, label: str, present: bool, arm) -> None:
    """Add the topic (`present`) or remove it with its tag's delete button."""
    if present:
        await pick_option(page, "call_topics", label, arm)
        return
    remove = widget(page, "call_topics").locator("[data-tag]").filter(has_text=label).locator("button").first
    await remove.wait_for()
    await arm()
    await remove.click()


async def tick_box(page, key: str, arm) -> None:
    label = widget(page, key).locator("label").first
    await label.wait_for()
    await arm()
    await label.click()


def call_toggles() -> tuple[list[Toggle], list[Toggle], list[Toggle], Callable[..., Awaitable[None]]]:
    """The profile changes, the topic change and the red flag, with labels from the vocabulary and the UI
    text (so they follow the content); and the profile every call starts from."""
    from advisory.labels import labels
    from console.i18n import translate

    activity, pain, site, topic = (labels(kind, "da") for kind in ("activity_level", "pain", "fracture_site", "topic"))
    fractures = {code: translate(f"profile.fractures_{code}", "da") for code in ("no", "yes")}

    async def activity_level(page, value, arm):
        await click_radio(page, "call_activity_level", activity[value], arm)

    async def age(page, value, arm):
        await type_and_enter(page, "call_age", value, arm)

    async def t_score(page, value, arm):
        await type_and_enter(page, "call_t_score", value, arm)

    async def pain_level(page, value, arm):
        await pick_option(page, "call_pain", pain[value], arm)

    async def fractures_known(page, value, arm):
        await click_radio(page, "call_fractures_known", fractures[value], arm)

    async def fracture_site(page, value, arm):
        await pick_option(page, "call_fx_site_1", site[value], arm)

    async def topics(page, value, arm):
        await toggle_topic(page, topic["lifting"], value == "with", arm)

    async def red_flag(page, value, arm):
        await tick_box(page, RED_FLAG, arm)

    async def fracture(page):
        """A fracture to toggle: a vertebral fracture three weeks ago (a healing phase)."""
        await fractures_known(page, "yes", untimed(page))
        await settle(page)
        await fracture_site(page, "vertebral", untimed(page))
        await settle(page)
        await type_and_enter(page, "call_fx_weeks_1", "3", untimed(page))
        await settle(page)

    async def start(page):
        """Hverdagsaktiv, 70 years, no fractures: a valid profile, so every change below changes the script."""
        await activity_level(page, "everyday_active", untimed(page))
        await settle(page)
        await age(page, "70", untimed(page))
        await settle(page)
        await fractures_known(page, "no", untimed(page))
        await settle(page)

    updates = [
        Toggle("update", "activity_level", ("training_active", "everyday_active"), activity_level),
        Toggle("update", "age", ("80", "70"), age),  # 80: "it is never too late", the walking aid question
        Toggle("update", "t_score", ("-2,6", "-1,5"), t_score),  # typed the Danish way
        Toggle("update", "pain", ("severe", "none"), pain_level),
        Toggle("update", "fractures_known", ("no", "yes"), fractures_known, prepare=fracture),
        # The site of the fracture recorded above: first back to "yes", then hip <-> vertebral.
        Toggle("update", "fracture_site", ("hip", "vertebral"), fracture_site,
               prepare=lambda page: fractures_known(page, "yes", untimed(page))),
    ]
    topic_toggles = [Toggle("topic", "topics", ("with", "without"), topics, close_menu)]
    red_flags = [Toggle("red_flag", "red_flag", ("ticked", "unticked"), red_flag)]
    return updates, topic_toggles, red_flags, start


async def arm(page, expect: str | None) -> None:
    await page.evaluate("e => window.__bench.arm(e)", expect)


def untimed(page) -> Callable[[], Awaitable[None]]:
    """An arm() for a change that is not timed: settle() then waits for its answer."""
    return lambda: arm(page, None)


async def settle(page, quiet_ms: int = 600) -> None:
    """Wait until the page has had no answer pending and no change for `quiet_ms`."""
    try:
        await page.wait_for_function("q => window.__bench.settled(q)", arg=quiet_ms, polling=100, timeout=WAIT_MS)
    except Exception as exc:
        state = await page.evaluate("() => [performance.now(), window.__bench.lastMutation, window.__bench.m]")
        await page.screenshot(path=SCREENSHOT)
        raise RuntimeError(f"the page did not settle within {WAIT_MS} ms (now, last change, last change "
                           f"measured: {state}; screenshot {SCREENSHOT})") from exc


async def redraw(page, home: str) -> None:
    """Draw the page afresh: to the (light) follow-up list and back to the page `home` (a nav.* key)."""
    from console.i18n import translate

    navigation = page.locator("[data-testid='stSidebarNav']")
    for title in (translate("nav.follow_ups", "da"), translate(f"nav.{home}", "da")):
        await arm(page, None)
        await navigation.get_by_role("link", name=title, exact=True).click()
        await settle(page)


async def learn(page, toggle: Toggle, value: str) -> None:
    """Put the page into the state (untimed) and learn what the main area shows at rest in it, as drawn
    afresh (a change can leave the page showing something else, see stuck())."""
    await toggle.apply(page, value, lambda: arm(page, None))
    await settle(page)
    if toggle.after:
        await toggle.after(page)
        await settle(page, 300)
    if toggle.redraw:
        await redraw(page, toggle.page)
    await page.evaluate("n => window.__bench.learn(n)", f"{toggle.name}={value}")


async def timed(page, toggle: Toggle, value: str, advisors: int) -> Sample:
    state = f"{toggle.name}={value}"
    what = toggle.name if toggle.kind in ("update", "search") else state
    work_before = await page_work(page)
    await toggle.apply(page, value, lambda: arm(page, state))
    try:
        await page.wait_for_function("() => window.__bench.m.t_done !== null", polling=25, timeout=STUCK_MS)
    except Exception as exc:
        if not await page.evaluate("() => window.__bench.idle()"):  # still working: a very busy machine
            try:
                await page.wait_for_function("() => window.__bench.m.t_done !== null", polling=25,
                                             timeout=WAIT_MS)
            except Exception:
                raise RuntimeError(f"{state} was not done within {WAIT_MS} ms: "
                                   f"{await page.evaluate('n => window.__bench.difference(n)', state)}") from exc
        else:
            mended = await stuck(page, state, toggle.page if toggle.redraw else None)
            return Sample(kind=toggle.kind, what=what, total=float("nan"), to_send=0, to_finished=0,
                          client=0, paint=0, msgs=0, deltas=0, kb=0, advisors=advisors,
                          stuck="mended" if mended else "state")
    await page.wait_for_function("() => window.__bench.m.t_paint !== null", polling=25, timeout=WAIT_MS)
    m = await page.evaluate("() => ({...window.__bench.m, origin: performance.timeOrigin})")
    work_after = await page_work(page)
    if toggle.after:
        await toggle.after(page)
    return Sample(kind=toggle.kind, what=what, total=m["t_done"] - m["t_input"],
                  to_send=m["t_sent"] - m["t_input"], to_finished=m["t_fin"] - m["t_sent"],
                  client=m["t_done"] - m["t_fin"],
                  paint=m["t_paint"] - m["t_done"], msgs=m["msgs"], deltas=m["deltas"], kb=m["bytes"] / 1024,
                  advisors=advisors,
                  page={part: work_after[part] - work_before[part] for part in PAGE_METRICS} if work_before else None)


async def run_toggle(page, toggle: Toggle, count: int, advisors: int, think: Callable[[], Awaitable[None]]
                     ) -> list[Sample]:
    """Learn both states, then `count` timed changes alternating between them."""
    first, second = toggle.values
    if toggle.prepare:
        await toggle.prepare(page)
        await settle(page)
    await learn(page, toggle, first)
    await learn(page, toggle, second)
    if await page.evaluate("([a, b]) => window.__bench.same(a, b)",
                           [f"{toggle.name}={first}", f"{toggle.name}={second}"]):
        raise RuntimeError(f"{toggle.name}: {first} and {second} show the same page; pick values that differ")
    samples = []
    for index in range(count):
        await think()
        value = toggle.values[index % 2]
        samples.append(await timed(page, toggle, value, advisors))
        if samples[-1].stuck == "state":  # learn both states again as they are now
            await learn(page, toggle, toggle.values[(index + 1) % 2])
            await learn(page, toggle, value)
    return samples


async def stuck(page, state: str, home: str | None) -> bool:
    """The app is idle but the page does not show `state`. Note it (a screenshot of the first), redraw the
    call page (another page and back) and say whether that brought the state back.

    Seen on the call page when the machine was busy (most often with several advisors): after a fragment
    run, elements of the script stayed twice on screen (a block or a library entry shown twice) until the
    page was drawn again. One cause, found and fixed (console/whole_runs.py): when the timer's tick started
    right after a change's run had finished, Streamlit's queue clear turned that run's "finished" into
    "finished early", so the browser never cleared what the run no longer drew.
    """
    difference = await page.evaluate("n => window.__bench.difference(n)", state)
    shot = Path(tempfile.gettempdir()) / f"bench_browser_stuck_{len(STUCK) + 1}.png"
    await page.screenshot(path=shot)
    if home is not None:
        await redraw(page, home)
    redrawn = home is not None and await page.evaluate("n => window.__bench.matches(n)", state)
    STUCK.append(f"{state}: {'redrawing the page mended it' if redrawn else 'the state itself differs'}; the "
                 f"page showed {difference['now']!r} where {difference['want']!r} was expected; screenshot {shot}")
    return redrawn


def spread(total: int, parts: int) -> list[int]:
    return [total // parts + (index < total % parts) for index in range(parts)]


# --------------------------------------------------------------------------------------------------------
# An advisor: a logged-in browser context on the call page.
# --------------------------------------------------------------------------------------------------------


async def open_page(browser):
    """A browser context and page as an advisor's (1400x900, Danish), timed: the bench's instrument in the
    page and its main-thread totals watched (watch_page)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="da-DK")
    await context.add_init_script(INSTRUMENT)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    await watch_page(context, page)
    return context, page


async def open_advisor(browser, url: str, username: str):
    from console.i18n import translate

    context, page = await open_page(browser)
    await page.goto(url)
    await widget(page, "login_username").locator("input").fill(username)
    await widget(page, "login_password").locator("input").fill(PASSWORD)
    async with page.expect_response(lambda r: r.url.endswith("/api/session") and r.request.method == "POST"):
        await page.locator("[data-testid='stFormSubmitButton'] button").click()
    start = widget(page, "call_start").locator("button").first  # a button with help is drawn twice
    await start.wait_for()
    await settle(page)
    await start.click()
    await widget(page, "call_activity_level").wait_for()
    timer = re.escape(translate("call.timer", "da", started="\0", minutes="\1"))
    await page.evaluate("s => window.__bench.setTimer(s)",
                        timer.replace(re.escape("\0"), r"\d\d:\d\d").replace(re.escape("\1"), r"\d*"))
    await settle(page)
    return context, page


async def call_loop(page, counts: dict[str, int], advisors: int, think) -> list[Sample]:
    """The call: a starting profile, then profile changes, topic changes and the red flag."""
    updates, topics, red_flags, start = call_toggles()
    await start(page)
    samples = []
    for toggle, count in zip(updates, spread(counts["update"], len(updates)), strict=True):
        if count:  # the first get the extra samples, so the fracture's own toggle runs before its site's
            samples += await run_toggle(page, toggle, count, advisors, think)
    samples += await run_toggle(page, topics[0], counts["topic"], advisors, think)
    samples += await run_toggle(page, red_flags[0], counts["red_flag"], advisors, think)
    return samples


async def search_loop(page, count: int, think) -> list[Sample]:
    from console.i18n import translate

    title = translate("nav.library", "da")
    await page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    await widget(page, "library_query").wait_for()
    await settle(page)

    async def query(page, value, arm):
        await type_and_enter(page, "library_query", value, arm)

    return await run_toggle(page, Toggle("search", "library_query", SEARCHES, query, page="library", redraw=False), count, 1,
                            think)


# --------------------------------------------------------------------------------------------------------
# The run.
# --------------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(samples: list[Sample], kind: str) -> tuple[float, float]:
    values = [s.total for s in samples if s.kind == kind and not s.stuck]
    if not values:
        return float("nan"), float("nan")
    return round(statistics.median(values), 1), round(percentile(values, 0.95), 1)


class CpuMeter:
    """CPU seconds of the console's process and of the browser (this script's other child processes),
    sampled twice a second so that processes that come and go (a renderer per context) are counted."""

    def __init__(self, server: set[int]) -> None:
        self.server = server
        self.latest: dict[int, float] = {}
        self.kinds: dict[int, str] = {}

    def _kind(self, pid: int) -> str:
        if pid in self.server:
            return "server"
        try:  # a forked renderer sets its title in one string: search it whole
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return "browser (other)"
        if kind := re.search(rb"--type=([\w-]+)", command):
            return {b"renderer": "browser renderers", b"gpu-process": "browser gpu"}.get(kind[1], "browser (other)")
        return "browser main" if b"chrom" in command.split(b" ")[0] else "playwright driver"

    def sample(self) -> None:
        for pid in descendants(os.getpid()):
            if pid not in self.kinds:
                self.kinds[pid] = self._kind(pid)
            self.latest[pid] = max(self.latest.get(pid, 0.0), cpu_seconds({pid}))

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.5)

    def mark(self) -> dict[int, float]:
        self.sample()
        return dict(self.latest)

    def spent(self, since: dict[int, float]) -> dict[str, float]:
        self.sample()
        spent = defaultdict(float)
        for pid, seconds in self.latest.items():
            spent[self.kinds[pid]] += seconds - since.get(pid, 0.0)
        return dict(sorted(spent.items(), key=lambda item: -item[1]))


async def bench(args, url: str, users: list[str], server_pids: set[int]) -> dict:
    from playwright.async_api import async_playwright

    meter = CpuMeter(server_pids)
    sampler = asyncio.create_task(meter.run())
    usage = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        # One advisor: each kind `samples` times, a short pause between changes.
        async def pause():
            await asyncio.sleep(0.2)

        since, began = meter.mark(), time.time()
        context, page = await open_advisor(browser, url, users[0])
        one = await call_loop(page, {"update": args.samples, "topic": args.samples, "red_flag": args.samples}, 1,
                              pause)
        one += await search_loop(page, args.samples, pause)
        usage["one"] = meter.spent(since) | {"wall": time.time() - began, "start": began}
        await context.close()

        # Many advisors at once on the same console, each with think time between actions.
        many_count = max(2, math.ceil(args.samples / 2))
        rng = random.Random(15)

        async def advisor(index: int) -> list[Sample]:
            await asyncio.sleep(index * 0.3)  # staggered logins
            context, page = await open_advisor(browser, url, users[1 + index])

            async def think():
                await asyncio.sleep(args.think_ms_8 / 1000 * rng.uniform(0.5, 1.5))

            samples = await call_loop(page, {"update": many_count, "topic": many_count, "red_flag": many_count},
                                      args.advisors, think)
            return samples, context

        since, began = meter.mark(), time.time()
        finished = await asyncio.gather(*(advisor(i) for i in range(args.advisors)))
        usage["many"] = meter.spent(since) | {"wall": time.time() - began, "start": began}
        many = [sample for samples, _ in finished for sample in samples]
        await browser.close()
    sampler.cancel()
    return {"one": one, "many": many, "usage": usage}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve-probed":
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
        serve_probed(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=40, help="timed changes per kind for one advisor")
    parser.add_argument("--advisors", type=int, default=8, help="advisors at once in the second part")
    parser.add_argument("--think-ms-8", type=int, default=1000, help="think time between an advisor's actions")
    parser.add_argument("--url", help="use a console already running there instead of starting one")
    parser.add_argument("--database-url", help="with --url: the console's database, to create the advisors")
    parser.add_argument("--no-probe", action="store_true", help="start the console without the timing probe")
    parser.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit option for the console started, e.g. runner.postScriptGC=false")
    parser.add_argument("--smoke", action="store_true", help="2 samples, 2 advisors: does it still run?")
    args = parser.parse_args()
    if args.smoke:
        args.samples, args.advisors, args.think_ms_8 = 2, 2, 300
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    sys.path.insert(0, str(ROOT))
    directory = Path(tempfile.mkdtemp(prefix="bench_browser_"))
    tag = f"{os.getpid() % 10000}"
    users = [f"bench{tag}r{index}" for index in range(1 + args.advisors)]
    probe_log = None if args.no_probe or args.url else directory / "probe.jsonl"
    process = None
    if args.url:
        from settings import get_settings

        url = args.url.rstrip("/")
        create_users(args.database_url or get_settings().DATABASE_URL, users)
        server_pids: set[int] = set()
    else:
        database_url = f"sqlite:///{directory / 'console.db'}"
        create_users(database_url, users)
        url, process = start_console(database_url, directory, probe_log, args.option)
        server_pids = {process.pid} | descendants(process.pid)
    load = os.getloadavg()[0]
    try:
        result = asyncio.run(bench(args, url, users, server_pids))
    finally:
        if process is not None:
            stop(process)
    one, many = result["one"], result["many"]
    report = {}
    for kind in ("update", "topic", "red_flag", "search"):
        median, p95 = figures(one, kind)
        report[f"{kind}_median_ms"], report[f"{kind}_p95_ms"] = median, p95
    for kind in ("update", "topic", "red_flag"):
        median, p95 = figures(many, kind)
        report[f"{kind}_median_ms_8"], report[f"{kind}_p95_ms_8"] = median, p95
    # The page's own work for one advisor's profile change (medians, ms; see PAGE_METRICS), over the changes
    # made by one click or by Enter in a filled field (as capacity.py's measured advisor), not a list opened.
    report["update_page_ms"] = page_parts([s for s in one if s.kind == "update" and s.what in ONE_ACTION])
    report |= {
        "samples": args.samples,
        "samples_8": sum(1 for s in many if s.kind == "update" and not s.stuck),
        # Changes after which the app went idle but the page never showed the new state (see stuck()).
        "stuck": sum(bool(s.stuck) for s in one),
        "stuck_8": sum(bool(s.stuck) for s in many),
        "advisors": args.advisors,
        "think_ms_8": args.think_ms_8,
        "cpus": os.cpu_count(),
        "load_1min_at_start": round(load, 2),
        "goals": GOALS,
        "goals_met": {key: report[key] < goal for key, goal in GOALS.items()},
    }
    breakdown(one, many, result["usage"], probe_log, sys.stderr)
    print(json.dumps(report))


# --------------------------------------------------------------------------------------------------------
# Where the time goes (stderr).
# --------------------------------------------------------------------------------------------------------


def _median(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def breakdown(one: list[Sample], many: list[Sample], usage: dict, probe_log: Path | None, out) -> None:
    def line(text=""):
        print(text, file=out)

    line("Browser timings in ms, medians unless p95. input>req: the mouse press or Enter until the page sends")
    line("the rerun request; to_fin: until the page takes the run's last message ('finished'): the server's run")
    line("and sending, and the page applying the elements before it; client: until the page shows the new state")
    line("at rest; paint: until the next frame. msgs/deltas/KB: what the change received.")
    line(f"{'part':<5} {'kind':<9} {'change':<16} {'n':>4} {'total':>6} {'p95':>6} {'input>req':>9} "
         f"{'to_fin':>6} {'client':>6} {'paint':>5} {'msgs':>5} {'deltas':>6} {'KB':>5}")
    for part, samples in (("1", one), (str(many[0].advisors) if many else "-", many)):
        groups = defaultdict(list)
        for s in (s for s in samples if not s.stuck):
            groups[(s.kind, s.what)].append(s)
            groups[(s.kind, "(all)")].append(s)
        for (kind, what), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] != "(all)",
                                                                               item[0][1])):
            line(f"{part:<5} {kind:<9} {what:<16} {len(group):>4} {_median(s.total for s in group):>6.0f} "
                 f"{percentile([s.total for s in group], 0.95):>6.0f} {_median(s.to_send for s in group):>9.0f} "
                 f"{_median(s.to_finished for s in group):>6.0f} "
                 f"{_median(s.client for s in group):>6.0f} {_median(s.paint for s in group):>5.0f} "
                 f"{_median(s.msgs for s in group):>5.0f} {_median(s.deltas for s in group):>6.0f} "
                 f"{_median(s.kb for s in group):>5.0f}")
    for text in STUCK:
        line(f"STUCK (the app idle, the page not showing the state): {text}")
    line()
    for part, spent in usage.items():
        shares = ", ".join(f"{name} {seconds:.1f} s ({seconds / spent['wall']:.0%} of one core)"
                           for name, seconds in spent.items() if name not in ("wall", "start"))
        line(f"CPU during the {'one-advisor' if part == 'one' else 'many-advisor'} part "
             f"({spent['wall']:.0f} s): {shares}")
    if probe_log is None or not probe_log.exists():
        line("(no probe in the console's process: --url or --no-probe)")
        return
    runs = [json.loads(text) for text in probe_log.read_text().splitlines() if text.strip()]
    line()
    line("Server runs (the probe in the console's process), medians: run = wall time of the script run, cpu = its")
    line("thread's CPU time (run - cpu = waiting: for the GIL, a core, the database), sql = statements and their")
    line("time, connects = new database connections, deltas = elements sent; parts: inclusive times in ms.")
    kinds = (("call page fragment", lambda r: r["fragment"] and "evaluate_call" in r["parts"]),
             ("library page search", lambda r: not r["fragment"] and "search_panel" in r["parts"]))
    middle = usage["many"]["start"]
    for part, chosen_part in (("one advisor", lambda r: r["end"] < middle), ("many advisors", lambda r: r["end"] >= middle)):
        for title, chosen in kinds:
            group = [r for r in runs if chosen_part(r) and chosen(r)]
            if not group:
                continue
            line(f"{part}, {title}: {len(group)} runs, run {_median(r['ms'] for r in group):.0f} "
                 f"(p95 {percentile([r['ms'] for r in group], 0.95):.0f}), cpu {_median(r['cpu_ms'] for r in group):.0f}, "
                 f"sql {_median(r['sql_n'] for r in group):.0f} statements in "
                 f"{_median(r['sql_ms'] for r in group):.1f} ms, connects {_median(r['connects'] for r in group):.0f}, "
                 f"deltas {_median(r['deltas'] for r in group):.0f} ({_median(r['bytes'] for r in group) / 1024:.0f} KB)")
            names = sorted({name for r in group for name in r["parts"]},
                           key=lambda name: -_median(r["parts"].get(name, 0) for r in group))
            line("    parts: " + ", ".join(f"{name} {_median(r['parts'].get(name, 0) for r in group):.1f}"
                                           for name in names))
            if title.startswith("call"):
                rest = [r["ms"] - sum(r["parts"].get(name, 0) for name in WORKSPACE_PARTS) for r in group]
                line(f"    outside those parts (Streamlit's fragment set-up and tear-down, st.columns): "
                     f"{_median(rest):.1f}")

if __name__ == "__main__":
    main()
