"""Keyboard shortcuts in a real browser: Start opkald, Gem opkald (from inside the notes too) and Beregn
igen, each shown in its button's help; plain typing in the notes never triggers one."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import create_user, log_in, open_page, wait_idle, widget
from tests.e2e.test_call import hanne

LONG = 30_000


def test_start_and_save_a_call_from_the_keyboard(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    main = page.locator("[data-testid='stMain']")
    wait_idle(page)
    widget(page, "call_start").locator("button").first.hover()
    expect(page.get_by_text(re.compile(r"Tastaturgenvej: Ctrl\+Shift\+Enter"))).to_be_visible(timeout=LONG)
    page.keyboard.press("Control+Shift+Enter")
    expect(widget(page, "call_activity_level")).to_be_visible(timeout=LONG)
    hanne(page)
    notes = widget(page, "call_notes").locator("textarea")
    notes.click()
    notes.press_sequentially("Spurgte om løb. Enter og S er bare tekst")  # typing triggers nothing
    notes.press("Enter")
    notes.press_sequentially("Ny linje")
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Opkald #\d+ er gemt"))).to_have_count(0)
    notes.press("Control+Enter")  # from inside the notes: the text is applied and the call saved
    saved = page.get_by_text(re.compile(r"Opkald #\d+ er gemt"))
    expect(saved).to_be_visible(timeout=LONG)
    call_id = int(re.search(r"#(\d+)", saved.inner_text()).group(1))
    from sqlmodel import select

    from db.engine import get_engine, session_scope
    from db.models import Call
    with session_scope(get_engine(console_server.database_url)) as session:
        notes_saved = session.exec(select(Call.notes).where(Call.id == call_id)).one()
    assert notes_saved == "Spurgte om løb. Enter og S er bare tekst\nNy linje"
    expect(main).to_be_visible()


def test_recompute_the_statistics_from_the_keyboard(console_server, page):
    create_user(console_server.database_url, "sofie", "supervisor")
    log_in(page, console_server.url, "sofie")
    open_page(page, "Statistik")
    button = widget(page, "statistics_recompute").locator("button").first
    expect(button).to_be_visible(timeout=LONG)
    button.hover()
    expect(page.get_by_text(re.compile(r"Tastaturgenvej: Ctrl\+Shift\+E"))).to_be_visible(timeout=LONG)
    page.mouse.move(0, 0)
    page.keyboard.press("Control+Shift+E")
    expect(page.get_by_text("Tallene er beregnet igen.")).to_be_visible(timeout=LONG)
