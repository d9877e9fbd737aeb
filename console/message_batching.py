"""Fewer wake-ups of the server's event loop per run: a run's elements reach it in batches, in order.

Streamlit 1.67 hands every element a script run draws to the instance's one event loop on its own: the run's
thread schedules a callback with `call_soon_threadsafe`, which writes a byte to the loop's wake-up pipe, and
the loop, on taking the element into the session's browser queue, schedules the "send now" signal the same
way. A call page change draws about 100 elements, so about 200 wake-ups, and each one is a system call that
hands Python's interpreter lock back and forth between the run's thread and the loop: measured with py-spy
on the call page, a fifth of a run's thread time was spent in that wake-up write (see README, "Where the wait
goes"). With many advisors the one loop serves every session's elements, so this is where their changes queue.

`install()` keeps Streamlit's order and semantics and removes the repetition:

- `AppSession._call_soon_on_event_loop`: callbacks go into the session's queue (first in, first out) and the
  loop is woken only when no drain of that queue is already scheduled; the drain runs them in order.
- `Runtime._enqueued_some_message`: the "send now" event is only scheduled when it is not already set (a set
  event is cleared by the flush loop before it takes the queues, so a message enqueued before that clearing
  is taken by the same flush).

Private methods of Streamlit, checked against 1.67.0 (requirements.lock pins it); `install()` leaves a version
without them alone (and logs it). tests/console/test_message_batching.py checks the order, the loss-free
draining and the installation; every browser test (tests/e2e) runs the console through the patched server.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("console")
_installed = False


class SessionCallbacks:
    """One session's callbacks for the event loop, run in the order they were scheduled."""

    def __init__(self, loop: Any) -> None:
        self.loop = loop
        self.pending: deque[Callable[[], None]] = deque()
        self.lock = threading.Lock()
        self.scheduled = False

    def schedule(self, callback: Callable[[], None]) -> None:
        self.pending.append(callback)
        with self.lock:
            if self.scheduled:
                return
            self.scheduled = True
        try:
            self.loop.call_soon_threadsafe(self.drain)
        except RuntimeError:  # the loop is closed (shutting down): as Streamlit, drop the callback
            with self.lock:
                self.scheduled = False
            if not self.loop.is_closed():
                raise

    def drain(self) -> None:
        with self.lock:
            self.scheduled = False  # from here on a new callback schedules a new drain
        while True:
            try:
                callback = self.pending.popleft()
            except IndexError:
                return
            try:
                callback()
            except Exception:  # as the loop itself does with a failing callback: log it, run the rest
                log.exception("event-loop callback failed")


def install() -> bool:
    """Patch Streamlit's session and runtime (once per process). False when this Streamlit lacks the methods."""
    global _installed
    if _installed:
        return True
    from streamlit.runtime import app_session, runtime

    session_class, runtime_class = app_session.AppSession, runtime.Runtime
    if not (hasattr(session_class, "_call_soon_on_event_loop") and hasattr(runtime_class, "_enqueued_some_message")
            and hasattr(runtime_class, "_get_async_objs")):
        log.warning("message batching not installed: this Streamlit lacks the methods it replaces")
        return False
    lock = threading.Lock()

    def call_soon_on_event_loop(self: Any, callback: Callable[[], None]) -> None:
        callbacks = self.__dict__.get("_console_callbacks")
        if callbacks is None:
            with lock:
                callbacks = self.__dict__.setdefault("_console_callbacks", SessionCallbacks(self._event_loop))
        callbacks.schedule(callback)

    def enqueued_some_message(self: Any) -> None:
        async_objs = self._get_async_objs()
        if not async_objs.need_send_data.is_set():
            async_objs.eventloop.call_soon_threadsafe(async_objs.need_send_data.set)

    session_class._call_soon_on_event_loop = call_soon_on_event_loop  # type: ignore[method-assign]
    runtime_class._enqueued_some_message = enqueued_some_message  # type: ignore[method-assign]
    _installed = True
    return True
