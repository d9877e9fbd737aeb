"""A session that survives a reload, in a real browser: the session cookie, deep links, roles, idle time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import CallCreate, User
from db.repositories import calls
from tests.e2e.conftest import running_console
from tests.e2e.helpers import (
    PASSWORD,
    choose_radio,
    create_user,
    fill_text,
    log_in,
    start_call,
    wait_for_draft,
    wait_idle,
    widget,
)

LONG = 60_000  # generous: the machine may be busy


def main(page):
    return page.locator("[data-testid='stMain']")


def heading(page, name: str):
    return main(page).get_by_role("heading", name=name, level=1, exact=True)


def submit_login(page, username: str, password: str = PASSWORD) -> None:
    expect(widget(page, "login_username")).to_be_visible(timeout=LONG)
    widget(page, "login_username").locator("input").fill(username)
    widget(page, "login_password").locator("input").fill(password)
    page.locator("[data-testid='stFormSubmitButton'] button").click()


def session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "advice_console_session"), None)


def wait_for_cookie(page) -> dict:
    for _ in range(100):
        if cookie := session_cookie(page):
            return cookie
        page.wait_for_timeout(100)  # polling the browser's cookie jar, which has no event to wait on
    raise AssertionError("the session cookie was never set")


def saved_call(database_url: str, username: str) -> int:
    with session_scope(get_engine(database_url)) as session:
        advisor = session.exec(select(User).where(User.username == username)).one()
        started = datetime.now(UTC) - timedelta(hours=1)
        return calls.save_call(session, data=CallCreate(
            started_at=started, ended_at=started + timedelta(minutes=7), advisor_id=advisor.id,
            group_id="function_limited", topics=["balance"], notes="Dybt link: noter om balancetræning"))


def test_reload_mid_call_keeps_the_advisor_logged_in_with_the_call_on_screen(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    cookie = wait_for_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    start_call(page)
    choose_radio(page, "call_activity_level", "Træningsaktiv")
    fill_text(page, "call_notes", "Spurgte om løb efter brud")
    wait_for_draft(console_server.database_url, "rikke", "Spurgte om løb efter brud")
    page.reload()
    expect(widget(page, "call_notes").locator("textarea")).to_have_value("Spurgte om løb efter brud", timeout=LONG)
    expect(widget(page, "call_activity_level").get_by_role("radio", name="Træningsaktiv")).to_be_checked()
    expect(page.get_by_text(re.compile("Logget ind som Rikke"))).to_be_visible()
    expect(widget(page, "login_username")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_deep_link_to_a_call_opens_it_after_login(console_server, page):
    create_user(console_server.database_url, "rikke")
    call_id = saved_call(console_server.database_url, "rikke")
    page.goto(f"{console_server.url}/call_log?call={call_id}")
    submit_login(page, "rikke")
    expect(main(page)).to_contain_text(f"Opkald nr. {call_id}", timeout=LONG)
    expect(main(page)).to_contain_text("Dybt link: noter om balancetræning")
    assert page.url.endswith(f"/call_log?call={call_id}")
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_a_bookmark_opened_later_needs_no_new_login(console_server, browser, page):
    create_user(console_server.database_url, "rikke")
    call_id = saved_call(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    wait_for_cookie(page)
    other_tab = page.context.new_page()  # same browser, same cookie: a link opened in a new tab
    other_tab.goto(f"{console_server.url}/call_log?call={call_id}")
    expect(main(other_tab)).to_contain_text(f"Opkald nr. {call_id}", timeout=LONG)
    expect(widget(other_tab, "login_username")).to_have_count(0)


def test_advisor_typing_a_supervisor_page_address_sees_no_access(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    wait_for_cookie(page)
    for address in ("statistics", "admin"):
        page.goto(f"{console_server.url}/{address}")
        expect(main(page)).to_contain_text("Ingen adgang", timeout=LONG)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(main(page).locator("[data-testid='stDataFrame']")).to_have_count(0)
    # The sidebar still lists only the advisor's own pages.
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_role("link", name="Opkaldslog")).to_be_visible()
    expect(nav.get_by_role("link", name="Statistik")).to_have_count(0)


def test_logging_out_ends_the_session_everywhere(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    wait_for_cookie(page)
    other_tab = page.context.new_page()
    other_tab.goto(f"{console_server.url}/library")
    expect(heading(other_tab, "Bibliotek")).to_be_visible(timeout=LONG)
    widget(page, "app_logout").locator("button").click()
    expect(widget(page, "login_username")).to_be_visible(timeout=LONG)
    page.reload()  # the cookie is gone or names a revoked session: the login form, not the console
    expect(widget(page, "login_username")).to_be_visible(timeout=LONG)
    fill_text(other_tab, "library_query", "yoga")  # the other tab's next action meets the ended session
    expect(widget(other_tab, "login_username")).to_be_visible(timeout=LONG)


def test_idle_timeout_takes_the_call_off_screen_and_keeps_the_draft(tmp_path, chromium_path, page):
    database_url = f"sqlite:///{tmp_path / 'console.db'}"
    create_user(database_url, "rikke")
    # 15 seconds of idleness; the one timer (console/clock.py) must end the session by itself.
    with running_console(database_url, tmp_path / "streamlit.log", SESSION_IDLE_MINUTES="0.25") as server:
        log_in(page, server.url, "rikke")
        start_call(page)
        fill_text(page, "call_notes", "Skrevet lige før pausen")
        expect(page.get_by_text("Du er blevet logget ud", exact=False)).to_be_visible(timeout=90_000)
        expect(widget(page, "call_notes")).to_have_count(0)
        page.reload()  # the cookie's session is over too
        submit_login(page, "rikke")
        expect(page.get_by_text(re.compile("Ugemt opkald"))).to_be_visible(timeout=LONG)
        wait_idle(page)
