"""The line above the search results says the search's outcome (a confident answer, "muligvis relevant",
or none), and each hit says why it was found: the member question it matched with the matched words in
bold, or the words it matched and where. The same panel serves the call page's Ctrl+K dialog."""

import pytest

from advisory.library import Library
from tests.console.apptest import logged_in_app, texts
from tests.console.library.pages import library_page, search

CONFIDENT = "Sikkert svar – det korte svar kan læses højt."
POSSIBLE = "Muligvis relevant – et opslag kan svare på det, men ikke sikkert. Læs det, før du svarer."
NONE = "Ingen sikre svar – prøv andre ord eller spørg en kollega."


def captions(at):
    return [str(caption.value) for caption in at.caption]


def test_a_confident_answer_says_so_and_shows_the_member_question_it_matched_marked(advisor):
    at = search(library_page(advisor), "må jeg løfte mere end 5 kilo")
    page = texts(at)
    assert CONFIDENT in [str(box.value) for box in at.success]
    assert POSSIBLE not in page and NONE not in page
    why = next(caption for caption in captions(at) if caption.startswith("Svarer på: »"))
    assert "**løfte**" in why and "**kilo**" in why  # the matched words in bold
    assert why.replace("**", "") == "Svarer på: »Er 5 kilo grænsen for, hvad jeg må løfte?«"


def test_a_hit_without_a_matching_member_question_shows_the_words_it_matched(advisor):
    at = search(library_page(advisor), "hvad med sport")
    assert "Ord, der passer: **sport** (emneord)" in captions(at)


def test_english_says_why_in_english(advisor):
    at = search(library_page(advisor, lang="en"), "can I lift 5 kg")
    assert "Confident answer – the short answer can be read aloud." in texts(at)
    assert any(caption.startswith("Answers: “") and "**kg**" in caption for caption in captions(at))


def test_a_question_the_library_cannot_answer_says_no_confident_answer(advisor):
    at = search(library_page(advisor), "må jeg dykke med flaske")
    page = texts(at)
    assert NONE in [str(box.value) for box in at.warning]
    assert CONFIDENT not in page and POSSIBLE not in page


@pytest.fixture
def only_possible(monkeypatch):
    """Every search's first hits only "possibly relevant", whatever the bands' thresholds are."""
    original = Library.search

    def possible(self, query, **kwargs):
        hits = original(self, query, **kwargs)
        for hit in hits:
            hit.band = "possible"
        return hits

    monkeypatch.setattr(Library, "search", possible)


def test_possibly_relevant_says_so_and_still_shows_why(advisor, only_possible):
    at = search(library_page(advisor), "må jeg løfte mere end 5 kilo")
    page = texts(at)
    assert POSSIBLE in [str(box.value) for box in at.warning]
    assert CONFIDENT not in page and NONE not in page
    assert any(caption.startswith("Svarer på: »") for caption in captions(at))


def test_the_call_pages_search_dialog_shows_the_outcome_and_why(advisor):
    at = logged_in_app(advisor).run()
    at.button(key="call_start").click().run()
    at.button(key="call_search_open").click().run()
    at.text_input(key="call_search_query").input("må jeg løfte mere end 5 kilo").run()
    assert not at.exception
    assert CONFIDENT in texts(at)
    assert any(caption.startswith("Svarer på: »") and "**løfte**" in caption for caption in captions(at))
