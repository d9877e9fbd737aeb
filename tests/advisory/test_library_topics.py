"""The topics written for issues 21 and 27 (lifestyle, the scan, medicine side effects, prevention, more
sports, hip protectors): a Danish and an English question in everyday wording, written apart from the
entries' own member questions, finds the entry among the first three results. Whether the answer is shown
as confident is the search's confidence (issue 21) and is tested there; no entry names a dose
(test_library_content.py)."""

from __future__ import annotations

import pytest

from advisory.library import Library

TOPICS = [
    ("faq-hip-protectors", "kan min far få hoftebeskyttere fra kommunen", "where do I get hip protectors for my mother"),
    ("faq-coffee", "hvor mange kopper kaffe må jeg drikke", "does caffeine weaken bones"),
    ("faq-alcohol", "er det skidt at drikke vin hver aften med knogleskørhed", "how much wine can I drink with osteoporosis"),
    ("faq-smoking", "hjælper det knoglerne at holde op med at ryge", "does quitting smoking help my bones"),
    ("faq-sauna-heat", "er sauna farligt for mig", "can I sit in a sauna with osteoporosis"),
    ("faq-z-score", "hvad betyder z-scoren", "what does a low z score mean"),
    ("faq-tennis-padel-badminton", "må jeg spille padeltennis", "is padel ok with osteoporosis"),
    ("faq-bowling-petanque", "kan jeg fortsætte med petanque i klubben", "can I keep playing lawn bowls"),
    ("faq-nordic-walking-hiking", "er stavgang god motion for knoglerne", "is hiking good for osteoporosis"),
    ("faq-rowing-kayak", "må jeg bruge romaskinen i fitness", "is kayaking safe with osteoporosis"),
    ("faq-medication-jaw-dental", "skal jeg sige til tandlægen at jeg får prolia",
     "should I tell my dentist about my osteoporosis treatment"),
    ("faq-medication-heartburn", "mine knogletabletter giver mig halsbrand", "alendronic acid gives me heartburn"),
    ("faq-medication-thigh-pain", "ondt i låret af alendronat", "thigh pain from osteoporosis medication"),
    ("faq-medication-rebuild-bone", "kan medicinen genopbygge mine knogler", "does osteoporosis medication rebuild bone"),
    ("faq-too-old-for-treatment", "er man for gammel til behandling for knogleskørhed som 90-årig",
     "is my mother too old for osteoporosis treatment"),
    ("faq-fracture-despite-treatment", "nyt brud selvom jeg får medicin", "I broke my hip even though I take medication"),
    ("faq-after-the-scan", "hvor tit skal jeg have en ny knoglescanning", "how often should I have a repeat bone scan"),
    ("faq-fall-risk-medicines", "kan sovepiller give fald", "can blood pressure tablets make me fall"),
    ("faq-prevention-risk-factors", "min mor har knogleskørhed skal jeg selv scannes",
     "osteoporosis runs in my family should I be tested"),
    ("faq-steroids-and-bones", "jeg får prednisolon hvad med knoglerne", "long-term prednisolone and my bones"),
]
QUESTIONS = [pytest.param(query, lang, slug, id=f"{slug}-{lang}")
             for slug, danish, english in TOPICS for lang, query in (("da", danish), ("en", english))]


@pytest.fixture(scope="module")
def library() -> Library:
    return Library.bundled()


@pytest.mark.parametrize(("query", "lang", "slug"), QUESTIONS)
def test_an_everyday_question_finds_the_new_entry(library, query, lang, slug):
    found = [hit.entry.slug for hit in library.search(query, lang=lang)[:3]]
    assert slug in found, found


@pytest.mark.parametrize(("query", "lang", "slug"), QUESTIONS)
def test_the_test_question_is_not_one_of_the_entrys_own(library, query, lang, slug):
    # Written apart from the member questions, so that matching those as a field does not pass it by itself.
    own = {question.casefold().rstrip("?") for question in library.get(slug).text(lang).questions}
    assert query.casefold() not in own
