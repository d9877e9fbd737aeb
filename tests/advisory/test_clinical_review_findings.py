"""The findings of the clinical review of the review pack (docs/clinical-review/findings.md), each as a test.

Findings F3-F7, F10 and F18 are the examples of issue 22 (tests/advisory/test_issue22_examples.py) and the
invariants (tests/advisory/test_invariants.py); the rest are here, named by their finding.
"""

from datetime import date

import pytest

from advisory.profile import CallerProfile, Fracture
from advisory.script import build_script, script_content
from services.guidance import letter_for_script, letter_input

CALL_DATE = date(2026, 12, 7)  # the pack's call date
LANGS = ("da", "en")
ANSWERED = {"falls_last_year": 0, "pain": "none", "walking_aid": False, "fear_of_falling": False}


def call(lang="da", red_flags=(), **fields):
    profile = CallerProfile(**{"activity_level": "everyday_active", "fractures": [], **fields})
    script = build_script(profile, today=CALL_DATE, lang=lang, red_flags=red_flags)
    return script, " ".join(letter_for_script(profile, script, call_date=CALL_DATE).body.split())


def weeks(site, n, low_energy=True):
    return Fracture.weeks_ago(site, n, today=CALL_DATE, low_energy=low_energy)


@pytest.mark.parametrize("lang", LANGS)
def test_f1_a_112_letter_says_what_was_agreed_and_has_no_pain_safety_net(lang):
    _, letter = call(lang, ("cannot_bear_weight_after_fall",), age=81)
    assert ("Vi aftalte, at du ringede 112" if lang == "da" else "We agreed that you would call 112") in letter
    assert ("Bliver smerterne værre" if lang == "da" else "If the pain gets worse") not in letter
    assert ("Når du er blevet undersøgt" if lang == "da" else "Once you have been examined") in letter


@pytest.mark.parametrize("lang", LANGS)
def test_f2_an_urgent_disposition_also_ends_the_call(lang):
    script, _ = call(lang, ("leg_weakness_or_bladder_bowel",), caller_role="relative", relation="mother",
                     pain="severe")
    assert script.assessment["ends_call"] is True
    assert "relative-consent-for-guidance" not in script.block_ids and "safety-severe-pain" not in script.block_ids


@pytest.mark.parametrize("lang", LANGS)
def test_f8_training_advice_that_depends_on_an_unsigned_restriction_is_held_back_from_the_letter(lang):
    # C05: a 58-year-old runner, high-energy fracture 9 weeks ago: no permanent "no impact" in writing.
    script, letter = call(lang, activity_level="training_active", age=58, **ANSWERED,
                          fractures=[weeks("wrist", 9, low_energy=False)])
    assert "guidance-other-fracture-healing" in script.block_ids  # said on the phone, awaiting sign-off
    assert ("rask gang er det niveau" if lang == "da" else "brisk walking is the level") not in letter
    assert ("Stærk:" if lang == "da" else "Strong (Stærk):") not in letter


@pytest.mark.parametrize("lang", LANGS)
def test_f9_a_letter_to_a_caller_in_severe_pain_carries_the_safety_net(lang):
    _, letter = call(lang, age=70, pain="severe", falls_last_year=0, walking_aid=False)
    assert ("Hvis det bliver værre" if lang == "da" else "If it gets worse") in letter and "1813" in letter


@pytest.mark.parametrize("lang", LANGS)
def test_f11_f26_a_professional_letter_is_to_a_colleague_with_no_follow_up_call(lang):
    script, letter = call(lang, caller_role="professional", age=80, fractures=[weeks("vertebral", 3)])
    assert script.follow_up_on is None
    assert ("Kære kollega" if lang == "da" else "Dear colleague") in letter
    assert ("Vi ringer" if lang == "da" else "We will call you") not in letter
    assert ("For dig" if lang == "da" else "For you") not in letter


def test_f12_the_professional_track_reads_the_assessment():
    hip, _ = call(caller_role="professional", fractures=[weeks("hip", 3)])
    assert "guidance-hip-fracture-rehab" in hip.block_ids
    falls, _ = call(caller_role="professional", falls_last_year=2, fear_of_falling=True)
    assert {"referral-several-falls", "theme-stabil-first", "professional-impact-limited"} <= set(falls.block_ids)
    assert "professional-impact-and-flexion" not in falls.block_ids
    asked, _ = call(caller_role="professional", **ANSWERED, topics={"lifting", "yoga", "running"})
    answered = {topic for block in asked.blocks for topic in block.answers}
    assert {"lifting", "yoga", "running"} <= answered


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("fields", "topic", "block"), [
    ({"fractures": [Fracture.weeks_ago("vertebral", 5, today=CALL_DATE)]}, "balance", "topic-balance-healing"),
    ({"fractures": [Fracture.weeks_ago("vertebral", 5, today=CALL_DATE)]}, "posture", "topic-posture-healing"),
    ({"fractures": [Fracture.weeks_ago("wrist", 6, today=CALL_DATE)]}, "lifting", "topic-lifting-healing"),
    ({"fractures": [Fracture.weeks_ago("vertebral", 5, today=CALL_DATE)]}, "strength_training",
     "topic-strength-training-healing"),
])
def test_f13_questions_in_the_healing_phase_get_their_own_answer(lang, fields, topic, block):
    script, _ = call(lang, topics={topic}, **fields)
    assert block in script.block_ids


@pytest.mark.parametrize("lang", LANGS)
def test_f14_after_a_spinal_fracture_hops_do_not_come_back_by_themselves(lang):
    script, _ = call(lang, fractures=[weeks("vertebral", 6)])
    text = next(b.text for b in script.blocks if b.id == "acute-no-training-yet")
    assert ("Hop og løb anbefaler vi ikke efter et brud i ryggen" if lang == "da"
            else "We do not recommend jumping and running after a spinal fracture") in text


@pytest.mark.parametrize("lang", LANGS)
def test_f15_a_hip_fracture_of_unknown_date_gets_the_healing_advice_it_was_promised(lang):
    script, letter = call(lang, fractures=[Fracture.date_unknown("hip")], topics={"balance"}, age=90)
    ids = set(script.block_ids)
    assert {"guidance-fracture-date-unknown", "theme-after-fracture-healing", "topic-balance-supported"} <= ids
    assert not {"topic-balance", "technique-straight-back", "theme-staerk-walking-level", "myth-walking"} & ids
    said = " ".join(b.text for b in script.blocks)
    assert ("én hånd" if lang == "da" else "one hand") not in said


@pytest.mark.parametrize("lang", LANGS)
def test_f16_urgent_leg_symptoms_say_what_to_tell_the_gp_and_the_fallback(lang):
    script, letter = call(lang, ("leg_weakness_or_bladder_bowel",))
    assert script.disposition is not None
    assert ("Kan du ikke komme igennem" if lang == "da" else "If you cannot get through") in script.disposition.say
    assert ("Vi aftalte" if lang == "da" else "We agreed") in letter
    assert ("Ring til din egen læge nu" if lang == "da" else "Call your own GP now") not in letter


@pytest.mark.parametrize("lang", LANGS)
def test_f17_the_municipal_offer_is_in_the_letter_only_when_it_was_said(lang):
    profile = CallerProfile(activity_level="function_limited", fractures=[], caller_role="professional")
    script = build_script(profile, today=CALL_DATE, lang=lang)
    content = script_content()
    without = letter_input(profile, lang=lang, group=script.group, flags=script.flags,
                           delivered_blocks=[b for b in script.block_ids if b != "referral-municipal-training"],
                           disposition_id=None, follow_up_on=None, topics=(), content=content)
    assert without.municipal is False
    said = letter_input(profile, lang=lang, group=script.group, flags=script.flags,
                        delivered_blocks=["referral-municipal-training"], disposition_id=None, follow_up_on=None,
                        topics=(), content=content)
    assert said.municipal is True


@pytest.mark.parametrize("lang", LANGS)
def test_f19_112_gives_first_aid_and_the_way_back_in_one_go(lang):
    script, _ = call(lang, ("cannot_bear_weight_after_fall",))
    say = script.disposition.say
    assert ("Prøv ikke at rejse dig" if lang == "da" else "Do not try to get up") in say
    assert ("Ring gerne til os igen" if lang == "da" else "Do call us again") in say
    after = script.block_ids[script.block_ids.index("disposition-emergency_112") + 1:]
    assert list(after) == ["closing-call-again"]  # one goodbye sentence, no questions


@pytest.mark.parametrize("lang", LANGS)
def test_f20_keep_training_but_not_hops_while_fractures_are_unknown(lang):
    script, _ = call(lang, activity_level="training_active", fractures=None)
    assert "training-keep-level-unknown" in script.block_ids and "training-keep-level" not in script.block_ids


def test_f24_relatives_are_velkomne():
    _, letter = call("da", ("height_loss_or_stoop",), caller_role="relative", relation="father")
    assert "I meget velkomne" in letter and "I meget velkommen" not in letter
