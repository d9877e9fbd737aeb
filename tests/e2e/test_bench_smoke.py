"""bench/browser.py still runs: its smoke mode (2 samples, 2 advisors) against a console it starts itself.

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
