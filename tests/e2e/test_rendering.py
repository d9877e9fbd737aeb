"""Staff-written text reaches Streamlit's Markdown as typed: no link, image or HTML in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from db.bootstrap import prepare_database
from db.engine import get_engine, session_scope
from db.models import Role, UserCreate
from db.repositories import library, users
from tests.e2e.helpers import PASSWORD, log_in, open_page, wait_idle

PAYLOADS = ["[x](http://evil)", "![i](http://evil/p.png)", "http://evil.example", "www.evil.dk", "a@b.dk",
            "<img src=x>"]


def _seed(database_url: str) -> None:
    prepare_database(database_url)
    with session_scope(get_engine(database_url)) as session:
        users.create_user(session, data=UserCreate(username="sofie", display_name="Sofie " + " ".join(PAYLOADS),
                                                   role=Role.supervisor, password=PASSWORD))
        stored = library.get_entry(session, slug="myth-max-5-kg")
        text = stored.entry.da.model_copy(update={
            "title": "Ondsindet opslag www.evil.dk",
            "detail": "\n\n".join(PAYLOADS),
            "tags": [*stored.entry.da.tags, "a@b.dk"],
        })
        library.edit_entry(session, entry=stored.entry.model_copy(update={"da": text}),
                           expected_version=stored.version, editor_id=None, editor_name="test")


def test_library_text_and_display_names_make_no_links_or_images(console_server, page):
    _seed(console_server.database_url)
    log_in(page, console_server.url, "sofie")
    open_page(page, "Bibliotek")
    entry = page.locator("[data-testid='stExpander']").filter(has_text="Ondsindet opslag").first
    entry.locator("summary").click()
    wait_idle(page)
    expect(entry.get_by_text("<img src=x>")).to_be_visible()
    expect(entry.get_by_text(re.compile(r"!\[i\]\(http"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Logget ind som Sofie \[x\]\(http"))).to_be_visible()
    for selector in ("a[href*='evil']", "a[href^='mailto:']", "a[href*='b.dk']", "img[src='x']",
                     "img[src*='evil']"):
        expect(page.locator(selector)).to_have_count(0)
