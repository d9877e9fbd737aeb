"""The live call in a real browser: personas, red flags, saving to the log, a reload mid-call, the search,
and the referral letter for a saved call."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import (
    add_fracture,
    choose_radio,
    choose_select,
    click,
    create_user,
    fill_number,
    fill_text,
    henrik,
    log_in,
    open_page,
    open_section,
    start_call,
    tick,
    wait_for_draft,
    widget,
)


def inge(page) -> None:
    choose_radio(page, "call_activity_level", "Hverdagsaktiv")
    fill_number(page, "call_age", 70)
    fill_number(page, "call_t_score", -3.0)
    add_fracture(page, site="Ryg (rygsammenfald)", weeks=52)


def hanne(page) -> None:
    choose_radio(page, "call_activity_level", "Træningsaktiv")
    fill_number(page, "call_age", 55)
    fill_number(page, "call_t_score", -2.6)
    choose_radio(page, "call_fractures_known", "Ingen brud")


PERSONAS = [  # GUIDANCE.md's three people: the group heading and a phrase of what must be said
    (inge, "Hverdagsaktiv med tidligere brud", "balance"),
    (hanne, "Træningsaktiv uden brud", "ret ryg"),
    (henrik, "Nyt rygsammenfald (helingsfase)", "helingsfase"),
]


def save_call(page) -> int:
    click(page, "call_save")
    saved = page.get_by_text(re.compile(r"Opkald #\d+ er gemt"))
    expect(saved).to_be_visible()
    return int(re.search(r"#(\d+)", saved.inner_text()).group(1))


def test_personas_get_their_guidance_and_are_saved_to_the_log(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    main = page.locator("[data-testid='stMain']")
    saved = []
    for persona, group, guidance in PERSONAS:
        start_call(page)
        persona(page)
        expect(main.get_by_role("heading", name=group)).to_be_visible()
        open_section(page, "Råd")  # the advice section, closed while the advisor asks the questions
        expect(main).to_contain_text(guidance)
        fill_text(page, "call_notes", f"Noter om {persona.__name__}")
        saved.append(save_call(page))
    assert len(set(saved)) == 3

    open_page(page, "Opkaldslog")
    expect(main).to_contain_text("3 opkald")
    choose_select(page, "call_log_open", re.compile(rf"^{saved[-1]} · "))
    expect(main).to_contain_text(f"Opkald nr. {saved[-1]}")
    expect(main).to_contain_text("Noter om henrik")


def test_red_flag_shows_its_disposition(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    tick(page, "call_rf_leg_weakness_or_bladder_bowel")
    alert = page.locator("[data-testid='stAlert']").filter(has_text="lægevagten")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("112")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Træningsråd er sat på pause")


def test_a_new_login_offers_the_draft_and_resuming_restores_the_notes(console_server, browser, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    choose_radio(page, "call_activity_level", "Træningsaktiv")
    fill_text(page, "call_notes", "Spurgte om løb efter brud")
    wait_for_draft(console_server.database_url, "rikke", "Spurgte om løb efter brud")
    other = browser.new_context(locale="da-DK").new_page()  # another browser: a login of its own
    log_in(other, console_server.url, "rikke")
    page = other
    expect(page.get_by_text(re.compile("Ugemt opkald"))).to_be_visible()
    page.locator("[class*='st-key-call_resume_'] button").first.click()
    expect(widget(page, "call_notes").locator("textarea")).to_have_value("Spurgte om løb efter brud")
    expect(widget(page, "call_activity_level").get_by_role("radio", name="Træningsaktiv")).to_be_checked()


def test_library_search_finds_the_five_kilo_myth(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    open_page(page, "Bibliotek")
    fill_text(page, "library_query", "maa jeg loefte 5 kilo")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("løfte 5 kilo")


def test_referral_letter_downloads_as_pdf(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    henrik(page)
    call_id = save_call(page)
    page.get_by_role("link", name="Send skriftlig vejledning til medlemmet").click()  # the lobby's link for the saved call
    expect(page.locator("[data-testid='stMain']")).to_contain_text(f"opkald #{call_id}")
    choose_radio(page, "referrals_channel", "Brev")
    button = widget(page, "referrals_download_pdf").locator("button")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
