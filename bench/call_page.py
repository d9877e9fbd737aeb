"""Benchmark the live call page: AppTest rerun time after one profile change, draft autosave included.

AppTest always reruns the whole app (router, role check, page), while a browser reruns only the call
page's fragment when the form changes, so these figures are an upper bound for what the advisor waits.
Prints one JSON line. Run: .venv/bin/python bench/call_page.py   (target: rerun_median_ms < 300)
`--smoke` (3 rounds) only checks that it still runs.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = 40


def count_elements(tree) -> Counter:
    """The elements and containers in an AppTest tree, by kind (the roots main, sidebar, ... not counted):
    what a full run of the page sends the browser, one message each."""
    kinds: Counter = Counter()
    pending = [child for root in tree.children.values() for child in root.children.values()]
    while pending:
        node = pending.pop()
        kinds[type(node).__name__] += 1
        pending.extend(getattr(node, "children", {}).values())
    return kinds


def main() -> None:
    global ROUNDS
    if "--smoke" in sys.argv[1:]:
        ROUNDS = 3
    directory = tempfile.mkdtemp(prefix="bench_call_page_")
    url = f"sqlite:///{directory}/bench.db"
    os.environ["DATABASE_URL"] = url

    from streamlit.testing.v1 import AppTest

    from db.bootstrap import prepare_database
    from db.engine import get_engine, session_scope
    from db.models import UserCreate
    from db.repositories import drafts, sessions, users
    from settings import get_settings

    get_settings.cache_clear()
    prepare_database(url)
    with session_scope(get_engine(url)) as session:
        advisor = users.create_user(session, data=UserCreate(username="bench", display_name="Bench",
                                                             password="korrekt-hest-batteri"))

    at = AppTest.from_file(str(ROOT / "console" / "app.py"), default_timeout=60)
    at.session_state["user"] = asdict(advisor)
    with session_scope(get_engine(url)) as session:  # the server-side session a login makes
        at.session_state["session_id"] = sessions.open_session(session, user_id=advisor.id,
                                                               lifetime=timedelta(hours=12)).id
    at.session_state["lang"] = "da"
    at.run()
    at.button(key="call_start").click().run()
    # Henrik (GUIDANCE.md): the longest script, with the follow-up suggestion and library entries.
    at.radio(key="call_activity_level").set_value("everyday_active")
    at.selectbox(key="call_pain").set_value("severe")
    at.radio(key="call_fractures_known").set_value("yes").run()
    at.selectbox(key="call_fx_site_1").set_value("vertebral")
    at.text_input(key="call_fx_weeks_1").set_value("4").run()
    for _ in range(3):  # warm caches (content, library index, templates)
        at.text_input(key="call_age").set_value("70").run()

    timings = []
    for round_number in range(ROUNDS):
        at.text_input(key="call_age").set_value(str(70 + round_number % 20))  # a change each time: autosave writes
        began = time.perf_counter()
        at.run()
        timings.append((time.perf_counter() - began) * 1000)
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception}")
    with session_scope(get_engine(url)) as session:
        stored_age = drafts.list_drafts(session, advisor_id=advisor.id)[0].data["values"]["call_age"]
    assert stored_age == str(70 + (ROUNDS - 1) % 20), "autosave did not keep up"

    # What a profile change redraws: the page's elements after one (AppTest draws all of it, the browser
    # receives the call fragment's share, see bench/capacity.py's light_by_field).
    kinds = count_elements(at._tree)
    print(json.dumps({"elements_by_kind": dict(kinds.most_common())}), file=sys.stderr)
    timings.sort()
    print(json.dumps({
        "rerun_median_ms": round(statistics.median(timings), 1),
        "rerun_p90_ms": round(timings[int(len(timings) * 0.9) - 1], 1),
        "rerun_max_ms": round(timings[-1], 1),
        "rounds": ROUNDS,
        "blocks_on_page": sum(1 for box in at.checkbox if box.key and box.key.startswith("call_said_")),
        "elements_after_profile_change": sum(kinds.values()),
        "target_ms": 300,
    }))


if __name__ == "__main__":
    main()
