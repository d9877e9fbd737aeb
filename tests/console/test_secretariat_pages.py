"""The secretariat in the console: its only page is Vejledning (letters to post and the outbox); every
other page says "Ingen adgang", and no page shows it a call's notes. Advisors put letters in the batch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from console.navigation import PAGES
from db.engine import get_engine, session_scope
from db.models import Referral, User
from db.repositories import referrals, users
from services import outbox
from tests.console.apptest import PASSWORD, logged_in_app, make_user, page_app, texts
from tests.console.test_referrals_page import no_smtp  # noqa: F401 - fixture
from tests.services.test_outbox import make_call

NOTE = "SECRET-NOTE-7731"
ADDRESS = "Henrik Ærø Søndergaard\nBøgevej 1\n2100 København Ø"
ROOT = Path(__file__).resolve().parents[2]


def everything(node) -> str:
    """Every element the page drew (protobuf text, tables included), to search for what must not be there."""
    parts = [str(node.proto)] if getattr(node, "proto", None) is not None else []
    for child in getattr(node, "children", {}).values():
        parts.append(everything(child))
    return "\n".join(parts)


@pytest.fixture
def letter_waiting(no_smtp):  # noqa: F811
    advisor = make_user(no_smtp, "rikke", "advisor", "Rikke Rådgiver")
    secretariat = make_user(no_smtp, "birgit", "secretariat", "Birgit Sekretær")
    call_id = make_call(no_smtp, advisor.id, notes=NOTE, phone="20 30 40 50")
    at = page_app("referrals.py", advisor)
    at.query_params["call"] = str(call_id)
    at.run()
    at.radio(key="referrals_channel").set_value("letter").run()
    at.text_area(key="referrals_recipient_lines").input(ADDRESS)
    at.button(key="referrals_queue_letter").click().run()
    assert "Brevet ligger i bunken »Breve til afsendelse«" in texts(at)
    return {"db": no_smtp, "advisor": advisor, "secretariat": secretariat, "call_id": call_id}


@pytest.mark.parametrize("spec", PAGES, ids=lambda spec: spec.url_path)
def test_no_page_shows_the_secretariat_a_calls_notes(letter_waiting, spec):
    at = page_app(spec.path.removeprefix("pages/"), letter_waiting["secretariat"])
    at.query_params["call"] = str(letter_waiting["call_id"])  # as if a link to the call had been followed
    at.run()
    assert not at.exception
    drawn = everything(at._tree)
    assert NOTE not in drawn and "20 30 40 50" not in drawn
    if spec.url_path == "referrals":
        assert [tab.label for tab in at.tabs] == ["Breve til afsendelse", "Udbakke"]
        assert "Bøgevej 1" in drawn  # the letter, which is the secretariat's work
    else:
        assert "Ingen adgang" in texts(at)
        assert not at.title


def test_the_secretariat_is_led_to_the_guidance_page_only(letter_waiting):
    at = logged_in_app(letter_waiting["secretariat"]).run()
    assert not at.exception
    assert at.title[0].value == "Vejledning"
    assert NOTE not in everything(at._tree)


def test_the_secretariat_marks_a_printed_batch_posted(letter_waiting):
    db, secretariat = letter_waiting["db"], letter_waiting["secretariat"]
    at = page_app("referrals.py", secretariat).run()
    assert at.get("download_button")  # "Print brevene som én PDF (1)"
    assert "Print brevene først" in texts(at)
    assert not [b for b in at.button if b.key == "letters_mark_posted"]
    with session_scope(get_engine(db)) as session:
        [waiting] = referrals.letters_to_post(session, viewer=secretariat)
    outbox.print_letters(engine=get_engine(db), referral_ids=[waiting.referral.id], actor=secretariat)
    at.run()
    at.button(key="letters_mark_posted").click().run()
    assert "Markeret som sendt med posten: 1." in texts(at)
    assert "Der er ingen breve, der venter." in texts(at)
    with session_scope(get_engine(db)) as session:
        letter = session.exec(select(Referral)).one()
        assert (letter.status, letter.posted_by_id) == ("sent", secretariat.id)


def test_an_unusable_address_is_named_next_to_the_field_and_the_text_is_kept(no_smtp):  # noqa: F811
    advisor = make_user(no_smtp, "rikke", "advisor")
    at = page_app("referrals.py", advisor)
    at.query_params["call"] = str(make_call(no_smtp, advisor.id))
    at.run()
    at.radio(key="referrals_channel").set_value("letter").run()
    edited = at.text_area(key="referrals_body").value + "\nHusk stokken.\n"
    at.text_area(key="referrals_body").input(edited)
    at.text_area(key="referrals_recipient_lines").input("Henrik\nBøgevej 1")
    at.button(key="referrals_queue_letter").click().run()
    assert not at.exception
    assert ("Adressen mangler: postnummer og by på sidste linje (fire cifre og bynavn, fx 8000 Aarhus C)."
            in texts(at))
    assert at.text_area(key="referrals_body").value == edited
    with session_scope(get_engine(no_smtp)) as session:
        letter = session.exec(select(Referral)).one()
        assert (letter.status, letter.body, letter.recipient) == ("draft", edited, "Henrik\nBøgevej 1")


def test_the_administrator_creates_a_secretariat_user(console_db):
    admin = make_user(console_db, "alma", "admin", "Alma Admin")
    at = page_app("admin.py", admin).run()
    at.text_input(key="admin_new_username").input("birgit")
    at.text_input(key="admin_new_display_name").input("Birgit Sekretær")
    at.selectbox(key="admin_new_role").select("secretariat")
    at.text_input(key="admin_new_password").input(PASSWORD)
    next(button for button in at.button if button.label == "Opret").click().run()
    assert not at.exception
    with session_scope(get_engine(console_db)) as session:
        assert session.exec(select(User.role).where(User.username == "birgit")).one() == "secretariat"


def test_create_user_makes_a_secretariat_user_from_the_command_line(console_db):
    done = subprocess.run([sys.executable, "-m", "cli", "create-user", "birgit", "--name", "Birgit",
                           "--role", "secretariat", "--password-stdin"], input=f"{PASSWORD}\n", text=True,
                          capture_output=True, cwd=ROOT, check=True)
    assert "Created secretariat 'birgit'" in done.stdout


def _new_user_form(at, password):
    at.text_input(key="admin_new_username").input("birgit")
    at.text_input(key="admin_new_display_name").input("Birgit Sekretær")
    at.text_input(key="admin_new_password").input(password)
    next(button for button in at.button if button.label == "Opret").click().run()
    return at


def test_the_new_user_form_keeps_its_content_on_a_problem_and_is_emptied_after_success(console_db):
    admin = make_user(console_db, "alma", "admin", "Alma Admin")
    at = _new_user_form(page_app("admin.py", admin).run(), "1234")
    assert "Adgangskoden" in texts(at)  # refused: said why, and nothing typed is lost
    assert at.text_input(key="admin_new_username").value == "birgit"
    assert at.text_input(key="admin_new_password").value == "1234"
    at = _new_user_form(at, PASSWORD)
    assert not at.exception
    assert "Brugeren birgit er oprettet." in texts(at)
    assert at.text_input(key="admin_new_username").value == ""
    assert at.text_input(key="admin_new_password").value == ""  # the password does not linger


def test_a_click_on_a_letter_row_opens_the_letter(letter_waiting):
    at = page_app("referrals.py", letter_waiting["secretariat"]).run()
    assert not [e for e in at.expander if e.proto.expanded]
    at.session_state["letters_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert [e.label for e in at.expander if e.proto.expanded] == [
        next(e.label for e in at.expander if e.label.startswith("Læs brev"))]


def test_deactivating_a_user_asks_for_confirmation_first(console_db):
    admin = make_user(console_db, "alma", "admin", "Alma Admin")
    make_user(console_db, "rikke", "advisor", "Rikke Rådgiver")
    at = page_app("admin.py", admin).run()
    at.selectbox(key="admin_user_pick").select("Rikke Rådgiver (rikke)").run()
    at.button(key="admin_toggle_active").click().run()
    assert not at.exception
    assert _active(console_db, "rikke")  # the first click only asks
    assert "Deaktivér Rikke Rådgiver?" in texts(at)
    at.button(key="admin_cancel_deactivate").click().run()
    assert _active(console_db, "rikke")
    assert not _has_button(at, "admin_confirm_deactivate")
    at.button(key="admin_toggle_active").click().run()
    at.button(key="admin_confirm_deactivate").click().run()
    assert not at.exception
    assert not _active(console_db, "rikke")


def _has_button(at, key: str) -> bool:
    return any(button.key == key for button in at.button)


def _active(db_url, username: str) -> bool:
    with session_scope(get_engine(db_url)) as session:
        return next(u for u in users.list_users(session) if u["username"] == username)["active"]
