"""The console's one timer, and the call's clock, which needs none.

**One timer.** `idle_watch()` (app.py draws it in the sidebar of every page while someone is logged in) is
the only fragment that reruns by itself. It ends an idle or revoked session (guard.watch(), which is not
activity), and it does not tick at a fixed pace: each tick schedules the next one for the moment this tab's
idle time runs out (one second after it), or `SESSION_WATCH_SECONDS` later if that is sooner. So the idle
logout comes within about a second of `SESSION_IDLE_MINUTES`, and an active advisor's tab ticks only every
`SESSION_WATCH_SECONDS`. A tick never interrupts an advisor's change: Streamlit queues a timer's fragment run
behind a run in progress (a timer's rerun is not fragment-scoped, so it does not preempt), and the tick
itself draws nothing and changes no widget.

**The call's clock** (`call_clock()`) counts the call's minutes in the browser: a CSS animation of an
integer custom property, started as many seconds in the past as the call has lasted, shown through a CSS
counter. It needs no rerun and no JavaScript; the next run that draws the page sets it right again.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

from advisory.formatting import to_local
from console import guard
from console.i18n import t
from db.models import utcnow
from settings import get_settings

MARGIN = timedelta(seconds=1)  # the tick after the idle limit comes this much after it
SHORTEST = 1.0  # seconds; never tick faster than this

# The minutes as a CSS counter: --call-minutes counts 0..1440 over a day in whole steps; the animation is
# started `elapsed` seconds in the past (a negative delay), so it shows the call's minutes right away.
# ('\3C integer\3E' is '<integer>' as a CSS escape: st.html drops a style holding a literal tag.)
_CLOCK_STYLE = """<style>
@property --call-minutes { syntax: '\\3C integer\\3E'; inherits: false; initial-value: 0; }
@keyframes call-minutes { from { --call-minutes: 0; } to { --call-minutes: 1440; } }
.call-clock { font-size: 0.875rem; color: #5b5a59; margin: 0; }
.call-clock-minutes { animation: call-minutes 86400s steps(1440, end) forwards;
                      counter-reset: call-minutes var(--call-minutes); }
.call-clock-minutes::after { content: counter(call-minutes); }
</style>"""


def watch_interval(last_active: object, now: datetime) -> float:
    """Seconds until the next tick: one second after this tab's idle time runs out (it was last active at
    `last_active`), at most SESSION_WATCH_SECONDS, at least SHORTEST."""
    longest = get_settings().SESSION_WATCH_SECONDS
    if not isinstance(last_active, datetime):
        return longest
    left = (last_active + guard.idle_limit() + MARGIN - now).total_seconds()
    return round(min(longest, max(SHORTEST, left)), 1)


def _next_interval() -> float:
    return watch_interval(st.session_state.get(guard.LAST_ACTIVE), utcnow())


def _schedule(seconds: float) -> None:
    """Set the running fragment's tick interval (the browser restarts its interval when it changes).

    Streamlit sends the interval when the fragment is drawn by a full run; a fragment's own run does not,
    so the watch sends it itself, as Streamlit does (ForwardMsg.auto_rerun for this fragment's id).
    """
    ctx, fragment_id = get_script_run_ctx(), ThreadState.get().fragment_id
    if ctx is None or not fragment_id:
        return
    msg = ForwardMsg()
    msg.auto_rerun.interval = seconds
    msg.auto_rerun.fragment_id = fragment_id
    ctx.enqueue(msg)


def _tick() -> None:
    guard.watch()  # an ended session reruns the whole app (the login) and never gets here
    _schedule(_next_interval())


def idle_watch() -> None:
    """The one timer: draw it once per full run, in the sidebar."""
    st.fragment(_tick, run_every=_next_interval())()


def call_clock(started_at: datetime) -> None:
    """"The call started at 10:32 · 5 min.", the minutes counting in the browser."""
    elapsed = max(0, int((utcnow() - started_at).total_seconds()))
    before, _, after = t("call.timer", started=to_local(started_at).strftime("%H:%M"), minutes="\0").partition("\0")
    st.html(_CLOCK_STYLE)  # a style alone (mixed with content, st.html drops it)
    st.html(f"<p class='call-clock' data-testid='call-clock'>{html.escape(before)}"
            f"<span class='call-clock-minutes' style='animation-delay:-{elapsed}s'></span>{html.escape(after)}</p>")
