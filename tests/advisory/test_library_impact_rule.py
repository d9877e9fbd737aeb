"""The content rule of 4 December 2026 (GUIDANCE.md, "When impact waits"): hops, jumps, running and ball games
are advised only when nothing speaks against them, and impact stays at the brisk-walking level until a
professional has assessed the caller with any of: a fracture of any site still healing; new, unexplained back
pain; two or more falls in the last year or a new fear of falling; a walking aid or low function; a vertebral
or hip fracture at any time; two or more low-energy fractures (SSS).

Every library entry that advises impact says all of it, in both languages, cites the UK consensus (SSS) and
awaits (or has) clinical sign-off; a short answer that advises impact says "only if nothing speaks against
it". The old wording ("without a spinal fracture, moderate impact on most days"; "not in the healing phase
after a spinal fracture") fails these tests.
"""

from __future__ import annotations

import re

import pytest

from advisory.library import load_bundled_entries

ENTRIES = load_bundled_entries()
BY_SLUG = {entry.slug: entry for entry in ENTRIES}

# The entries that advise hops, jumps, running, ball games or impact.
ADVISES_IMPACT = (
    "faq-ball-games",
    "faq-dancing",
    "faq-how-often-train",
    "faq-nordic-walking-hiking",
    "faq-osteopenia",
    "faq-prevention-risk-factors",
    "faq-running",
    "faq-strong-steady-straight",
    "faq-tennis-padel-badminton",
    "faq-training-at-home",
    "faq-training-with-earlier-fracture",
    "faq-what-can-i-do-myself",
    "faq-wrist-fracture-impact",
    "faq-younger-people",
    "myth-never-jump",
    "myth-walking-enough",
)
# Entries whose text names impact without advising it, and why.
MENTIONS_ONLY = {
    "faq-after-hip-fracture": "limits impact to brisk walking after a hip fracture",
    "faq-hip-protectors": "the impact of a fall on the hip",
    "faq-medication-thigh-pain": "holds back running and hopping until the doctor has looked",
    "faq-medication-rebuild-bone": "says exercise loads bone as medicine does not; advises no activity",
    "faq-brace-corset": "'in the long run'",
    "faq-skating": "'løb' is skating; the impact of a fall",
    "faq-horse-riding": "show jumping on a horse; the jolts of trot",
    "faq-cycling": "cycling gives little impact",
    "faq-swimming-water-exercise": "swimming gives no impact",
}

IMPACT_WORDS = {
    "da": re.compile(r"\b(hop|hoppe|hink|hinke|løb|løbe|løbetur|jogge|boldspil|ketsjersport|stødbelastning\w*)\b",
                     re.IGNORECASE),
    "en": re.compile(r"\b(hops?|hopping|jump|jumps|jumping|run|running|jogging|ball games|racket sports|impact)\b",
                     re.IGNORECASE),
}
# Each condition of the rule, as the entries word it (any one phrase per condition).
CONDITIONS = {
    "da": {
        "a fracture still healing": ("stadig heler",),
        "new, unexplained back pain": ("nye, uforklarede smerter i ryggen",),
        "two or more falls": ("faldet to eller flere gange",),
        "a new fear of falling": ("bange for at falde",),
        "a walking aid or low function": ("stok eller rollator",),
        "a vertebral or hip fracture at any time": ("brud i ryggen eller hoften",),
        "two or more low-energy fractures": ("to eller flere brud efter mindre uheld",),
        "the brisk-walking level": ("niveau med rask gang",),
        "until a professional has assessed": ("fysioterapeut eller din egen læge har vurderet dig",),
        "only when nothing speaks against": ("intet taler imod",),
    },
    "en": {
        "a fracture still healing": ("still healing",),
        "new, unexplained back pain": ("new, unexplained back pain",),
        "two or more falls": ("two or more falls",),
        "a new fear of falling": ("fear of falling",),
        "a walking aid or low function": ("stick or walker",),
        "a vertebral or hip fracture at any time": ("fracture of the spine or hip",),
        "two or more low-energy fractures": ("two or more fractures after minor accidents",),
        "the brisk-walking level": ("level of brisk walking",),
        "until a professional has assessed": ("physiotherapist or your GP has assessed you",),
        "only when nothing speaks against": ("nothing speaks against",),
    },
}
ONLY_IF = {"da": "taler imod", "en": "speaks against"}


def spoken(entry, lang: str) -> str:
    text = entry.text(lang)
    return " ".join((text.short_answer + "\n" + text.detail).split())


def test_every_entry_that_names_impact_is_either_held_to_the_rule_or_only_mentions_it():
    named = {entry.slug for entry in ENTRIES for lang in ("da", "en") if IMPACT_WORDS[lang].search(spoken(entry, lang))}
    unreviewed = named - set(ADVISES_IMPACT) - set(MENTIONS_ONLY)
    assert not unreviewed, f"entries that name impact: hold them to the rule or say why they only mention it: {unreviewed}"
    assert set(ADVISES_IMPACT) <= named  # the list names no entry without impact


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("slug", ADVISES_IMPACT)
def test_an_entry_advising_impact_names_every_condition_that_holds_it_back(slug, lang):
    text = spoken(BY_SLUG[slug], lang)
    missing = [name for name, phrases in CONDITIONS[lang].items() if not any(phrase in text for phrase in phrases)]
    assert not missing, f"{slug} ({lang}) does not say: {missing}"


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("slug", ADVISES_IMPACT)
def test_a_short_answer_advising_impact_says_only_if_nothing_speaks_against_it(slug, lang):
    short = " ".join(BY_SLUG[slug].text(lang).short_answer.split())
    if IMPACT_WORDS[lang].search(short) or (lang == "da" and "stød" in short):
        assert ONLY_IF[lang] in short, f"{slug} ({lang}): {short}"


@pytest.mark.parametrize("slug", ADVISES_IMPACT)
def test_impact_advice_cites_the_uk_consensus_and_awaits_clinical_sign_off(slug):
    entry = BY_SLUG[slug]
    assert "SSS" in entry.sources
    assert entry.review_status == "needs_clinical_review" or (
        entry.review_status == "approved" and entry.signed_off_by)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_entry_limits_the_healing_phase_to_a_spinal_fracture(lang):
    """'Not in the healing phase after a spinal fracture' reads as if other fractures may be loaded while
    they heal; any fracture still healing holds impact back."""
    phrases = {"da": ("ikke i helingsfasen efter et brud i ryggen", "helingsfasen efter et nyt rygsammenfald skal du slet ikke hoppe"),
               "en": ("not in the healing phase after a spinal fracture", "after a new spinal fracture, do not jump")}[lang]
    offending = [entry.slug for entry in ENTRIES for phrase in phrases if phrase in spoken(entry, lang).lower()]
    assert not offending, offending


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_entry_advises_impact_merely_without_a_spinal_fracture(lang):
    """The old wording: impact for everyone 'without a spinal fracture' (falls, a hip fracture, a fracture
    still healing, new back pain and a walking aid forgotten)."""
    pattern = {"da": re.compile(r"uden brud i ryggen[^.]*(stødbelastning|hop|løb)", re.IGNORECASE),
               "en": re.compile(r"without a (spinal|vertebral) fracture[^.]*(impact|hop|jog|run)", re.IGNORECASE)}[lang]
    offending = [entry.slug for entry in ENTRIES if pattern.search(spoken(entry, lang))]
    assert not offending, offending
