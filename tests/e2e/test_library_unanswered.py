"""A question the library cannot answer, in a real browser: the advisor is told so, and a supervisor finds
it under "Spørgsmål uden svar" and starts a new entry from it, with the question prefilled.

Every step waits for what the page shows (generous timeouts: the machine may be busy), never for a time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import click, create_user, fill_text, log_in, open_page, wait_idle, widget

QUESTION = "må jeg dykke med flaske?"
WAIT = 30_000


@pytest.fixture(autouse=True)
def patient_expectations():
    """Every expectation here (and in the helpers it calls) may wait up to WAIT on a busy machine."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other browser tests


def test_a_supervisor_starts_an_entry_from_an_advisors_unanswered_search(console_server, page):
    create_user(console_server.database_url, "rikke")
    create_user(console_server.database_url, "sofie", role="supervisor")

    log_in(page, console_server.url, "rikke")
    open_page(page, "Bibliotek")
    fill_text(page, "library_query", "Min mor Inge spørger: " + QUESTION)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text("Ingen sikre svar – prøv andre ord eller spørg en kollega.")).to_be_visible(timeout=WAIT)
    expect(main.get_by_text("Måske:", exact=True)).to_be_visible(timeout=WAIT)
    click(page, "app_logout")
    expect(widget(page, "login_username")).to_be_visible(timeout=WAIT)

    log_in(page, console_server.url, "sofie")
    open_page(page, "Bibliotek")
    page.get_by_role("tab", name="Spørgsmål uden svar").click()
    wait_idle(page)
    group = page.locator("[class*='st-key-library_unanswered_group_']")
    # The name was stripped before the search was stored; the question itself is there.
    expect(group.get_by_text("min mor spørger: må jeg dykke med flaske?", exact=True)).to_be_visible(timeout=WAIT)
    expect(group.get_by_text(re.compile(r"\bInge\b"))).to_have_count(0)
    group.locator("[class*='st-key-library_unanswered_new_'] button").click()
    wait_idle(page)

    expect(page.get_by_role("tab", name="Redigér")).to_have_attribute("aria-selected", "true", timeout=WAIT)
    expect(main.get_by_text("Nyt opslag ud fra spørgsmålet »min mor spørger: må jeg dykke med flaske?«")).to_be_visible(
        timeout=WAIT)
    expect(widget(page, "library_new_da_title").locator("input")).to_have_value(
        "Min mor spørger: må jeg dykke med flaske?", timeout=WAIT)
    expect(widget(page, "library_new_da_tags").locator("input")).to_have_value(
        "min mor spørger: må jeg dykke med flaske?", timeout=WAIT)
