"""console/message_batching.py: a session's callbacks reach the event loop in batches, never out of order,
never lost, and one that fails does not stop the others."""

from __future__ import annotations

import asyncio
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from console.message_batching import SessionCallbacks


class RunningLoop:
    """A real asyncio event loop in its own thread, as the server's."""

    def __enter__(self) -> asyncio.AbstractEventLoop:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        return self.loop

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _settle(loop: asyncio.AbstractEventLoop) -> None:
    """Wait until everything scheduled so far on `loop` has run."""
    done = threading.Event()
    loop.call_soon_threadsafe(lambda: loop.call_soon(done.set))
    assert done.wait(timeout=10)


@settings(max_examples=25, deadline=None)
@given(threads=st.integers(min_value=1, max_value=4), per_thread=st.integers(min_value=1, max_value=400))
def test_callbacks_from_many_threads_all_run_each_threads_in_order(threads, per_thread):
    seen: list[tuple[int, int]] = []
    with RunningLoop() as loop:
        callbacks = SessionCallbacks(loop)

        def produce(thread: int) -> None:
            for index in range(per_thread):
                callbacks.schedule(lambda thread=thread, index=index: seen.append((thread, index)))

        workers = [threading.Thread(target=produce, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        _settle(loop)
        for _ in range(3):  # a drain scheduled by the last callbacks may follow the settle marker
            _settle(loop)
    assert sorted(seen) == [(t, i) for t in range(threads) for i in range(per_thread)]
    for thread in range(threads):
        assert [i for t, i in seen if t == thread] == list(range(per_thread))


def test_one_thread_is_served_first_in_first_out_and_wakes_the_loop_less_than_once_per_callback():
    seen: list[int] = []
    wakeups = 0
    with RunningLoop() as loop:
        original = loop.call_soon_threadsafe

        def counting(callback, *args, **kwargs):
            nonlocal wakeups
            wakeups += 1
            return original(callback, *args, **kwargs)

        callbacks = SessionCallbacks(loop)
        callbacks.loop = type("Counted", (), {"call_soon_threadsafe": staticmethod(counting),
                                              "is_closed": staticmethod(loop.is_closed)})()
        blocker = threading.Event()
        loop.call_soon_threadsafe(blocker.wait, 10)  # the loop is busy, as with another session's run
        for index in range(1000):
            callbacks.schedule(lambda index=index: seen.append(index))
        blocker.set()
        for _ in range(3):
            _settle(loop)
    assert seen == list(range(1000))
    assert wakeups == 1  # all 1,000 arrived while the loop was busy: one drain took them all


def test_a_callback_scheduled_by_a_callback_runs_after_it():
    seen: list[str] = []
    with RunningLoop() as loop:
        callbacks = SessionCallbacks(loop)

        def first() -> None:
            seen.append("first")
            callbacks.schedule(lambda: seen.append("scheduled by first"))

        callbacks.schedule(first)
        callbacks.schedule(lambda: seen.append("second"))
        for _ in range(3):
            _settle(loop)
    assert seen == ["first", "second", "scheduled by first"]


def test_a_failing_callback_is_logged_and_the_rest_still_run(caplog):
    seen: list[int] = []
    with RunningLoop() as loop:
        callbacks = SessionCallbacks(loop)
        blocker = threading.Event()
        loop.call_soon_threadsafe(blocker.wait, 10)
        callbacks.schedule(lambda: seen.append(1))
        callbacks.schedule(lambda: 1 / 0)
        callbacks.schedule(lambda: seen.append(3))
        blocker.set()
        for _ in range(3):
            _settle(loop)
    assert seen == [1, 3]
    assert "event-loop callback failed" in caplog.text


def test_a_closed_loop_drops_the_callback_as_streamlit_does():
    loop = asyncio.new_event_loop()
    loop.close()
    callbacks = SessionCallbacks(loop)
    callbacks.schedule(lambda: None)  # no "Event loop is closed" error
    assert not callbacks.scheduled


def test_install_replaces_the_two_streamlit_methods_it_names():
    from streamlit.runtime import app_session, runtime

    from console import message_batching

    assert message_batching.install()
    assert app_session.AppSession._call_soon_on_event_loop.__module__ == "console.message_batching"
    assert runtime.Runtime._enqueued_some_message.__module__ == "console.message_batching"
    assert message_batching.install()  # a second call changes nothing
