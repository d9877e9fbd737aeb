"""Small Playwright helpers for Streamlit widgets, found by their `key=` (CSS class `.st-key-<key>`).

Streamlit reruns asynchronously after every change, so callers wait for the text they expect with
`expect(...)`, never with sleeps.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from db.bootstrap import prepare_database
from db.engine import get_engine, session_scope
from db.models import Role, UserCreate
from db.repositories import users

PASSWORD = "e2e-password-123"


def widget(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-{key}")


def create_user(database_url: str, username: str, role: str = "advisor") -> None:
    """A staff account made before the browser opens (prepare_database is idempotent)."""
    prepare_database(database_url)
    with session_scope(get_engine(database_url)) as session:
        users.create_user(session, data=UserCreate(username=username, display_name=username.title(),
                                                   role=Role(role), password=PASSWORD))


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished the current rerun (its status widget disappears)."""
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=20_000)


def fill_text(page: Page, key: str, value: str) -> None:
    """Type into a text input or area and commit it (Streamlit commits on blur)."""
    box = widget(page, key).locator("input, textarea").first
    box.fill(value)
    box.blur()
    wait_idle(page)


def fill_number(page: Page, key: str, value: float) -> None:
    box = widget(page, key).locator("input").first
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)


def choose_radio(page: Page, key: str, label: str) -> None:
    widget(page, key).get_by_text(label, exact=True).click()
    wait_idle(page)


def _open_list(page: Page, key: str, label: str | re.Pattern) -> Locator:
    """Open a selectbox's or multiselect's list and return the option named `label`. A click that lands
    while a rerun redraws the widget opens nothing, so open the list again until the option shows."""
    option = page.get_by_role("option", name=label, exact=True)
    for _ in range(5):
        widget(page, key).get_by_role("combobox").first.click()
        try:
            option.wait_for(timeout=3_000)
            return option
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: open the list again
            page.keyboard.press("Escape")
    return option  # the click below then fails with Playwright's own message


def choose_select(page: Page, key: str, label: str | re.Pattern) -> None:
    """Pick the option named `label` in a selectbox."""
    _open_list(page, key, label).click()
    wait_idle(page)


def tick(page: Page, key: str) -> None:
    widget(page, key).locator("label").first.click()
    wait_idle(page)


def click(page: Page, key: str) -> None:
    widget(page, key).locator("button").first.click()
    wait_idle(page)


def log_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    """Open the console (a new browser session: sessions are per tab and load) and log in."""
    page.goto(url)
    expect(widget(page, "login_username")).to_be_visible()
    widget(page, "login_username").locator("input").fill(username)
    widget(page, "login_password").locator("input").fill(password)
    # The page then trades its one-time ticket for the session cookie (console/server.py); waiting for that
    # answer lets a test open addresses (page.goto) as the logged-in user right away.
    with page.expect_response(lambda r: r.url.endswith("/api/session") and r.request.method == "POST",
                              timeout=60_000) as cookie_set:
        page.locator("[data-testid='stFormSubmitButton'] button").click()
    assert cookie_set.value.status == 204
    expect(page.get_by_text(re.compile(r"Logget ind som|Signed in as")).first).to_be_visible()  # a rerun may show it twice briefly
    wait_idle(page)


def start_call(page: Page) -> None:
    click(page, "call_start")
    expect(widget(page, "call_activity_level")).to_be_visible()


def add_fracture(page: Page, *, site: str, weeks: int, row: int = 1) -> None:
    choose_radio(page, "call_fractures_known", "Har haft brud")
    expect(widget(page, f"call_fx_site_{row}")).to_be_visible()
    choose_select(page, f"call_fx_site_{row}", site)
    fill_number(page, f"call_fx_weeks_{row}", weeks)


def henrik(page: Page) -> None:
    """GUIDANCE.md's Henrik: 75, a vertebral fracture a few weeks ago, severe pain, normally active."""
    choose_radio(page, "call_activity_level", "Hverdagsaktiv")
    fill_number(page, "call_age", 75)
    choose_select(page, "call_pain", "Stærke")
    add_fracture(page, site="Ryg (rygsammenfald)", weeks=3)


def choose_multi(page: Page, key: str, label: str) -> None:
    """Add `label` to a multiselect."""
    _open_list(page, key, label).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def open_section(page: Page, title: str) -> None:
    """Open a closed section of the call script (a pressed button in the row of sections; its blocks are
    drawn once it is open)."""
    button = widget(page, "call_open_sections").get_by_role(
        "button", name=re.compile(rf"{re.escape(title)} · \d+ af \d+"))
    expect(button).to_be_visible()
    heading = page.locator("[data-testid='stMain'] h5").filter(has_text=re.compile(rf"^{re.escape(title)} · "))
    for _ in range(5):  # a click that lands while a rerun redraws the row is lost: click again
        wait_idle(page)
        if heading.count():
            break
        button.click()
        try:
            heading.first.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: look again
            continue
    expect(heading).to_have_count(1)
    wait_idle(page)


def type_into(page: Page, key: str, text: str) -> None:
    """Type `text` into a text field as an advisor does (key by key) and confirm with Enter."""
    box = widget(page, key).locator("input").first
    box.fill("")
    box.press_sequentially(text)
    box.press("Enter")
    wait_idle(page)


def open_page(page: Page, title: str) -> None:
    """Go to a page by its sidebar link: typing an address would start a new session (logged out)."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title, exact=True).click()
    expect(page.locator("[data-testid='stMain']").get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()
    wait_idle(page)


def wait_for_draft(database_url: str, username: str, notes: str, timeout: float = 60) -> None:
    """Wait until the call's autosave has stored `notes` (the page may look idle before its run starts)."""
    import time

    from sqlmodel import select

    from db.models import User
    from db.repositories import drafts

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(get_engine(database_url)) as session:
            user = session.exec(select(User).where(User.username == username)).one()
            if any((d.data.get("values") or {}).get("call_notes") == notes
                   for d in drafts.list_drafts(session, advisor_id=user.id)):
                return
        time.sleep(0.2)
    raise TimeoutError(f"the draft never held the notes {notes!r}")
