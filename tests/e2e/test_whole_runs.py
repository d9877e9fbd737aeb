"""A fragment run that finished is shown whole in the browser, also when the timer's tick starts right after
it (console/whole_runs.py): the elements it no longer draws go, instead of staying on screen until that
fragment's next run. The page is tests/e2e/apps/fragment_and_timer.py, where the tick always starts the moment
the fragment's run ends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, running_streamlit
from tests.e2e.helpers import wait_idle

pytestmark = pytest.mark.e2e

ROUNDS = 8


def test_elements_a_finished_run_no_longer_draws_leave_the_screen_while_the_timer_ticks(tmp_path, chromium_path,
                                                                                      browser):
    with running_streamlit(ROOT / "tests" / "e2e" / "apps" / "fragment_and_timer.py", tmp_path / "streamlit.log") as url:
        page = browser.new_page()
        page.goto(url)
        toggle = page.locator(".st-key-many")
        expect(page.get_by_text("Punkt 1")).to_be_visible()
        left: list[str] = []
        for round_ in range(ROUNDS):
            toggle.click()  # six items
            expect(page.get_by_text("Punkt 5")).to_be_visible()
            wait_idle(page)
            toggle.click()  # two again
            page.wait_for_timeout(1_500)  # the run (0.6 s) and the ticks after it
            wait_idle(page)
            shown = [text for text in page.locator("[data-testid='stMain'] [data-testid='stMarkdown']").all_inner_texts()
                     if text.startswith("Punkt")]
            if shown != ["Punkt 0", "Punkt 1"]:
                left.append(f"round {round_}: {shown}")
        page.close()
    assert left == []
