"""Every bench still runs: each in its smallest size (a smoke mode, or a tiny --calls and a temporary --db),
so a bench that no longer runs fails CI. bench/browser.py and bench/capacity.py start a console themselves.

Benchmarks are not timed tests: this checks only that every figure is there and is a positive number.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

FIGURES = (
    "update_median_ms", "update_p95_ms", "topic_median_ms", "topic_p95_ms", "red_flag_median_ms", "red_flag_p95_ms",
    "search_median_ms", "search_p95_ms", "update_median_ms_8", "update_p95_ms_8", "topic_median_ms_8",
    "topic_p95_ms_8", "red_flag_median_ms_8", "red_flag_p95_ms_8",
)


def test_the_browser_benchmark_runs_and_reports_every_figure(chromium_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "browser.py"), "--smoke"], cwd=ROOT,
                         env={**os.environ, "CHROMIUM_PATH": chromium_path}, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, run.stdout  # one JSON line, nothing else on stdout
    report = json.loads(lines[0])
    for key in FIGURES:
        assert isinstance(report[key], int | float) and math.isfinite(report[key]) and report[key] > 0, (key, report)
    assert report["samples"] == 2 and report["advisors"] == 2 and report["samples_8"] >= 2
    assert report["cpus"] >= 1
    assert set(report["goals"]) == {"update_median_ms", "update_p95_ms", "update_p95_ms_8", "search_median_ms"}
    assert "Server runs" in run.stderr  # the breakdown, with the probe in the console's process
    page_work_is_sound(report["update_page_ms"])


# --- the other benches ---------------------------------------------------------------------------------------


def run_bench(name: str, *args: str, timeout: int = 900, **env: str) -> dict:
    """Run bench/<name> with `args`; its stdout must be one JSON line, which is returned."""
    run = subprocess.run([sys.executable, str(ROOT / "bench" / name), *args], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1, run.stdout[-3000:]
    return json.loads(lines[0])


def page_work_is_sound(work: dict) -> None:
    """The page's main thread per change: all of it busy, of which JavaScript, styles and layout are parts."""
    assert set(work) == {"busy", "script", "style", "layout"}, work
    positive(work, "busy", "script")
    assert all(math.isfinite(work[part]) and 0 <= work[part] <= work["busy"] for part in work), work


def positive(report: dict, *keys: str) -> None:
    for key in keys:
        value = report
        for part in key.split("."):
            value = value[part]
        assert isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
            and value > 0, (key, value)


def test_the_script_benchmark_runs():
    report = run_bench("script.py", "--smoke")
    positive(report, "build_script_median_ms", "p95_ms", "max_ms", "builds", "groups_seen", "content_load_ms")


def test_the_call_page_benchmark_runs():
    report = run_bench("call_page.py", "--smoke")
    positive(report, "rerun_median_ms", "rerun_p90_ms", "rerun_max_ms", "rounds", "blocks_on_page")


def test_the_search_benchmark_runs():
    report = run_bench("search.py", "--quick", "--skip-heldout")
    positive(report, "entries", "tuned.old.all.questions", "tuned.old.all.answered_at_1", "tuned.dev.all.hit_at_3",
             "bands.derived.confident_p", "tuned.dev.all.answered_at_3_per_question",
             "tuned.dev.all.wrong_confident_per_question", "cross_validated_by_language.da.answered_at_3",
             "cross_validated_by_language.en.answered_at_3")


def test_the_statistics_dashboard_benchmark_runs(tmp_path):
    report = run_bench("statistics_dashboard.py", "--calls", "300", "--db", str(tmp_path / "statistics.db"))
    positive(report, "calls", "aggregate_rows", "dashboard_s", "after_change_s", "from_calls_s", "period_calls",
             "seed_s")
    assert report["agree"] is True and report["agree_after_change"] is True


def test_the_call_log_benchmark_runs(tmp_path):
    report = run_bench("call_log.py", "--calls", "300", "--db", str(tmp_path / "call_log.db"))
    positive(report, "calls", "page_ms", "count_ms", "follow_ups_ms", "export_peak_mb", "export_rows")
    assert report["export_rows"] == 300 and report["export_s"] >= 0  # 300 rows export in under 0.05 s
    # The export alone, split across two processes as a large one is: the worker's memory is counted too.
    split = run_bench("call_log.py", "--export-only", "--split-from", "1", "--db", str(tmp_path / "call_log.db"))
    positive(split, "calls", "export_peak_mb", "export_worker_peak_mb", "export_total_peak_mb", "export_rows")
    assert split["export_rows"] == 300
    assert abs(split["export_total_peak_mb"] - split["export_peak_mb"] - split["export_worker_peak_mb"]) <= 0.2


def test_the_outbox_benchmark_runs():
    report = run_bench("outbox.py")
    positive(report, "messages", "runners_1_per_second", "runners_2_per_second", "batch_letters",
             "batch_pdf_seconds", "batch_pdf_kib")
    assert report["runners_1_exactly_once"] is True and report["runners_2_exactly_once"] is True


def test_the_capacity_benchmark_runs(chromium_path):
    """Its smoke mode: the floor, then 0 and 2 light advisors on one SQLite instance (and on two PostgreSQL
    instances when TEST_DATABASE_URL is set)."""
    report = run_bench("capacity.py", "--smoke", CHROMIUM_PATH=chromium_path)
    positive(report, "floor_median_ms", "floor_p95_ms", "cpus")
    positive(report["floor_wait_parts_median_ms"], "to_send", "to_finished", "client")
    page_work_is_sound(report["floor_page_parts_median_ms"])
    setups = [report["sqlite_1"]] + ([report["postgres_2"]] if report["postgres_2"] is not None else [])
    assert bool(report["postgres_2"]) == bool(os.environ.get("TEST_DATABASE_URL"))
    for setup in setups:
        assert [level["advisors"] for level in setup["levels"]] == [0, 2]
        for level in setup["levels"]:
            positive(level, "median_ms", "p95_ms", "median_x_floor", "p95_x_floor", "samples",
                     "elements_per_change", "kb_per_change")
            positive(level["wait_parts_median_ms"], "to_send", "to_finished", "client")
            page_work_is_sound(level["page_parts_median_ms"])
            assert level["light_errors"] == 0
        positive(setup["levels"][1], "changes", "changes_per_s", "cpu_ms_per_change", "cpu_share_of_one_core",
                 "machine_busy_share", "light_advisors_cpu_share_of_one_core",
                 "light_elements_per_change", "light_bytes_per_change")
        positive(setup["levels"][1]["light_profile_round_trip_ms"], "median", "p95", "n")
        assert setup["capacity"] in (0, 2)
