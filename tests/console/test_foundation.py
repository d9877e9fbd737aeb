"""The console's foundation as staff meet it: first run, login, lockout, roles, languages."""

import pytest

from console.navigation import pages_for
from db.repositories.users import StaffUser
from tests.console.apptest import PASSWORD, console_app, logged_in_app, make_idle, make_user, page_app, texts


def _login(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_first_run_creates_the_first_admin_and_logs_in(console_db):
    at = console_app().run()
    assert not at.exception
    assert "første administrator" in at.title[0].value
    at.text_input(key="first_run_username").input("admin")
    at.text_input(key="first_run_display_name").input("Alma Admin")
    at.text_input(key="first_run_password").input(PASSWORD)
    at.text_input(key="first_run_repeat").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["user"]["role"] == "admin"
    assert any("Alma Admin" in caption.value for caption in at.sidebar.caption)
    assert at.title[0].value == "Opkald"


def test_first_run_refuses_a_short_password_and_keeps_the_form(console_db):
    at = console_app().run()
    at.text_input(key="first_run_username").input("admin")
    at.text_input(key="first_run_password").input("kort")
    at.text_input(key="first_run_repeat").input("kort")
    at.button[0].click().run()
    assert "mindst 12 tegn" in texts(at)
    assert "user" not in at.session_state
    assert at.text_input(key="first_run_username").value == "admin"


def test_login_success(console_db):
    make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")
    at = _login(console_app().run(), "rikke", PASSWORD)
    assert not at.exception
    assert at.session_state["user"]["username"] == "rikke"
    assert at.title[0].value == "Opkald"


def test_login_failure_shows_a_danish_message(console_db):
    make_user(console_db, "rikke", "advisor")
    at = _login(console_app().run(), "rikke", "forkert-kodeord")
    assert "Forkert brugernavn eller adgangskode." in texts(at)
    assert "user" not in at.session_state


def test_five_failures_lock_the_account_even_with_the_right_password(console_db):
    make_user(console_db, "rikke", "advisor")
    at = console_app().run()
    for _ in range(5):
        _login(at, "rikke", "forkert-kodeord")
    assert "låst" in texts(at)
    _login(at, "rikke", PASSWORD)
    assert "user" not in at.session_state
    assert "låst" in texts(at)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("advisor", ["call", "library", "call_log", "follow_ups", "referrals"]),
        ("supervisor", ["call", "library", "call_log", "follow_ups", "referrals", "statistics"]),
        ("admin", ["call", "library", "call_log", "follow_ups", "referrals", "statistics", "admin"]),
        ("secretariat", ["referrals"]),
    ],
)
def test_each_role_sees_exactly_its_pages(role, expected):
    viewer = StaffUser(id=1, username="x", display_name="X", role=role)
    assert [page.url_path for page in pages_for(viewer)] == expected


@pytest.mark.parametrize("page", ["statistics.py", "admin.py"])
def test_advisor_opening_a_restricted_page_directly_sees_no_access(console_db, page):
    advisor = make_user(console_db, "rikke", "advisor")
    at = page_app(page, advisor).run()
    assert not at.exception
    assert "Ingen adgang" in texts(at)
    assert not at.dataframe
    assert not at.title


def test_supervisor_cannot_open_administration(console_db):
    supervisor = make_user(console_db, "sofie", "supervisor")
    at = page_app("admin.py", supervisor).run()
    assert "Ingen adgang" in texts(at)
    assert not at.dataframe


def test_admin_sees_the_user_list(console_db):
    admin = make_user(console_db, "alma", "admin", "Alma Admin")
    make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")
    at = page_app("admin.py", admin).run()
    assert not at.exception
    names = list(at.dataframe[0].value["Navn"])
    assert names == ["Alma Admin", "Rikke Rådgiver"]


def test_page_without_login_asks_to_log_in(console_db):
    at = page_app("call_log.py", None).run()
    assert "logge ind" in texts(at)
    assert not at.title


def test_language_switch_changes_the_page_text(console_db):
    advisor = make_user(console_db, "rikke", "advisor")
    at = logged_in_app(advisor).run()
    assert at.title[0].value == "Opkald"
    at.sidebar.selectbox(key="lang").select("en").run()
    assert not at.exception
    assert at.title[0].value == "Call"
    assert any(button.label == "Log out" for button in at.sidebar.button)


def test_idle_timeout_logs_out(console_db, monkeypatch):
    advisor = make_user(console_db, "rikke", "advisor")
    at = logged_in_app(advisor)
    make_idle(at)
    at.run()
    assert "user" not in at.session_state
    assert "logget ud" in texts(at)


def test_a_click_on_a_user_row_picks_the_user(console_db):
    admin = make_user(console_db, "alma", "admin", "Alma Admin")
    make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")
    at = page_app("admin.py", admin).run()
    at.session_state["admin_users_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.selectbox(key="admin_user_pick").value == "Rikke Rådgiver (rikke)"


def test_the_login_fields_tell_password_managers_they_are_a_login(console_db):
    """A password field with no autocomplete hint is taken for a sign-up form ("new-password"): the
    manager offers a generated password instead of filling the saved one."""
    make_user(console_db, "rikke", "advisor")
    at = console_app().run()
    assert at.text_input(key="login_username").proto.autocomplete == "username"
    assert at.text_input(key="login_password").proto.autocomplete == "current-password"
