"""A red-flag call in a real browser: the disposition leads, training advice is paused, and the saved call and
its written guidance carry the disposition (issue 11)."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import Call
from tests.e2e.helpers import (
    choose_radio,
    click,
    create_user,
    fill_number,
    fill_text,
    log_in,
    open_section,
    start_call,
    tick,
    widget,
)

SLOW = 60_000  # the machine may be busy: wait on what the page shows, generously


def test_a_red_flag_pauses_training_advice_and_the_call_and_its_letter_carry_the_disposition(console_server, page):
    create_user(console_server.database_url, "rikke")
    log_in(page, console_server.url, "rikke")
    start_call(page)
    main = page.locator("[data-testid='stMain']")
    choose_radio(page, "call_activity_level", "Træningsaktiv")
    fill_number(page, "call_age", 55)
    choose_radio(page, "call_fractures_known", "Ingen brud")
    open_section(page, "Råd")
    expect(main).to_contain_text("høje træningsniveau", timeout=SLOW)  # training advice before the red flag

    tick(page, "call_rf_sudden_severe_back_pain")
    banner = page.locator("[data-testid='stAlert']").filter(has_text="Egen læge nu")
    expect(banner).to_be_visible(timeout=SLOW)
    expect(banner).to_contain_text("lægevagten")
    expect(banner).to_contain_text("1813")
    expect(main).to_contain_text("Træningsråd er sat på pause", timeout=SLOW)
    for advice in ("høje træningsniveau", "Stærk:", "Stabil:", "Strakt:", "hop og hink"):
        expect(main).not_to_contain_text(advice)
    for section in ("Råd · ", "Stærk, Stabil, Strakt · "):  # gone, not merely closed
        expect(main.locator("summary").filter(has_text=section)).to_have_count(0)

    tick(page, "call_said_disposition-gp_prompt")
    tick(page, "call_consent")
    fill_text(page, "call_contact_name", "Hanne Hansen")
    click(page, "call_save")
    saved = page.get_by_text(re.compile(r"Opkald #\d+ er gemt"))
    expect(saved).to_be_visible(timeout=SLOW)
    call_id = int(re.search(r"#(\d+)", saved.inner_text()).group(1))
    with session_scope(get_engine(console_server.database_url)) as session:
        call = session.exec(select(Call).where(Call.id == call_id)).one()
        assert call.disposition == "gp_prompt"
        assert call.delivered_blocks == ["disposition-gp_prompt"]

    page.get_by_role("link", name="Send skriftlig vejledning til medlemmet").click()
    body = widget(page, "referrals_body").locator("textarea")
    expect(body).to_have_value(re.compile("Det aftalte vi"), timeout=SLOW)
    letter = body.input_value()
    assert "lægevagten" in letter and "Stærk" not in letter and "træningsniveau" not in letter
    choose_radio(page, "referrals_channel", "Brev")
    button = widget(page, "referrals_download_pdf").locator("button")
    expect(button).to_be_visible(timeout=SLOW)
    with page.expect_download() as download:
        button.click()
    with open(download.value.path(), "rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages).split())
    assert "Det aftalte vi" in text and "lægevagten" in text
