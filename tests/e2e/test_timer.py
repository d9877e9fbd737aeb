"""The console's one timer (console/clock.py): it never interrupts an advisor's change, it logs an idle
session out when its idle time runs out (not up to 30 seconds later), and the call's clock counts in the
browser without any rerun.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import running_console
from tests.e2e.helpers import create_user, fill_text, log_in, start_call, wait_for_draft, wait_idle, widget

pytestmark = pytest.mark.e2e

LONG = 60_000


def _rerun_requests(page) -> list[float]:
    """The times (monotonic) at which the page asked the server for a run (binary frames it sent)."""
    sent: list[float] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(time.monotonic())
                                          if isinstance(payload, bytes) else None))
    return sent


def test_typing_across_timer_ticks_keeps_every_keystroke(tmp_path, chromium_path, page):
    database_url = f"sqlite:///{tmp_path / 'console.db'}"
    create_user(database_url, "rikke")
    # A tick every second, so a few land while the advisor types and while her changes run.
    with running_console(database_url, tmp_path / "streamlit.log", SESSION_WATCH_SECONDS="1") as server:
        sent = _rerun_requests(page)
        log_in(page, server.url, "rikke")
        start_call(page)
        notes = "Ringer om ryggen efter faldet i marts; vil gerne i gang med at gå igen"
        box = widget(page, "call_notes").locator("textarea")
        before = len(sent)
        box.press_sequentially(notes, delay=60)  # about 4 s of typing, one rerun request per tick meanwhile
        ticks_while_typing = len(sent) - before
        box.blur()
        wait_idle(page)
        assert ticks_while_typing >= 2, ticks_while_typing  # the ticks really came while she typed
        expect(box).to_have_value(notes)
        wait_for_draft(database_url, "rikke", notes)
        # Changes one after another while the ticks go on: each stays as typed.
        for value in ("71", "72", "73"):
            age = widget(page, "call_age").locator("input")
            age.fill(value)
            age.press("Enter")
            time.sleep(0.7)  # let a tick fall between or into the runs
        wait_idle(page)
        expect(widget(page, "call_age").locator("input")).to_have_value("73")
        expect(box).to_have_value(notes)


def test_the_idle_logout_comes_when_the_idle_time_runs_out(tmp_path, chromium_path, page):
    database_url = f"sqlite:///{tmp_path / 'console.db'}"
    create_user(database_url, "rikke")
    idle_seconds = 12
    # The default 30 seconds between checks: the last check is scheduled for the end of the idle time.
    with running_console(database_url, tmp_path / "streamlit.log",
                         SESSION_IDLE_MINUTES=str(idle_seconds / 60)) as server:
        log_in(page, server.url, "rikke")
        start_call(page)
        fill_text(page, "call_notes", "Det sidste hun skrev")
        last_action = time.monotonic()  # after the page has finished the run that counted as activity
        expect(page.get_by_text("Du er blevet logget ud", exact=False)).to_be_visible(timeout=LONG)
        late = time.monotonic() - last_action - idle_seconds
        # The old 30-second timers logged out up to 30 s late; the one timer comes a second after the limit.
        # (A generous bound: the machine may be busy; the logout can never come early, the database decides.)
        assert late < 10, f"logged out {late:.1f} s after the idle limit"
        expect(widget(page, "call_notes")).to_have_count(0)


def test_the_call_clock_counts_minutes_without_a_rerun(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    clock = page.get_by_test_id("call-clock")
    expect(clock).to_contain_text("Opkaldet startede kl.")
    minutes = clock.locator(".call-clock-minutes")
    # The counter the page shows: 0 minutes now; a call that has lasted 125 s shows 2 (the same element,
    # as the browser's own clock moves it on; no message from the server is involved).
    assert minutes.evaluate("e => getComputedStyle(e).getPropertyValue('--call-minutes').trim()") == "0"
    shown = minutes.evaluate("e => { e.style.animationDelay = '-125s';"
                             " return getComputedStyle(e).getPropertyValue('--call-minutes').trim(); }")
    assert shown == "2"
