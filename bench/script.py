"""Benchmark build_script over many varied profiles; prints one JSON line of figures.

Run: .venv/bin/python bench/script.py   (target: median < 2 ms)
     .venv/bin/python bench/script.py --smoke   (100 profiles, one round: does it still run?)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisory.profile import (  # noqa: E402
    ActivityLevel,
    CallerProfile,
    CallerRole,
    Diagnosis,
    Fracture,
    FractureSite,
    PainLevel,
    Sex,
    Topic,
)
from advisory.script import build_script, load_script_content, script_content  # noqa: E402

CALL_DATE = date(2026, 11, 26)
PROFILES = 2000
ROUNDS = 5


def maybe(rng: random.Random, value):
    return None if rng.random() < 0.25 else value


def random_profile(rng: random.Random) -> CallerProfile:
    fractures = None if rng.random() < 0.2 else [
        Fracture(site=rng.choice(list(FractureSite)), occurred_on=CALL_DATE - timedelta(days=rng.randint(0, 9000)),
                 low_energy=rng.random() < 0.8)
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))
    ]
    return CallerProfile(
        caller_role=maybe(rng, rng.choice(list(CallerRole))),
        age=maybe(rng, rng.randint(40, 100)),
        sex=maybe(rng, rng.choice(list(Sex))),
        diagnosis=maybe(rng, rng.choice(list(Diagnosis))),
        t_score=maybe(rng, round(rng.uniform(-4.5, 0.5), 1)),
        fractures=fractures,
        pain=maybe(rng, rng.choice(list(PainLevel))),
        activity_level=rng.choice(list(ActivityLevel)),
        falls_last_year=maybe(rng, rng.choice([0, 0, 0, 1, 2, 5])),
        fear_of_movement=maybe(rng, rng.random() < 0.3),
        in_physiotherapy=maybe(rng, rng.random() < 0.3),
        topics=set(rng.sample(list(Topic), rng.randint(0, 4))),
    )


def main() -> None:
    global PROFILES, ROUNDS
    if "--smoke" in sys.argv[1:]:
        PROFILES, ROUNDS = 100, 1
    started = time.perf_counter()
    load_script_content()  # the full, checked load, as at process start
    load_ms = (time.perf_counter() - started) * 1000
    script_content()  # warm the per-process cache that build_script uses

    rng = random.Random(20261126)
    profiles = [random_profile(rng) for _ in range(PROFILES)]
    timings = []
    groups = set()
    for round_number in range(ROUNDS):
        lang = "da" if round_number % 2 == 0 else "en"
        for profile in profiles:
            start = time.perf_counter_ns()
            script = build_script(profile, today=CALL_DATE, lang=lang)
            timings.append((time.perf_counter_ns() - start) / 1e6)
            groups.add(script.group)

    timings.sort()
    print(json.dumps({
        "build_script_median_ms": round(statistics.median(timings), 4),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 4),
        "max_ms": round(timings[-1], 4),
        "builds": len(timings),
        "groups_seen": len(groups),
        "content_load_ms": round(load_ms, 1),
    }))


if __name__ == "__main__":
    main()
