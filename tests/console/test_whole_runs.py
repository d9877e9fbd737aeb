"""console/whole_runs.py: when a run starts, a fragment run that has already finished stays in the browser
queue whole (its elements and its "finished", which lets the browser clear that fragment's stale elements);
what was interrupted is cleared as Streamlit clears it. Checked on Streamlit's own queue and messages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from console import whole_runs

Status = ForwardMsg.ScriptFinishedStatus
WORKSPACE, TIMER, WRAP_UP = "workspace", "timer", "wrap_up"


def new_session(run: str, fragments: list[str]) -> ForwardMsg:
    msg = ForwardMsg()
    msg.new_session.name = "console"
    msg.metadata.run.script_run_id = run
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def element(run: str, index: int, fragment: str | None) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = f"{run}: element {index}"
    if fragment:
        msg.delta.fragment_id = fragment
    msg.metadata.delta_path.extend([0, index])
    return msg


def finished(run: str, fragments: list[str], status: int) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status  # type: ignore[assignment]
    msg.metadata.run.script_run_id = run
    msg.metadata.run.fragment_ids.extend(fragments)
    return msg


def run_messages(run: str, fragments: list[str], elements: int, status: int | None) -> list[ForwardMsg]:
    """One run as the session queues it: its start, its elements, and its finish (None: still running)."""
    drawn = [element(run, index, fragments[index % len(fragments)] if fragments else None) for index in range(elements)]
    return [new_session(run, fragments), *drawn, *([] if status is None else [finished(run, fragments, status)])]


def queue_of(messages: list[ForwardMsg]) -> ForwardMsgQueue:
    """A session's queue holding `messages` as sent (each run's start cleared the queue's composition map, so
    no run's element was composed into an earlier run's)."""
    queue = ForwardMsgQueue()
    for msg in messages:
        copy = ForwardMsg()
        copy.CopyFrom(msg)
        queue._queue.append(copy)
    return queue


def identity(msg: ForwardMsg) -> tuple[str | None, str, str]:
    """Which message this is, whatever its finished status says."""
    return msg.WhichOneof("type"), msg.metadata.run.script_run_id, msg.delta.new_element.markdown.body


def cleared(messages: list[ForwardMsg], fragments: list[str] | None, clear) -> list[ForwardMsg]:
    queue = queue_of(messages)
    clear(queue, retain_lifecycle_msgs=True, fragment_ids_this_run=fragments)
    return queue.flush()


def statuses(messages: list[ForwardMsg]) -> list[int]:
    return [msg.script_finished for msg in messages if msg.WhichOneof("type") == "script_finished"]


def elements_of(messages: list[ForwardMsg]) -> list[str]:
    return [msg.delta.new_element.markdown.body for msg in messages if msg.WhichOneof("type") == "delta"]


def test_a_finished_workspace_run_stays_whole_when_the_timers_tick_starts_before_it_was_sent():
    assert whole_runs.install()
    workspace_run = run_messages("r1", [WORKSPACE], 5, Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    # Streamlit's own clear turns the finish into "finished early": the browser would keep the stale elements.
    assert statuses(cleared(workspace_run, [TIMER], whole_runs.streamlit_clear)) == [Status.FINISHED_EARLY_FOR_RERUN]
    kept = cleared(workspace_run, [TIMER], ForwardMsgQueue.clear)
    assert kept == workspace_run
    assert statuses(kept) == [Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY]


def test_a_finished_run_stays_whole_when_the_same_fragment_runs_again():
    assert whole_runs.install()
    workspace_run = run_messages("r1", [WORKSPACE], 4, Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    assert cleared(workspace_run, [WORKSPACE], ForwardMsgQueue.clear) == workspace_run


def test_an_interrupted_run_after_a_finished_one_is_cleared_as_streamlit_clears_it():
    assert whole_runs.install()
    done = run_messages("r1", [WORKSPACE], 3, Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    interrupted = run_messages("r2", [WORKSPACE, WRAP_UP], 6, Status.FINISHED_EARLY_FOR_RERUN)
    result = cleared(done + interrupted, [WORKSPACE], ForwardMsgQueue.clear)
    assert result[: len(done)] == done
    assert result[len(done):] == cleared(interrupted, [WORKSPACE], whole_runs.streamlit_clear)
    # the interrupted run's workspace elements are gone, its wrap-up elements (another fragment) stay
    assert elements_of(result[len(done):]) == [f"r2: element {index}" for index in (1, 3, 5)]


def test_a_full_runs_start_and_a_queue_without_a_finished_run_are_left_to_streamlit():
    assert whole_runs.install()
    done = run_messages("r1", [WORKSPACE], 3, Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    running = run_messages("r2", [WORKSPACE], 3, None)
    assert cleared(done, None, ForwardMsgQueue.clear) == cleared(done, None, whole_runs.streamlit_clear)
    assert cleared(running, [WORKSPACE], ForwardMsgQueue.clear) == cleared(running, [WORKSPACE], whole_runs.streamlit_clear)


def test_flush_still_empties_the_queue():
    assert whole_runs.install()
    queue = queue_of(run_messages("r1", [WORKSPACE], 3, Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    assert len(queue.flush()) == 5
    assert queue.flush() == []


FRAGMENT_SETS = st.sampled_from([[], [WORKSPACE], [TIMER], [WRAP_UP], [WORKSPACE, TIMER], [TIMER, WORKSPACE, WRAP_UP]])
ENDS = st.sampled_from([Status.FINISHED_SUCCESSFULLY, Status.FINISHED_EARLY_FOR_RERUN,
                        Status.FINISHED_FRAGMENT_RUN_SUCCESSFULLY])


@settings(max_examples=300, deadline=None)
@given(runs=st.lists(st.tuples(FRAGMENT_SETS, st.integers(min_value=0, max_value=6), ENDS), min_size=1, max_size=5),
       still_running=st.booleans(), starting=st.one_of(st.none(), FRAGMENT_SETS.filter(bool)))
def test_no_finished_run_loses_an_element_or_its_finish_and_nothing_else_changes(runs, still_running, starting):
    assert whole_runs.install()
    messages: list[ForwardMsg] = []
    for number, (fragments, count, end) in enumerate(runs):
        last = number == len(runs) - 1
        messages += run_messages(f"r{number}", fragments, count, None if last and still_running else end)
    result = cleared(messages, starting, ForwardMsgQueue.clear)
    # the result is the original with messages left out, in the original order
    remaining = iter([identity(msg) for msg in messages])
    assert all(identity(msg) in remaining for msg in result)
    whole = whole_runs.finished_runs_end(messages)
    if starting is None or whole == 0:
        assert result == cleared(messages, starting, whole_runs.streamlit_clear)
    else:
        # up to the last run that finished successfully everything arrives as it was sent ...
        assert result[:whole] == messages[:whole]
        assert statuses(messages[:whole])[-1] in whole_runs.FINISHED_WHOLE
        # ... and what came after it is cleared exactly as Streamlit clears it
        assert result[whole:] == cleared(messages[whole:], starting, whole_runs.streamlit_clear)


def test_install_wraps_streamlits_clear_once():
    from streamlit.runtime import forward_msg_queue

    assert whole_runs.install()
    assert forward_msg_queue.ForwardMsgQueue.clear.__module__ == "console.whole_runs"
    assert whole_runs.streamlit_clear.__module__ == "streamlit.runtime.forward_msg_queue"
    assert whole_runs.install()
    assert whole_runs.streamlit_clear.__module__ == "streamlit.runtime.forward_msg_queue"
