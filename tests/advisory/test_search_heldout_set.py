"""The held-out library search set's shape: enough questions per language, letters and out-of-scope
questions, unique ids, and labels that name real entries. It deliberately does not run the search: the
set measures the search, and a test that asserted its results would invite tuning on it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from advisory.library import load_bundled_entries

HELDOUT_FILE = Path(__file__).parent / "search_eval_heldout.yaml"

# Slugs planned for issues 21 and 27 (/work/helpers/planned_library_entries.md, outside the repository).
# The labels may name them before the entries exist; the library work must then write them.
PLANNED_SLUGS = {
    "faq-hip-protectors",
    "faq-coffee",
    "faq-alcohol",
    "faq-smoking",
    "faq-sauna-heat",
    "faq-z-score",
    "faq-tennis-padel-badminton",
    "faq-bowling-petanque",
    "faq-nordic-walking-hiking",
    "faq-rowing-kayak",
    "faq-medication-jaw-dental",
    "faq-medication-heartburn",
    "faq-medication-thigh-pain",
    "faq-medication-rebuild-bone",
    "faq-too-old-for-treatment",
    "faq-fracture-despite-treatment",
    "faq-after-the-scan",
    "faq-fall-risk-medicines",
    "faq-prevention-risk-factors",
    "faq-steroids-and-bones",
}

FIELDS = {"id", "lang", "asker", "long", "style", "query", "intent", "in_scope", "expected"}
STYLES = {"everyday", "typo", "ascii", "chatty", "brand", "compound", "synonym", "long"}
MIN_PER_LANGUAGE = {"da": 70, "en": 60}
MIN_LONG_PER_LANGUAGE = 22
MIN_OUT_OF_SCOPE = 20
MIN_OUT_OF_SCOPE_PER_LANGUAGE = 8
MAX_EXPECTED = 3


@pytest.fixture(scope="module")
def heldout() -> dict:
    return yaml.safe_load(HELDOUT_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def queries(heldout: dict) -> list[dict]:
    return heldout["queries"]


def test_the_file_names_its_part(heldout: dict) -> None:
    assert heldout["part"] == "heldout"


def test_every_query_has_exactly_the_known_fields_with_valid_values(queries: list[dict]) -> None:
    for query in queries:
        assert set(query) == FIELDS, query.get("id")
        assert query["lang"] in MIN_PER_LANGUAGE, query["id"]
        assert re.fullmatch(rf"{query['lang']}-\d{{3}}", query["id"]), query["id"]
        assert query["asker"] in {"member", "relative", "professional"}, query["id"]
        assert isinstance(query["long"], bool) and isinstance(query["in_scope"], bool), query["id"]
        assert query["style"] and set(query["style"]) <= STYLES, query["id"]
        assert query["long"] == ("long" in query["style"]), query["id"]
        assert query["query"].strip() and query["intent"].strip(), query["id"]


def test_ids_and_questions_are_unique(queries: list[dict]) -> None:
    ids = Counter(query["id"] for query in queries)
    assert [qid for qid, n in ids.items() if n > 1] == []
    texts = Counter(query["query"].strip().lower() for query in queries)
    assert [text for text, n in texts.items() if n > 1] == []


def test_enough_questions_per_language(queries: list[dict]) -> None:
    per_language = Counter(query["lang"] for query in queries)
    for lang, minimum in MIN_PER_LANGUAGE.items():
        assert per_language[lang] >= minimum, (lang, per_language[lang])


def test_enough_letter_like_questions_per_language(queries: list[dict]) -> None:
    long_per_language = Counter(query["lang"] for query in queries if query["long"])
    for lang in MIN_PER_LANGUAGE:
        assert long_per_language[lang] >= MIN_LONG_PER_LANGUAGE, (lang, long_per_language[lang])


def test_long_questions_read_like_letters(queries: list[dict]) -> None:
    # A letter is context around the question: at least two sentences.
    for query in queries:
        if query["long"]:
            sentences = [s for s in re.split(r"[.!?]+\s", query["query"].strip()) if s.strip()]
            assert len(sentences) >= 2, query["id"]


def test_enough_out_of_scope_questions(queries: list[dict]) -> None:
    out_of_scope = [query for query in queries if not query["in_scope"]]
    assert len(out_of_scope) >= MIN_OUT_OF_SCOPE
    per_language = Counter(query["lang"] for query in out_of_scope)
    for lang in MIN_PER_LANGUAGE:
        assert per_language[lang] >= MIN_OUT_OF_SCOPE_PER_LANGUAGE, (lang, per_language[lang])


def test_every_asker_appears_in_both_languages(queries: list[dict]) -> None:
    pairs = {(query["lang"], query["asker"]) for query in queries}
    for lang in MIN_PER_LANGUAGE:
        for asker in ("member", "relative", "professional"):
            assert (lang, asker) in pairs


def test_out_of_scope_questions_expect_no_entry(queries: list[dict]) -> None:
    for query in queries:
        if not query["in_scope"]:
            assert query["expected"] == [], query["id"]


def test_expected_slugs_are_bundled_or_planned(queries: list[dict]) -> None:
    known = {entry.slug for entry in load_bundled_entries()} | PLANNED_SLUGS
    for query in queries:
        expected = query["expected"]
        assert isinstance(expected, list), query["id"]
        assert len(expected) <= MAX_EXPECTED, query["id"]
        assert len(set(expected)) == len(expected), query["id"]
        assert set(expected) <= known, (query["id"], sorted(set(expected) - known))


def test_an_in_scope_question_without_entries_is_marked_not_covered() -> None:
    # The mark lives in a YAML comment, so read the lines: an unexplained empty label would
    # silently count as "the search should say no answer".
    current_id, in_scope = None, None
    for line in HELDOUT_FILE.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\s+- id: (\S+)", line):
            current_id, in_scope = match.group(1), None
        elif match := re.match(r"\s+in_scope: (true|false)", line):
            in_scope = match.group(1) == "true"
        elif match := re.match(r"\s+expected: \[\](.*)$", line):
            marked = "# not covered" in match.group(1)
            assert marked == bool(in_scope), current_id
