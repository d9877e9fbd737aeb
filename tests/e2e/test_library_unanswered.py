"""The library search in a real browser. In a call, an advisor asks the Ctrl+K search a question in everyday
wording, is told the answer is confident, sees the member question it matched with the matched words
marked, and attaches the entry to the call. A question the library cannot answer: the advisor is told
"Ingen sikre svar", the question is logged as unanswered, and a supervisor finds it under "Spørgsmål uden
svar" and starts a new entry from it, with the question prefilled.

Every step waits for what the page shows (generous timeouts: the machine may be busy), never for a time.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import UnansweredQuery
from tests.e2e.helpers import click, create_user, fill_text, log_in, open_page, start_call, wait_idle, widget

QUESTION = "må jeg dykke med flaske?"
EVERYDAY = "hvor meget må jeg egentlig løfte med knogleskørhed"
WAIT = 30_000


@pytest.fixture(autouse=True)
def patient_expectations():
    """Every expectation here (and in the helpers it calls) may wait up to WAIT on a busy machine."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other browser tests


def unanswered_log(database_url):
    with session_scope(get_engine(database_url)) as session:
        return [(row.query, row.lang) for row in session.exec(select(UnansweredQuery))]


def test_an_advisor_sees_why_an_answer_was_found_and_attaches_it_and_an_unanswerable_question_is_logged(
        console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    click(page, "call_search_open")
    dialog = page.get_by_role("dialog")
    fill_text(page, "call_search_query", EVERYDAY)
    expect(dialog.get_by_text("Sikkert svar – det korte svar kan læses højt.")).to_be_visible(timeout=WAIT)
    why = dialog.locator("[class*='st-key-call_search_why_myth-max-5-kg']")
    expect(why).to_contain_text("Svarer på: »Hvor meget må man løfte med knogleskørhed?«", timeout=WAIT)
    # The words that matched are marked (bold) in the member question.
    expect(why.locator("strong").filter(has_text=re.compile(r"^løfte$"))).to_have_count(1, timeout=WAIT)
    expect(why.locator("strong").filter(has_text=re.compile(r"^knogleskørhed$"))).to_have_count(1, timeout=WAIT)
    click(page, "call_search_use_myth-max-5-kg")
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=WAIT)
    main = page.locator("[data-testid='stMain']")
    # Attached: the entry is listed under the call (its detach button inside, closed).
    expect(main.get_by_text("Jeg må højst løfte 5 kilo")).to_be_visible(timeout=WAIT)
    expect(widget(page, "call_detach_myth-max-5-kg")).to_have_count(1, timeout=WAIT)
    assert unanswered_log(console_server.database_url) == []  # a confident answer is not logged

    click(page, "call_search_open")
    dialog = page.get_by_role("dialog")
    fill_text(page, "call_search_query", QUESTION)
    expect(dialog.get_by_text("Ingen sikre svar – prøv andre ord eller spørg en kollega.")).to_be_visible(
        timeout=WAIT)
    expect(dialog.get_by_text("Sikkert svar", exact=False)).to_have_count(0)
    assert unanswered_log(console_server.database_url) == [(QUESTION, "da")]


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
