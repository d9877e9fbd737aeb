"""The safety invariants of the call, written from the clinical principles of GUIDANCE.md (with its corrections
of 29 November and 4 December 2026), not from single cases and not from the console's own rules.

Each invariant reads the raw profile itself (what speaks against impact, whether a bone may be healing, what
the diagnosis evidence is) and checks what the call produced: the script the advisor reads and the letter the
member (or relative, or professional) receives. So a broken rule in the engine or the content shows up here
(tests/advisory/test_invariants.py breaks each rule on purpose to show it).

Every invariant is `check(call) -> None` and raises AssertionError with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from advisory.library.entries import load_bundled_entries
from advisory.profile import CallerProfile
from advisory.script import CallScript, script_content
from advisory.vocab import ActivityLevel, CallerRole, Diagnosis, FractureSite, PainLevel, Topic

# GUIDANCE.md's own numbers (not the rules file: a wrong threshold there must show up here).
HEALING_WEEKS = 12  # "the healing phase lasts about three months"; other fractures treated the same
SEVERAL_FALLS = 2  # "two or more falls in the last year"
SEVERAL_FRACTURES = 2  # "two or more low-energy fractures"

IMPACT_ADVICE = re.compile(r"boldspil|ball games|små hop|small hops|hop og hink er|hopping and jumping are|"
                           r"må gerne løbe|welcome to run|moderat stød|moderate impact", re.IGNORECASE)
# Library entries that suggest hops, running or ball games as training for the reader.
IMPACT_ENTRIES = frozenset({"faq-ball-games", "myth-never-jump", "faq-running", "faq-what-can-i-do-myself",
                            "faq-strong-steady-straight"})
UNSUPPORTED_BALANCE = re.compile(r"børster tænder|brush your teeth|stå på ét ben, gå med fødderne|"
                                 r"stand on one leg, walk heel to toe", re.IGNORECASE)
NOT_OSTEOPOROSIS = re.compile(r"ikke knogleskørhed|not osteoporosis", re.IGNORECASE)
NOT_URGENT = re.compile(r"haster ikke|not an emergency|vent ikke for længe|do not wait too long", re.IGNORECASE)
PHONE_INSTRUCTION = re.compile(r"læg på|ring 112 nu|hang up|call 112 now", re.IGNORECASE)
DOSING = re.compile(r"\d+\s*(mg|mikrogram|µg|mcg|ie|iu|ml|tablet)\b|dosis|dosering|dosage", re.IGNORECASE)
WAIT = re.compile(r"vent|når bruddet er helet|wait|once the fracture has healed|until the fracture has healed",
                  re.IGNORECASE)
# What only a member may read about themselves: in a letter to someone else, "du"/"you" is the reader.
MEMBER_VOICE = {
    "da": ("støtte dig gennem", "sammen med dig, når du", "forstå din samlede knoglestatus",
           "Tal med din egen læge om en henvisning", "så du kan komme godt", "Du er lige nu i helingsfasen",
           "din egen betaling", "efter dit rygsammenfald"),
    "en": ("support you through", "with you when you are", "understand your overall bone health",
           "Talk to your own GP about a referral", "so that you can get started", "You are now in the healing phase",
           "your share", "after your vertebral fracture"),
}
TRAINING_TAGS = frozenset({"impact", "impact_low", "staerk", "stabil", "strakt", "technique"})
ANSWERED_TOPICS = frozenset(Topic) - {Topic.other}
_ENTRIES = {entry.slug: entry for entry in load_bundled_entries()}


@dataclass(frozen=True)
class Call:
    """One generated call: the profile, the red flags answered "yes", and what came out of it."""

    profile: CallerProfile
    red_flags: tuple[str, ...]
    today: date
    lang: str
    script: CallScript
    letter: str  # the body, whitespace collapsed

    @property
    def said(self) -> str:
        return " ".join(" ".join(block.text for block in self.script.blocks).split())

    @property
    def tags(self) -> set[str]:
        return {tag for block in self.script.blocks for tag in block.tags}

    def offered_text(self) -> str:
        texts = [_ENTRIES[slug].text(self.lang) for slug in self.script.library_slugs if slug in _ENTRIES]
        return " ".join(" ".join([t.title, t.short_answer, t.detail]) for t in texts)


# --- what the raw profile says, read here independently of the engine ---------------------------------------


def _weeks_ago(fracture, today: date) -> float | None:
    if fracture.occurred_on is None:
        return None
    return (today - min(fracture.occurred_on, today)).days / 7


def may_be_healing(profile: CallerProfile, today: date) -> bool:
    """A fracture of any site within about three months, or of unknown date."""
    return any((weeks := _weeks_ago(f, today)) is None or weeks < HEALING_WEEKS for f in profile.fractures or [])


def speaks_against_impact(profile: CallerProfile, today: date) -> list[str]:
    """GUIDANCE.md, 4 December 2026: each of these limits impact to brisk walking, and an answer not yet given
    counts as possibly present (a walking aid not asked holds back only someone who does not train)."""
    p, why = profile, []
    if p.fractures is None:
        why.append("fractures not asked")
    if may_be_healing(p, today):
        why.append("a fracture may be healing")
    fractures = p.fractures or []
    if any(f.site in (FractureSite.vertebral, FractureSite.hip) for f in fractures):
        why.append("a vertebral or hip fracture")
    if sum(1 for f in fractures if f.low_energy) >= SEVERAL_FRACTURES:
        why.append("several low-energy fractures")
    if p.pain in (None, PainLevel.moderate, PainLevel.severe):
        why.append("pain not asked or unexplained")
    if p.falls_last_year is None or p.falls_last_year >= SEVERAL_FALLS:
        why.append("falls not asked or repeated")
    if p.fear_of_falling or (p.fear_of_falling is None and (p.falls_last_year or 0) > 0):
        why.append("fear of falling")
    if p.activity_level == ActivityLevel.function_limited or p.walking_aid:
        why.append("low function or a walking aid")
    if p.walking_aid is None and p.activity_level != ActivityLevel.training_active:
        why.append("walking aid not asked")
    return why


def frail(profile: CallerProfile) -> bool:
    return profile.activity_level == ActivityLevel.function_limited or bool(profile.walking_aid)


def evidence_for_osteoporosis(profile: CallerProfile) -> bool:
    """Never "not osteoporosis" against a doctor's diagnosis, a low-energy fracture of any site, or while the
    diagnosis or the fracture history is not known (a treated osteoporosis has a better T-score)."""
    p = profile
    return (p.diagnosis in (None, Diagnosis.unknown, Diagnosis.osteoporosis) or p.fractures is None
            or any(f.low_energy for f in p.fractures))


def disposition_of(red_flags: tuple[str, ...]) -> str | None:
    content = script_content()
    by_flag = {flag.id: flag.disposition for flag in content.red_flags}
    urgency = {d.id: d.urgency for d in content.dispositions}
    chosen = [by_flag[flag] for flag in red_flags]
    return min(chosen, key=urgency.__getitem__, default=None)


# --- the invariants ------------------------------------------------------------------------------------------


def safety_first_next_step_last(call: Call) -> None:
    """Every script starts with the safety screen, keeps its sections in order, and ends with the closing; without
    a red flag it says what the caller can do next (the referral route)."""
    sections = [block.section for block in call.script.blocks]
    assert call.script.block_ids[0] == "safety-screen", "the safety screen is not first"
    assert sections[-1] == "closing", "the script does not end with the closing"
    order = list(dict.fromkeys(sections))
    assert order == sorted(order, key=["safety", "questions", "guidance", "themes", "myths", "referral",
                                       "closing"].index), f"sections out of order: {order}"
    if not call.red_flags:
        assert "referral" in sections, "no next step (referral route) without a red flag"


def red_flag_pauses_training(call: Call) -> None:
    """Any red flag: the call is about the disposition; no training advice in script or letter, and the letter
    repeats what was agreed with a safety net."""
    if not call.red_flags:
        assert call.script.disposition is None, "a disposition without a red flag"
        return
    expected = disposition_of(call.red_flags)
    assert call.script.disposition is not None and call.script.disposition.id == expected, \
        f"disposition {call.script.disposition and call.script.disposition.id} is not the most urgent {expected}"
    assert not call.tags & TRAINING_TAGS, f"training advice with a red flag: {call.tags & TRAINING_TAGS}"
    assert not {"guidance", "themes", "myths", "referral"} & {b.section for b in call.script.blocks}
    assert ("Det aftalte vi" if call.lang == "da" else "What we agreed") in call.letter, "letter lacks the agreement"
    assert "112" in call.letter, "the letter's safety net is missing"
    assert ("Stærk, Stabil og Strakt" if call.lang == "da" else "Strong, Steady and Straight") not in call.letter


def urgency_by_flag(call: Call) -> None:
    """Signs of infection or spread (weight loss, fever, night pain, cancer) need a doctor today (1813 after
    hours), never "det haster ikke"; no red flag's wording plays down its urgency."""
    if not call.red_flags:
        return
    say = call.script.disposition.say if call.script.disposition else ""
    assert not NOT_URGENT.search(say) and not NOT_URGENT.search(call.letter), "a red flag told it is not urgent"
    if "weight_loss_fever_night_pain_cancer" in call.red_flags:
        # A doctor today at the latest: that disposition or a more urgent one, with the route after hours.
        assert re.search(r"i dag|today|\bnu\b|\bnow\b|med det samme|straight away", say), "not today"
        assert re.search(r"1813|112", say) and re.search(r"1813|112", call.letter), "no route after hours"


def emergency_ends_the_call(call: Call) -> None:
    """After 112 nothing more is asked; the letter says what was agreed, never the phone's instruction."""
    assert not PHONE_INSTRUCTION.search(call.letter), "the letter repeats an instruction for the phone"
    if disposition_of(call.red_flags) != "emergency_112":
        return
    ids = call.script.block_ids
    after = ids[ids.index("disposition-emergency_112") + 1:]
    blocks = {block.id: block for block in call.script.blocks}
    asked = [block_id for block_id in after if "?" in blocks[block_id].text]
    assert not asked, f"questions after 112: {asked}"
    assert "relative-consent-for-guidance" not in ids, "consent asked after 112"


def impact_only_when_nothing_speaks_against(call: Call) -> None:
    """Hops, running and ball games only when nothing speaks against them: not in the script, the letter or the
    library entries offered."""
    why = speaks_against_impact(call.profile, call.today)
    if not why or call.red_flags:
        return
    assert "impact" not in call.tags, f"impact advised although: {why}"
    assert not IMPACT_ADVICE.search(call.said), f"impact words in the script although: {why}"
    assert not IMPACT_ADVICE.search(call.letter), f"impact words in the letter although: {why}"
    offered = IMPACT_ENTRIES & set(call.script.library_slugs)
    assert not offered, f"impact entries {offered} offered although: {why}"


def offers_fit_the_caller(call: Call) -> None:
    """A frail caller or a walker user is offered balance exercises with support only."""
    if not frail(call.profile):
        return
    match = UNSUPPORTED_BALANCE.search(call.offered_text())
    assert match is None, f"unsupported balance offered to a frail caller: {match and match.group(0)}"
    assert not UNSUPPORTED_BALANCE.search(call.said) and not UNSUPPORTED_BALANCE.search(call.letter)


def diagnosis_never_contradicted(call: Call) -> None:
    """The diagnosis statement follows the strongest evidence: never "not osteoporosis" against a doctor's
    diagnosis, a low-energy fracture, or while the diagnosis or fractures are unknown."""
    if not evidence_for_osteoporosis(call.profile):
        return
    assert not NOT_OSTEOPOROSIS.search(call.said), "the script says it is not osteoporosis"
    assert not NOT_OSTEOPOROSIS.search(call.letter), "the letter says it is not osteoporosis"


def every_question_answered(call: Call) -> None:
    """Every topic the caller asks about gets an answer in every group and for every caller; while a bone may be
    healing, "may I run / strength-train / lift / do yoga?" is answered with not yet."""
    if call.red_flags:
        return
    answered = {topic for block in call.script.blocks for topic in block.answers}
    missing = {topic.value for topic in call.profile.topics & ANSWERED_TOPICS} - answered
    assert not missing, f"no answer for {sorted(missing)}"
    if may_be_healing(call.profile, call.today):
        for topic in ({Topic.running, Topic.strength_training, Topic.lifting, Topic.yoga} & call.profile.topics):
            texts = " ".join(block.text for block in call.script.blocks if topic in block.answers)
            assert WAIT.search(texts), f"{topic.value} in the healing phase is not answered with 'not yet'"


def letters_speak_to_their_reader(call: Call) -> None:
    """A letter to a relative or a professional speaks of the member in the third person throughout; the reader
    is "du". No placeholder is left anywhere."""
    for where, text in (("script", call.said), ("letter", call.letter)):
        assert not re.search(r"\{[A-Za-z]+\}", text), f"a placeholder left in the {where}"
    if call.profile.caller_role not in (CallerRole.relative, CallerRole.professional):
        return
    for phrase in MEMBER_VOICE[call.lang]:
        assert phrase not in call.letter, f"member voice in a letter to someone else: {phrase!r}"
        assert phrase not in call.said, f"member voice in the script for someone else: {phrase!r}"


def no_dosing_medicine_to_the_gp(call: Call) -> None:
    """No dosing advice anywhere; medication questions go to the GP."""
    assert not DOSING.search(call.said) and not DOSING.search(call.letter), "a dose"
    if Topic.medication in call.profile.topics and not call.red_flags:
        assert "medication-ask-gp" in call.script.block_ids, "a medication question not sent to the GP"
        assert ("læge" if call.lang == "da" else "GP") in call.letter


def healing_follow_up(call: Call) -> None:
    """A spinal fracture still healing: a follow-up when the healing phase ends (after the call), or the date is
    asked first when the fracture date is unknown; never a follow-up with a professional about a patient."""
    if call.script.group != "acute_vertebral_fracture":
        return
    assert "impact" not in call.tags
    if call.profile.caller_role == CallerRole.professional:
        assert call.script.follow_up_on is None, "a follow-up agreed with a professional (review F26)"
    elif call.script.follow_up_on is not None:
        assert call.script.follow_up_on > call.today
    else:
        assert any(f.occurred_on is None for f in call.profile.fractures or []), "no follow-up for a dated fracture"


INVARIANTS: dict[str, Callable[[Call], None]] = {
    "safety_first_next_step_last": safety_first_next_step_last,
    "red_flag_pauses_training": red_flag_pauses_training,
    "urgency_by_flag": urgency_by_flag,
    "emergency_ends_the_call": emergency_ends_the_call,
    "impact_only_when_nothing_speaks_against": impact_only_when_nothing_speaks_against,
    "offers_fit_the_caller": offers_fit_the_caller,
    "diagnosis_never_contradicted": diagnosis_never_contradicted,
    "every_question_answered": every_question_answered,
    "letters_speak_to_their_reader": letters_speak_to_their_reader,
    "no_dosing_medicine_to_the_gp": no_dosing_medicine_to_the_gp,
    "healing_follow_up": healing_follow_up,
}


def check_all(call: Call) -> None:
    for check in INVARIANTS.values():
        check(call)
