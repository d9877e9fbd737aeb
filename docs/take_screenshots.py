"""Screenshots of the console for the README: `make screenshots`.

Starts the console on a temporary SQLite database seeded with demo data (3000 calls and the demo users),
logs in as the supervisor sofie, and saves the main pages in Danish and English to docs/screenshots/.
Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from db.bootstrap import prepare_database  # noqa: E402
from db.engine import get_engine  # noqa: E402
from services.demo import seed_demo  # noqa: E402
from tests.e2e import helpers  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
DEMO_PASSWORD = "raadgivning-demo"
TITLES = {  # the sidebar link (and page heading) of each page in each language
    "da": {"call": "Opkald", "library": "Bibliotek", "call-log": "Opkaldslog", "statistics": "Statistik"},
    "en": {"call": "Call", "library": "Library", "call-log": "Call log", "statistics": "Statistics"},
}


def _start(database_url: str):
    import subprocess

    from tests.e2e.conftest import _free_port, _wait_healthy

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DEFAULT_LANGUAGE": "da", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "console" / "server.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, process)
    return process, url


def _language(page, lang: str) -> None:
    if lang == "en":
        helpers.choose_select(page, "lang", "English")


def _shot(page, name: str) -> None:
    page.wait_for_timeout(1500)  # charts and tables draw after the rerun has finished
    page.screenshot(path=str(OUT / name))
    print(f"saved {name}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        prepare_database(database_url)
        seed_demo(get_engine(database_url), calls=3000, with_users=True)
        process, url = _start(database_url)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(30_000)
                helpers.log_in(page, url, "sofie", DEMO_PASSWORD)
                helpers.start_call(page)
                helpers.henrik(page)  # typed in Danish; the values stay when the language changes
                for lang, titles in TITLES.items():
                    _language(page, lang)
                    helpers.open_page(page, titles["call"])
                    _shot(page, f"call-{lang}.png")
                    for name, title in titles.items():
                        if name != "call":
                            helpers.open_page(page, title)
                            _shot(page, f"{name}-{lang}.png")
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
