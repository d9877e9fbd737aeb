"""Logging in, roles and language in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect

from db.engine import get_engine
from services.demo import seed_demo
from tests.e2e.helpers import PASSWORD, choose_select, click, create_user, log_in, widget


def test_first_run_creates_the_admin_who_can_log_out_and_in(console_server, page):
    page.goto(console_server.url)
    expect(page.get_by_text("Velkommen: opret den første administrator")).to_be_visible()
    for key, value in [("first_run_username", "admin"), ("first_run_display_name", "Anne Admin"),
                       ("first_run_password", PASSWORD), ("first_run_repeat", PASSWORD)]:
        widget(page, key).locator("input").fill(value)
    page.locator("[data-testid='stFormSubmitButton'] button").click()
    expect(page.get_by_text("Logget ind som Anne Admin")).to_be_visible()
    click(page, "app_logout")
    expect(widget(page, "login_username")).to_be_visible()
    log_in(page, console_server.url, "admin")
    expect(page.get_by_text("Logget ind som Anne Admin")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_be_visible()


def test_advisor_cannot_reach_statistics(console_server, page):
    create_user(console_server.database_url, "rikke")
    seed_demo(get_engine(console_server.database_url), calls=50)
    log_in(page, console_server.url, "rikke")
    expect(page.get_by_role("link", name="Bibliotek")).to_be_visible()
    expect(page.get_by_role("link", name="Statistik")).to_have_count(0)
    # Typing the address opens a new Streamlit session; the session cookie keeps the login, and the role
    # may not open the page: "Ingen adgang", neither Streamlit's "Page not found" nor a new login.
    page.goto(f"{console_server.url}/statistics")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Ingen adgang")
    expect(page.get_by_role("dialog", name="Page not found")).to_have_count(0)
    expect(page.get_by_text("Logget ind som Rikke")).to_be_visible()
    expect(main.get_by_role("heading", name="Statistik")).to_have_count(0)
    expect(page.locator("[data-testid='stMetric']")).to_have_count(0)


def test_supervisor_sees_the_dashboard(console_server, page):
    create_user(console_server.database_url, "sofie", role="supervisor")
    seed_demo(get_engine(console_server.database_url), calls=300)
    log_in(page, console_server.url, "sofie")
    page.get_by_role("link", name="Statistik").click()
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("heading", name="Statistik")).to_be_visible()
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible()


def test_switching_to_english_changes_the_ui(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    expect(page.get_by_role("link", name="Bibliotek")).to_be_visible()
    choose_select(page, "lang", "English")
    expect(page.get_by_role("link", name="Library")).to_be_visible()
    expect(page.get_by_text("Signed in as Rikke")).to_be_visible()
    expect(widget(page, "call_start")).to_contain_text("Start call")
