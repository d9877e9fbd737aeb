"""Single sign-on against a real OpenID Connect provider started here (oidc-provider-mock: discovery,
authorization code flow, JWKS), driven in Chromium. Roles come from the console's own user table."""

from __future__ import annotations

import os
import re
import secrets

import pytest
from playwright.sync_api import expect

from db.engine import get_engine, session_scope
from db.repositories import sessions, users
from tests.e2e.conftest import _free_port, running_console
from tests.e2e.helpers import create_user, widget

LONG = 60_000
DOMAIN = "forening.dk"


@pytest.fixture(scope="module")
def identity_provider():
    # The provider and the console's st.login client talk plain HTTP on this machine's loopback only.
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso_console(tmp_path, chromium_path, identity_provider):
    database_url = f"sqlite:///{tmp_path / 'console.db'}"
    create_user(database_url, "rikke", "advisor")
    create_user(database_url, "louise", "advisor")
    with session_scope(get_engine(database_url)) as session:
        louise = next(u for u in users.list_users(session) if u["username"] == "louise")
        users.set_active(session, user_id=louise["id"], active=False)
    port = _free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "advice-console"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n'
    )
    with running_console(database_url, tmp_path / "streamlit.log", port=port,
                         args=("--secrets.files", str(secrets_file)),
                         SSO_EMAIL_DOMAIN=DOMAIN, AUTHLIB_INSECURE_TRANSPORT="1") as server:
        yield server


def _sign_in_at_provider(page, console_url: str, email: str) -> None:
    page.goto(console_url)
    widget(page, "login_sso").locator("button").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=LONG)  # the provider's page
    page.locator("input[name='sub']").fill(email)  # the provider's user; its e-mail claim is this address
    page.get_by_role("button", name="Authorize").click()


def test_staff_log_in_with_the_identity_provider_and_keep_their_console_role(sso_console, page):
    _sign_in_at_provider(page, sso_console.url, f"rikke@{DOMAIN}")
    expect(page.get_by_text(re.compile(r"Logget ind som Rikke \(Rådgiver\)"))).to_be_visible(timeout=LONG)
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_role("link", name="Opkaldslog")).to_be_visible()
    expect(nav.get_by_role("link", name="Statistik")).to_have_count(0)  # the role is the console's, not the IdP's
    page.goto(f"{sso_console.url}/statistics")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Ingen adgang", timeout=LONG)


@pytest.mark.parametrize("email", [f"nobody@{DOMAIN}", f"louise@{DOMAIN}", "rikke@example.org"],
                         ids=["unknown", "inactive", "other-domain"])
def test_an_unknown_inactive_or_foreign_identity_gets_no_access(sso_console, page, email):
    _sign_in_at_provider(page, sso_console.url, email)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Ingen adgang", timeout=LONG)
    expect(page.get_by_text(re.compile("Logget ind som"))).to_have_count(0)


def test_logging_out_after_single_sign_on_stays_logged_out(sso_console, page):
    _sign_in_at_provider(page, sso_console.url, f"rikke@{DOMAIN}")
    expect(page.get_by_text(re.compile(r"Logget ind som Rikke"))).to_be_visible(timeout=LONG)
    widget(page, "app_logout").locator("button").click()
    # st.logout drops Streamlit's identity cookie and asks the provider to end its session too.
    expect(page.get_by_role("heading", name="End Session")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="End session").click()
    expect(widget(page, "login_sso")).to_be_visible(timeout=LONG)
    page.goto(sso_console.url)
    expect(widget(page, "login_sso")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile("Logget ind som"))).to_have_count(0)


def test_one_sign_in_starts_one_session_only(sso_console, page):
    """A session that ended (here: revoked, as an idle timeout does) is not restarted by the provider's
    still-fresh sign-in in the browser: the user has to sign in with the provider again."""
    _sign_in_at_provider(page, sso_console.url, f"rikke@{DOMAIN}")
    expect(page.get_by_text(re.compile(r"Logget ind som Rikke"))).to_be_visible(timeout=LONG)
    with session_scope(get_engine(sso_console.database_url)) as session:
        rikke = next(u for u in users.list_users(session) if u["username"] == "rikke")
        assert sessions.revoke_for_user(session, user_id=rikke["id"], reason="idle") == 1
    page.goto(sso_console.url)
    expect(widget(page, "login_sso")).to_be_visible(timeout=LONG)
    expect(page.get_by_text(re.compile("Logget ind som"))).to_have_count(0)
    _sign_in_at_provider(page, sso_console.url, f"rikke@{DOMAIN}")  # a new sign-in: a new session
    expect(page.get_by_text(re.compile(r"Logget ind som Rikke"))).to_be_visible(timeout=LONG)


def test_a_sign_in_that_started_from_a_deep_link_lands_where_it_started(sso_console, page):
    """The provider's callback always returns to the console's start page; the login page remembered the
    link (the tab's sessionStorage) and the console goes back to it once the session is set."""
    from tests.e2e.test_sessions import saved_call

    call_id = saved_call(sso_console.database_url, "rikke")
    page.goto(f"{sso_console.url}/call_log?call={call_id}")
    widget(page, "login_sso").locator("button").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=LONG)
    page.locator("input[name='sub']").fill(f"rikke@{DOMAIN}")
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(re.compile(r"Logget ind som Rikke"))).to_be_visible(timeout=LONG)
    expect(page).to_have_url(re.compile(rf"/call_log\?call={call_id}$"), timeout=LONG)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Dybt link: noter om balancetræning",
                                                                   timeout=LONG)
