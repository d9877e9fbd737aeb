"""Two console processes on one PostgreSQL database, driven through both in Chromium: what they share.

Sticky sessions keep each browser on one instance; everything else lives in the database, so a call
saved on one is in the other's log, a library edit on one is in the other's search, a lockout earned on
one holds on the other, and a deactivation on one ends the session on the other.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from db import engine as db_engine
from tests.conftest import postgres_schema
from tests.e2e.conftest import running_console
from tests.e2e.helpers import (
    choose_radio,
    choose_select,
    click,
    create_user,
    fill_text,
    log_in,
    start_call,
    wait_idle,
    widget,
)

LONG = 60_000


@pytest.fixture
def shared_postgres():
    with postgres_schema("test_instances", "the two-instance browser test is") as url:
        yield url


def _browser_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(LONG)
    return page


def _main(page):
    return page.locator("[data-testid='stMain']")


def test_two_instances_share_calls_library_lockouts_and_deactivations(shared_postgres, tmp_path, browser):
    with ExitStack() as stack:
        one = stack.enter_context(running_console(shared_postgres, tmp_path / "one.log"))
        two = stack.enter_context(running_console(shared_postgres, tmp_path / "two.log"))
        # Both instances meet the fresh database at once: each migrates under the start-up lock.
        first, second = _browser_page(browser), _browser_page(browser)
        first.goto(one.url)
        second.goto(two.url)
        for page in (first, second):
            expect(page.get_by_text("opret den første administrator")).to_be_visible(timeout=LONG)
        for username, role in (("alma", "admin"), ("sofie", "supervisor"), ("rikke", "advisor"),
                               ("mads", "advisor")):
            create_user(shared_postgres, username, role)

        # A call saved on one appears in the other's call log.
        rikke_one = _browser_page(browser)
        log_in(rikke_one, one.url, "rikke")
        start_call(rikke_one)
        choose_radio(rikke_one, "call_activity_level", "Hverdagsaktiv")
        fill_text(rikke_one, "call_notes", "Gemt på instans et")
        click(rikke_one, "call_save")
        saved = rikke_one.get_by_text(re.compile(r"Opkald #\d+ er gemt"))
        expect(saved).to_be_visible()
        call_id = int(re.search(r"#(\d+)", saved.inner_text()).group(1))
        sofie_two = _browser_page(browser)
        log_in(sofie_two, two.url, "sofie")
        sofie_two.goto(f"{two.url}/call_log?call={call_id}")
        expect(_main(sofie_two)).to_contain_text(f"Opkald nr. {call_id}")
        expect(_main(sofie_two)).to_contain_text("Gemt på instans et")

        # A library edit on one is served by the other's search.
        sofie_one = _browser_page(browser)
        log_in(sofie_one, one.url, "sofie")
        sofie_one.goto(f"{one.url}/library")
        _main(sofie_one).get_by_role("tab", name="Redigér").click()
        box = widget(sofie_one, "library_edit_slug").get_by_role("combobox").first
        box.click()
        box.type("5 kilo")  # the list is long and virtualised: narrow it first
        # The option may carry a review marker after the title: "(skal gennemgås)".
        sofie_one.get_by_role("option", name=re.compile(r"^Jeg må højst løfte 5 kilo( \(.+\))?$")).click()
        wait_idle(sofie_one)
        fill_text(sofie_one, "library_edit_myth-max-5-kg_v1_da_title", "Jeg må højst løfte 5 kilo (zebrafinke)")
        click(sofie_one, "library_edit_save")
        expect(_main(sofie_one)).to_contain_text("version 2", timeout=LONG)
        rikke_two = _browser_page(browser)
        log_in(rikke_two, two.url, "rikke")
        rikke_two.goto(f"{two.url}/library")
        fill_text(rikke_two, "library_query", "zebrafinke")
        expect(_main(rikke_two)).to_contain_text("(zebrafinke)")

        # A lockout earned on one holds on the other, even with the right password.
        mads_one, mads_two = _browser_page(browser), _browser_page(browser)
        mads_one.goto(one.url)
        for attempt in range(5):
            _submit_login(mads_one, "mads", f"forkert-kodeord-{attempt}")
            _wait_for_failures(mads_one, shared_postgres, "mads", attempt + 1)
            expect(_main(mads_one)).to_contain_text("Forkert brugernavn eller adgangskode")
        mads_two.goto(two.url)
        _submit_login(mads_two, "mads", "e2e-password-123")
        expect(_main(mads_two)).to_contain_text("låst i 15 minutter")
        expect(mads_two.get_by_text(re.compile("Logget ind som"))).to_have_count(0)

        # A deactivation on one ends the session on the other.
        alma_one = _browser_page(browser)
        log_in(alma_one, one.url, "alma")
        alma_one.goto(f"{one.url}/admin")
        choose_select(alma_one, "admin_user_pick", "Rikke (rikke)")
        click(alma_one, "admin_toggle_active")
        click(alma_one, "admin_confirm_deactivate")  # the second click deactivating asks for
        fill_text(rikke_two, "library_query", "yoga")  # rikke's next action on the other instance
        expect(widget(rikke_two, "login_username")).to_be_visible(timeout=LONG)
        expect(_main(rikke_two)).not_to_contain_text("yoga")
        for page in (first, second, rikke_one, sofie_two, sofie_one, mads_one, mads_two, alma_one):
            page.context.close()
        rikke_two.context.close()


def _wait_for_failures(page, database_url: str, username: str, count: int) -> None:
    """Wait until the console has handled the attempt: its message looks the same every time."""
    for _ in range(600):
        with db_engine.get_engine(database_url).connect() as conn:
            seen = conn.execute(text("SELECT count(*) FROM audit_event WHERE action = 'login_failed' "
                                     "AND actor_name = :name"), {"name": username}).scalar_one()
        if seen >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the console handled {seen} of {count} login attempts")


def _submit_login(page, username: str, password: str) -> None:
    expect(widget(page, "login_username")).to_be_visible(timeout=LONG)
    widget(page, "login_username").locator("input").fill(username)
    widget(page, "login_password").locator("input").fill(password)
    page.locator("[data-testid='stFormSubmitButton'] button").click()
    wait_idle(page)
