"""The referrals page as staff meet it: e-mail unavailable without SMTP, bad addresses, failed sends, retry."""

from __future__ import annotations

import pytest
from sqlmodel import select

from db import engine as db_engine
from db.engine import get_engine, session_scope
from db.models import Referral
from settings import get_settings
from tests.console.apptest import logged_in_app, make_user, page_app, texts
from tests.services.test_mail_smtp import free_port, smtp_server
from tests.services.test_outbox import make_call

SMTP_FROM = "Fysioterapeutrådgivningen <raadgivning@osteoporose.dk>"


def _fresh_settings() -> None:
    get_settings.cache_clear()
    # get_engine() without a URL is cached under "no argument", so it would keep an earlier test's
    # database file; drop it so the page really uses this test's database.
    db_engine._engine_for.cache_clear()


@pytest.fixture
def no_smtp(console_db, monkeypatch):
    for name in ("SMTP_HOST", "SMTP_FROM", "SMTP_USER", "SMTP_PASSWORD"):
        monkeypatch.setenv(name, "")
    _fresh_settings()
    return console_db


@pytest.fixture
def smtp_port(console_db, monkeypatch) -> int:
    """SMTP settings pointing at a port where no server listens (until a test starts one there)."""
    port = free_port()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
                        "SMTP_FROM": SMTP_FROM, "SMTP_USER": "", "SMTP_TIMEOUT_SECONDS": "2"}.items():
        monkeypatch.setenv(name, value)
    _fresh_settings()
    return port


def open_page(db_url, user, call_id=None, lang="da"):
    at = page_app("referrals.py", user, lang=lang)
    if call_id is not None:
        at.query_params["call"] = str(call_id)
    return at.run()


def stored(db_url) -> list[Referral]:
    with session_scope(get_engine(db_url)) as session:
        return list(session.exec(select(Referral).order_by(Referral.id)))


def test_without_smtp_email_is_unavailable_and_letter_and_text_still_work(no_smtp):
    advisor = make_user(no_smtp, "rikke", "advisor")
    call_id = make_call(no_smtp, advisor.id)
    at = open_page(no_smtp, advisor, call_id)
    assert not at.exception
    assert "E-mail er ikke tilgængelig: SMTP_HOST, SMTP_FROM er ikke sat" in texts(at)
    channel = at.radio(key="referrals_channel")
    assert channel.options == ["Brev", "Tekst til kopiering"]
    assert channel.value == "letter"
    assert at.text_area(key="referrals_recipient_lines").value == "Henrik Ærø Søndergaard"
    assert at.get("download_button")  # the letter's PDF is offered
    at.button(key="referrals_mark_letter").click().run()
    assert "Markeret som sendt." in texts(at)
    channel.set_value("text").run()
    [code] = at.code
    assert "Tal med din egen læge om en henvisning til en fysioterapeut" in code.value
    at.button(key="referrals_mark_text").click().run()
    assert [(r.channel, r.status) for r in stored(no_smtp)] == [("letter", "sent"), ("text", "sent")]


def test_an_invalid_address_gives_the_danish_message_and_keeps_the_edited_text(smtp_port, console_db):
    advisor = make_user(console_db, "rikke", "advisor")
    call_id = make_call(console_db, advisor.id)
    at = open_page(console_db, advisor, call_id)
    assert at.radio(key="referrals_channel").value == "email"
    assert at.text_input(key="referrals_recipient").value == "henrik@example.dk"
    edited = at.text_area(key="referrals_body").value + "\nHusk at ringe til os igen – æøå.\n"
    at.text_area(key="referrals_body").input(edited)
    at.text_input(key="referrals_recipient").input("henrik@@example")
    at.button(key="referrals_send_email").click().run()
    assert not at.exception
    assert "E-mailadressen er ikke gyldig. Ret adressen og prøv igen – teksten er gemt." in texts(at)
    assert at.text_area(key="referrals_body").value == edited
    assert at.text_input(key="referrals_recipient").value == "henrik@@example"
    [draft] = stored(console_db)
    assert (draft.status, draft.body, draft.recipient) == ("draft", edited, "henrik@@example")


def test_a_failed_send_stays_in_the_outbox_and_a_retry_sends_it_once(smtp_port, console_db):
    advisor = make_user(console_db, "rikke", "advisor")
    call_id = make_call(console_db, advisor.id)
    at = open_page(console_db, advisor, call_id)
    at.button(key="referrals_send_email").click().run()
    assert "Konsollen kunne ikke få forbindelse til mailserveren." in texts(at)
    [failed] = stored(console_db)
    assert (failed.status, failed.error.split(":")[0]) == ("failed", "connect")
    retry = at.button(key=f"referrals_retry_{failed.id}")
    assert retry.label == "Prøv igen"
    with smtp_server(smtp_port) as (_, inbox):
        retry.click().run()
        assert "E-mailen er sendt." in texts(at)
        at.button(key="referrals_send_email").click().run()  # a double click after success
        assert "Denne e-mail er allerede sendt. Den bliver ikke sendt igen." in texts(at)
        assert len(inbox.envelopes) == 1
    assert [(r.status, r.attempts) for r in stored(console_db)] == [("sent", 2)]
    assert not any(b.key == f"referrals_retry_{failed.id}" for b in at.button)


def test_edits_survive_a_reload_through_the_stored_draft(smtp_port, console_db):
    advisor = make_user(console_db, "rikke", "advisor")
    call_id = make_call(console_db, advisor.id)
    at = open_page(console_db, advisor, call_id)
    at.text_input(key="referrals_subject").input("Din samtale med os").run()
    at.button(key="referrals_save_draft").click().run()
    fresh = open_page(console_db, advisor, call_id)  # a new browser session
    assert fresh.text_input(key="referrals_subject").value == "Din samtale med os"
    fresh.button(key="referrals_save_draft").click().run()
    assert len(stored(console_db)) == 1


def test_switching_language_rewrites_the_text_in_english(no_smtp):
    advisor = make_user(no_smtp, "rikke", "advisor")
    call_id = make_call(no_smtp, advisor.id)
    at = open_page(no_smtp, advisor, call_id)
    at.radio(key="referrals_lang").set_value("en").run()
    assert at.text_input(key="referrals_subject").value.startswith("Guidance after your call with")
    assert "Talk to your own GP about a referral to a physiotherapist" in at.text_area(key="referrals_body").value


@pytest.mark.parametrize(("role", "allowed"), [("advisor", False), ("supervisor", True)])
def test_only_the_calls_advisor_or_a_supervisor_can_send_guidance(no_smtp, role, allowed):
    owner = make_user(no_smtp, "rikke", "advisor")
    other = make_user(no_smtp, "sofie", role)
    at = open_page(no_smtp, other, make_call(no_smtp, owner.id))
    assert ("Du kan kun sende vejledning for dine egne opkald." in texts(at)) != allowed
    assert bool([t for t in at.text_area if t.key == "referrals_body"]) == allowed


def test_the_picker_lists_my_calls_awaiting_guidance(no_smtp):
    advisor = make_user(no_smtp, "rikke", "advisor")
    call_id = make_call(no_smtp, advisor.id)
    at = open_page(no_smtp, advisor)
    picker = at.selectbox(key="referrals_pick")
    assert picker.options[0].startswith(f"#{call_id} · 26.11.2026")
    picker.set_value(call_id).run()
    assert at.query_params["call"] == str(call_id)
    assert at.text_area(key="referrals_body").value.startswith("Kære Henrik Ærø Søndergaard,")


def test_the_outbox_shows_mine_to_advisors_and_all_to_supervisors(no_smtp):
    rikke, sofie = make_user(no_smtp, "rikke", "advisor"), make_user(no_smtp, "sofie", "advisor")
    boss = make_user(no_smtp, "berit", "supervisor")
    for user in (rikke, sofie):
        at = open_page(no_smtp, user, make_call(no_smtp, user.id))
        at.button(key="referrals_save_draft").click().run()
    assert len(open_page(no_smtp, rikke).dataframe[0].value) == 1
    assert len(open_page(no_smtp, boss).dataframe[0].value) == 2


def test_the_call_page_link_opens_the_guidance_for_that_call(no_smtp):
    """The live call page links here with st.page_link("pages/referrals.py", query_params={"call": id})."""
    advisor = make_user(no_smtp, "rikke", "advisor")
    call_id = make_call(no_smtp, advisor.id)
    at = logged_in_app(advisor)
    at.query_params["call"] = str(call_id)
    at.switch_page("pages/referrals.py").run()
    assert not at.exception
    assert f"Vejledning efter opkald #{call_id} den 26.11.2026" in texts(at)


@pytest.mark.parametrize("raw", ["abc", "999"])
def test_an_unknown_call_says_so(no_smtp, raw):
    advisor = make_user(no_smtp, "rikke", "advisor")
    at = page_app("referrals.py", advisor)
    at.query_params["call"] = raw
    at.run()
    assert "Opkaldet findes ikke." in texts(at)
