"""A letter from call to post box in a real browser: an advisor saves a call and puts its letter in the batch;
the secretariat prints the batch as one PDF, marks it posted, and cannot open the call's notes."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from advisory.formatting import format_long_date, local_today
from tests.e2e.helpers import (
    choose_radio,
    click,
    create_user,
    fill_text,
    henrik,
    log_in,
    start_call,
    tick,
    wait_idle,
    widget,
)
from tests.e2e.test_call import save_call

NOTE = "Hemmelig note: Henrik er bange for at falde"
ADDRESS = "Henrik Ærø Søndergaard\nBøgevej 1\n2100 København Ø"


def advisor_queues_a_letter(page, url) -> int:
    log_in(page, url, "rikke")
    start_call(page)
    henrik(page)
    tick(page, "call_consent")
    fill_text(page, "call_contact_name", "Henrik Ærø Søndergaard")
    fill_text(page, "call_notes", NOTE)
    call_id = save_call(page)
    page.get_by_role("link", name="Send skriftlig vejledning til medlemmet").click()
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text(f"opkald #{call_id}")
    choose_radio(page, "referrals_channel", "Brev")
    fill_text(page, "referrals_recipient_lines", ADDRESS)
    click(page, "referrals_queue_letter")
    expect(main).to_contain_text("Brevet ligger i bunken »Breve til afsendelse«")
    return call_id


def test_the_secretariat_prints_the_batch_marks_it_posted_and_cannot_read_the_notes(console_server, browser):
    create_user(console_server.database_url, "rikke")
    create_user(console_server.database_url, "birgit", role="secretariat")
    advisor = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK").new_page()
    advisor.set_default_timeout(20_000)
    call_id = advisor_queues_a_letter(advisor, console_server.url)
    advisor.context.close()

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="da-DK", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, console_server.url, "birgit")
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("heading", name="Vejledning", level=1)).to_be_visible()
    expect(page.get_by_role("tab", name="Breve til afsendelse")).to_be_visible()
    expect(main).to_contain_text("Print brevene først")
    print_button = widget(page, "letters_print").locator("button").first
    expect(print_button).to_contain_text("Print brevene som én PDF (1)")
    with page.expect_download(timeout=60_000) as download:
        print_button.click()
    with open(download.value.path(), "rb") as handle:
        pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(handle.read())).pages]
    assert "Henrik Ærø Søndergaard Bøgevej 1 2100 København Ø" in pages[0]  # one letter, its own pages
    assert format_long_date(local_today(), "da") in pages[0]
    assert "Kære Henrik Ærø Søndergaard," in pages[0]
    assert all(f"Side {n} af {len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert NOTE not in " ".join(pages)
    wait_idle(page)
    click(page, "letters_mark_posted")
    expect(main).to_contain_text("Markeret som sendt med posten: 1.")
    expect(main).to_contain_text("Der er ingen breve, der venter.")
    expect(main).not_to_contain_text(NOTE)

    # Nothing else of the call: no call log in the navigation, and typing its address says "Ingen adgang".
    # (With a single page Streamlit shows no page list at all.)
    for name in ("Opkald", "Opkaldslog", "Opfølgning", "Statistik"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    page.goto(f"{console_server.url}/call_log?call={call_id}")
    expect(main).to_contain_text("Ingen adgang", timeout=60_000)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(main.get_by_role("heading", name="Opkaldslog")).to_have_count(0)
    expect(main).not_to_contain_text(NOTE)
    context.close()
