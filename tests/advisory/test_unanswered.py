"""Grouping the questions the library could not answer (advisory/unanswered.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisory.library import Library
from advisory.library.unanswered import Question, group_questions

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.bundled()


def ask(query: str, lang: str = "da", hours_ago: int = 0, picked: str | None = None) -> Question:
    return Question(query=query, lang=lang, searched_at=NOW - timedelta(hours=hours_ago), picked_slug=picked)


def test_spellings_of_one_question_are_one_group(library):
    groups = group_questions(
        [ask("må jeg dykke med flaske", hours_ago=5), ask("maa jeg dykke med flaske?", hours_ago=3),
         ask("Må jeg dykke med flaske", hours_ago=1), ask("må jeg dykke med en flaske", hours_ago=2)],
        library,
    )
    assert len(groups) == 1
    assert groups[0].count == 4
    assert groups[0].last_searched == NOW - timedelta(hours=1)


def test_a_typo_the_analyzer_cannot_mend_still_joins_its_group(library):
    groups = group_questions([ask("må jeg dykke med flaske"), ask("må jeg dykke med flaskke")], library)
    assert [group.count for group in groups] == [2]


def test_different_questions_stay_apart_most_asked_first(library):
    groups = group_questions(
        [ask("må jeg dyrke karate", hours_ago=3), ask("må jeg dykke med flaske"), ask("må jeg dykke med flaske", hours_ago=1),
         ask("can I go scuba diving", lang="en")],
        library,
    )
    assert [(group.lang, group.query, group.count) for group in groups] == [
        ("da", "må jeg dykke med flaske", 2), ("en", "can I go scuba diving", 1), ("da", "må jeg dyrke karate", 1)]


def test_the_group_is_named_by_its_most_asked_wording(library):
    group = group_questions(
        [ask("må jeg dykke med flaske"), ask("maa jeg dykke med flaske"), ask("maa jeg dykke med flaske", hours_ago=1)], library
    )[0]
    assert group.query == "maa jeg dykke med flaske"
    assert group.wordings == ["maa jeg dykke med flaske", "må jeg dykke med flaske"]


def test_picks_are_counted(library):
    group = group_questions(
        [ask("må jeg dykke med flaske", picked="faq-swimming-water-exercise"),
         ask("må jeg dykke med flaske", picked="faq-swimming-water-exercise"), ask("må jeg dykke med flaske")],
        library,
    )[0]
    assert group.picked == {"faq-swimming-water-exercise": 2}


def test_a_question_the_library_now_answers_disappears(library):
    # "må jeg stå på ski" was unanswered before faq-skiing; with the entry it is answered.
    groups = group_questions([ask("må jeg stå på ski"), ask("må jeg dykke med flaske")], library)
    assert [group.query for group in groups] == ["må jeg dykke med flaske"]


def test_nothing_to_group(library):
    assert group_questions([], library) == []
