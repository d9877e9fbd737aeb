"""Browser tests: the real console (`streamlit run`) on a free port, driven by Debian's Chromium.

With CI=true a missing Chromium fails the run; locally without it the browser tests skip with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url}/_stcore/health did not answer ok within {timeout} s")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped"
        if IN_CI:
            pytest.fail(f"{message}, but CI=true requires them")
        pytest.skip(message)
    return str(CHROMIUM)


class ConsoleServer:
    def __init__(self, url: str, database_url: str) -> None:
        self.url = url
        self.database_url = database_url


@contextmanager
def running_console(database_url: str, log_path: Path, *, port: int | None = None, args: tuple[str, ...] = (),
                    **settings: str) -> Iterator[ConsoleServer]:
    """`streamlit run console/server.py` (the app and its session-cookie route) on a free port."""
    with running_streamlit(ROOT / "console" / "server.py", log_path, port=port, args=args, DATABASE_URL=database_url,
                           DEFAULT_LANGUAGE="da", **settings) as url:
        yield ConsoleServer(url, database_url)


@contextmanager
def running_streamlit(script: Path, log_path: Path, *, port: int | None = None, args: tuple[str, ...] = (),
                      **environment: str) -> Iterator[str]:
    """`streamlit run <script>` on a free port, with the repository on the path; yields its address."""
    port = port or _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def console_server(tmp_path, chromium_path) -> Iterator[ConsoleServer]:
    """The console against a fresh temporary SQLite database."""
    with running_console(f"sqlite:///{tmp_path / 'console.db'}", tmp_path / "streamlit.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # The machine may be busy (CI shares two cores): assertions wait on what the page shows, generously.
        expect.set_options(timeout=30_000)
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
