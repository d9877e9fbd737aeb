"""A bare page with the call page's shape in small, for tests/e2e/test_whole_runs.py: a fragment whose run is
long enough that a timer's tick (a fragment that draws nothing, as the console's one timer) is always queued
behind it and starts the moment it finishes, and whose second run draws fewer elements than its first.

The server's patches are the console's (console/server.py installs the same two); WHOLE_RUNS=0 leaves
console/whole_runs.py out, to see Streamlit's own behaviour.
"""

import os
import time

import streamlit as st

from console import message_batching, whole_runs

message_batching.install()
if os.environ.get("WHOLE_RUNS", "1") == "1":
    whole_runs.install()


@st.fragment(run_every=0.4)
def tick() -> None:
    """Draws nothing, like the console's timer."""


@st.fragment
def items() -> None:
    many = st.toggle("Mange", key="many")
    time.sleep(0.6)  # longer than the tick: the tick's request always waits behind this run
    for index in range(6 if many else 2):
        st.markdown(f"Punkt {index}")


with st.sidebar:
    tick()
items()
