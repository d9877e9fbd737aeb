"""Searches without a confident answer: what advisors see, the log behind it, and supervisors' view of the
unanswered questions with the new entry started from one."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from db.engine import get_engine, session_scope
from db.models import UnansweredQuery
from db.repositories import library as library_repo
from db.repositories import unanswered
from tests.console.apptest import logged_in_app, texts
from tests.console.library.pages import library_page, search

NO_CONFIDENT = "Ingen sikre svar – prøv andre ord eller spørg en kollega."
DIVING = "må jeg dykke med flaske"


def logged(db_url):
    with session_scope(get_engine(db_url)) as session:
        return [(row.query, row.lang, row.picked_slug) for row in session.exec(select(UnansweredQuery))]


def log(db_url, query, *, lang="da", days_ago=0, times=1):
    with session_scope(get_engine(db_url)) as session:
        for _ in range(times):
            unanswered.record(session, query=query, lang=lang,
                              at=datetime.now(UTC) - timedelta(days=days_ago, minutes=1))


# --- advisors -------------------------------------------------------------------------------------------------


def test_a_question_the_library_cannot_answer_says_so_and_is_logged_once(seeded_db, advisor):
    at = search(library_page(advisor), "Min mor Inge spørger: må jeg dykke med flaske?")
    page = texts(at)
    assert NO_CONFIDENT in page and "Måske:" in page
    at.run()  # a rerun of the page logs nothing new
    assert logged(seeded_db) == [("min mor spørger: må jeg dykke med flaske?", "da", None)]


def test_a_confident_answer_is_shown_without_the_warning_and_not_logged(seeded_db, advisor):
    at = search(library_page(advisor), "må jeg løfte mere end 5 kilo")
    assert NO_CONFIDENT not in texts(at)
    assert logged(seeded_db) == []


def test_english_says_so_in_english(seeded_db, advisor):
    at = search(library_page(advisor, lang="en"), "can I go scuba diving")
    assert "No confident answers – try other words or ask a colleague." in texts(at) and "Possibly:" in texts(at)
    assert logged(seeded_db) == [("can i go scuba diving", "en", None)]


def test_an_entry_used_in_the_call_anyway_is_recorded_with_the_question(seeded_db, advisor):
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.switch_page("pages/library.py").run()
    search(at, DIVING)
    use = next(button for button in at.button if str(button.key).startswith("library_use_"))  # a weak match
    use.click().run()
    assert not at.exception
    assert logged(seeded_db) == [(DIVING, "da", str(use.key).removeprefix("library_use_"))]


def test_the_in_call_search_says_so_too_and_logs(seeded_db, advisor):
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.button(key="call_search_open").click().run()
    at.text_input(key="call_search_query").input(DIVING).run()
    assert not at.exception
    assert NO_CONFIDENT in texts(at) and "Måske:" in texts(at)
    use = next(button for button in at.button if str(button.key).startswith("call_search_use_"))
    use.click().run()
    assert not at.exception
    assert logged(seeded_db) == [(DIVING, "da", str(use.key).removeprefix("call_search_use_"))]


def test_advisors_have_no_unanswered_view(advisor):
    at = library_page(advisor)
    assert not at.tabs
    assert "library_unanswered_period" not in [str(box.key) for box in at.selectbox]


# --- supervisors ----------------------------------------------------------------------------------------------


def test_supervisors_see_questions_grouped_and_counted_over_the_period(seeded_db, supervisor):
    log(seeded_db, DIVING, times=3)
    log(seeded_db, "Må jeg dykke med flaske?")
    log(seeded_db, "må jeg dyrke karate", days_ago=20)
    log(seeded_db, "må jeg spille dart", days_ago=60)
    log(seeded_db, "må jeg stå på ski")  # the library answers this one now
    at = library_page(supervisor)
    assert [tab.label for tab in at.tabs][-1] == "Spørgsmål uden svar"
    page = texts(at)
    assert "Spørgsmål uden svar: 2 · søgninger i alt: 5" in page
    assert f"**{DIVING}**" in page and "Søgninger: 4 · dansk" in page and "Også søgt som: må jeg dykke med flaske?" in page
    assert "**må jeg stå på ski**" not in page
    at.selectbox(key="library_unanswered_period").set_value(90).run()
    assert "Spørgsmål uden svar: 3 · søgninger i alt: 6" in texts(at)


def test_a_new_entry_started_from_a_question_is_prefilled_and_answers_it(seeded_db, supervisor):
    log(seeded_db, DIVING, times=2)
    at = library_page(supervisor)
    new_buttons = [button for button in at.button if str(button.key).startswith("library_unanswered_new_")]
    assert len(new_buttons) == 1
    new_buttons[0].click().run()
    assert not at.exception
    assert at.session_state["library_tab"] == "Redigér"  # the editor tab is shown
    assert at.text_input(key="library_new_da_title").value == "Må jeg dykke med flaske"
    assert at.text_input(key="library_new_da_tags").value == DIVING
    assert at.text_input(key="library_new_slug").value == "maa-jeg-dykke-med-flaske"
    assert "Nyt opslag ud fra spørgsmålet »må jeg dykke med flaske«" in texts(at)
    at.button(key="library_new_save").click().run()
    assert "Opslaget er ikke gemt" in texts(at)  # English text, sources and answers are still missing
    fields = {
        "library_new_slug": "dykning", "library_new_da_short_answer": "Spørg en dykkerlæge først.",
        "library_new_da_detail": "Uddybning.", "library_new_en_title": "May I go scuba diving?",
        "library_new_en_short_answer": "Ask a diving doctor first.", "library_new_en_detail": "Detail.",
        "library_new_en_tags": "scuba, diving",
    }
    for key, value in fields.items():
        (at.text_area(key=key) if "answer" in key or "detail" in key else at.text_input(key=key)).set_value(value)
    at.multiselect(key="library_new_sources").set_value(["DK2023"])
    at.button(key="library_new_save").click().run()
    assert not at.exception
    assert "Opslaget er oprettet som version 1." in texts(at)
    with session_scope(get_engine(seeded_db)) as session:
        created = library_repo.get_entry(session, slug="faq-dykning")
    assert (created.entry.review_status, created.entry.da.title, created.version) == ("draft", "Må jeg dykke med flaske", 1)
    at.switch_page("pages/library.py").run()
    assert "Der er ingen spørgsmål uden svar i perioden." in texts(at)  # the entry answers it now


def test_a_blank_new_entry_can_be_cancelled(supervisor):
    at = library_page(supervisor)
    at.button(key="library_edit_new").click().run()
    assert at.text_input(key="library_new_da_title").value == ""
    at.button(key="library_new_cancel").click().run()
    with pytest.raises(KeyError):
        at.text_input(key="library_new_da_title")
