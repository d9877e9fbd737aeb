"""A run that has finished reaches the browser whole, even when the next run starts before it was sent.

When a script run starts, Streamlit clears the session's browser queue of what the previous run drew and has
not been sent yet (`ForwardMsgQueue.clear`, called for SCRIPT_STARTED): the new run is about to draw it again.
It keeps the lifecycle messages, and it rewrites the previous run's `script_finished` to "finished early for
rerun", so the browser does not clear stale elements in between and make the page flicker. For a run that was
interrupted that is right. For a fragment run that had already *finished* it is not, when the new run is
another fragment's: the browser then never clears that fragment's stale elements (it only clears on a
successful finish, for the fragments of that run), and elements the finished run no longer drew stay on the
screen until that fragment next finishes a run of its own.

That is what the load test saw (issue 23): the call page's workspace fragment finishes a run, the one timer's
tick (a fragment that draws nothing; its request was queued behind the change) starts at once, and the
workspace's "finished" was rewritten while it still waited in the queue. Library entries the previous run
had drawn further down stayed on screen beside the same entries at their new places, until the next change.
Counted on the server during the load test: in about one profile change in twenty to twenty-five.

`install()` makes the clear at a fragment run's start leave everything up to the last run that finished
successfully as it is (its elements and its finished status): the browser gets that run whole, exactly as it
would have had the queue been sent a moment earlier, and clears its stale elements; the new run's elements
follow and replace it. What comes after that finish (a run that was interrupted) is cleared as Streamlit
does. A full run's start is left to Streamlit (it redraws everything and clears all stale elements itself).

A private method of Streamlit, checked against 1.67.0 (requirements.lock pins it); `install()` leaves a
version without it alone (and logs it). tests/console/test_whole_runs.py checks the rule on Streamlit's own
queue and messages.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

log = logging.getLogger("console")
_installed = False
streamlit_clear: Any = None  # Streamlit's own ForwardMsgQueue.clear, once install() has wrapped it

FINISHED_WHOLE = frozenset({ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
                            ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY})


def finished_runs_end(queue: list[ForwardMsg]) -> int:
    """How many messages at the queue's head belong to runs that finished successfully (0 if none did)."""
    for index in range(len(queue) - 1, -1, -1):
        msg = queue[index]
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in FINISHED_WHOLE:
            return index + 1
    return 0


def install() -> bool:
    """Patch Streamlit's browser queue (once per process). False when this Streamlit lacks the method."""
    global _installed, streamlit_clear
    if _installed:
        return True
    from streamlit.runtime import forward_msg_queue

    queue_class = forward_msg_queue.ForwardMsgQueue
    original = getattr(queue_class, "clear", None)
    if original is None or "fragment_ids_this_run" not in inspect.signature(original).parameters:
        log.warning("whole runs not installed: this Streamlit's browser queue lacks the method it wraps")
        return False

    def clear(self: Any, retain_lifecycle_msgs: bool = False, fragment_ids_this_run: list[str] | None = None) -> None:
        whole = finished_runs_end(self._queue) if retain_lifecycle_msgs and fragment_ids_this_run is not None else 0
        if not whole:
            original(self, retain_lifecycle_msgs, fragment_ids_this_run)
            return
        finished, self._queue = self._queue[:whole], self._queue[whole:]
        original(self, retain_lifecycle_msgs, fragment_ids_this_run)  # the rest, as Streamlit does
        self._queue = finished + self._queue  # new deltas are not composed into the finished run's (map reset)

    streamlit_clear = original
    queue_class.clear = clear  # type: ignore[method-assign]
    _installed = True
    return True
