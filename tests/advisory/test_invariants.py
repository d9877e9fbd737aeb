"""The safety invariants (tests/advisory/invariants.py) hold for generated calls over the whole space: every group,
caller role, fracture site and age, unknown answers, red flags and topics, in both languages, for the script and
the letter. Fixed seed (derandomize), bounded examples, no deadline.

Then a test of the test for each invariant: a deliberately broken rule (monkeypatched, or content with one rule
broken) makes that invariant fail on a caller it is about.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import advisory.assessment as assessment_module
import advisory.referral as referral_module
import advisory.script.builder as builder_module
from advisory.profile import CallerProfile, Fracture
from advisory.script import build_script, script_content
from services.guidance import letter_for_script
from tests.advisory.invariants import INVARIANTS, Call, check_all
from tests.advisory.profile_strategies import caller_profiles

CALL_DATE = date(2026, 12, 3)
EXAMPLES = 2000  # per language: each generated call is checked in Danish and in English
RED_FLAGS = [flag.id for flag in script_content().red_flags]


# Fracture dates: around the healing boundary often, years back sometimes, a few typing slips in the future.
days_back = st.one_of(st.integers(min_value=0, max_value=120), st.integers(min_value=-30, max_value=365 * 30))
profiles = caller_profiles(call_date=CALL_DATE, days_back=days_back, max_fractures=3, max_falls=6, max_topics=4)
# Most calls have no red flag; a third have one or more.
red_flag_sets = st.one_of(st.just(()), st.just(()),
                          st.lists(st.sampled_from(RED_FLAGS), min_size=1, max_size=3, unique=True).map(tuple))


def make_call(profile: CallerProfile, lang: str, red_flags: tuple[str, ...] = (), content=None) -> Call:
    script = build_script(profile, today=CALL_DATE, lang=lang, red_flags=red_flags, content=content)
    letter = letter_for_script(profile, script, call_date=CALL_DATE, content=content)
    return Call(profile=profile, red_flags=red_flags, today=CALL_DATE, lang=lang, script=script,
                letter=" ".join(letter.body.split()))


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, red_flag_sets)
def test_every_invariant_holds_for_generated_calls_in_both_languages(profile, red_flags):
    danish, english = make_call(profile, "da", red_flags), make_call(profile, "en", red_flags)
    check_all(danish)
    check_all(english)
    assert danish.script.block_ids == english.script.block_ids  # the same call in either language


# --- a test of the test per invariant: a broken rule makes it fail --------------------------------------------

ANSWERED = {"falls_last_year": 0, "pain": "none", "walking_aid": False, "fear_of_falling": False}
WEEKS_8_SPINE = [Fracture.weeks_ago("vertebral", 8, today=CALL_DATE)]


def profile(**fields) -> CallerProfile:
    return CallerProfile(**{"activity_level": "everyday_active", "fractures": [], **fields})


def without_blocks(*ids: str):
    content = script_content()
    return dataclasses.replace(content, rules=tuple(rule for rule in content.rules if rule.block.id not in ids),
                               blocks=tuple(block for block in content.blocks if block.id not in ids))


def with_block_text(block_id: str, text: str):
    content = script_content()

    def changed(rule):
        if rule.block.id != block_id:
            return rule
        return dataclasses.replace(rule, block=rule.block.model_copy(update={"da": text, "en": text}))

    rules = tuple(changed(rule) for rule in content.rules)
    return dataclasses.replace(content, rules=rules, blocks=tuple(rule.block for rule in rules))


def with_disposition(disposition_id: str, **texts: str):
    content = script_content()
    entries = tuple(d.model_copy(update={name: d.say.model_copy(update={"da": value, "en": value})
                                         for name, value in texts.items()}) if d.id == disposition_id else d
                    for d in content.dispositions)
    return dataclasses.replace(content, dispositions=entries)


def fails(invariant: str, calls) -> None:
    """The invariant fails on at least one of these calls (and the others need not matter)."""
    check = INVARIANTS[invariant]
    failures = 0
    for call in calls:
        try:
            check(call)
        except AssertionError:
            failures += 1
    assert failures, f"{invariant} did not notice the broken rule"


def both(profile_, red_flags=(), content=None):
    return [make_call(profile_, lang, red_flags, content) for lang in ("da", "en")]


def test_the_unbroken_rules_pass_the_cases_the_broken_ones_fail():
    cases = [profile(age=79, falls_last_year=2, fear_of_falling=True, walking_aid=False, pain="none"),
             profile(diagnosis="osteoporosis", t_score=-2.0), profile(walking_aid=True, topics={"balance"}),
             profile(caller_role="relative", relation="partner", sex="male", fractures=WEEKS_8_SPINE),
             profile(fractures=WEEKS_8_SPINE, topics={"running", "strength_training", "medication"})]
    for case in cases:
        for flags in ((), ("cannot_bear_weight_after_fall",), ("weight_loss_fever_night_pain_cancer",)):
            for call in both(case, flags):
                check_all(call)


def test_safety_first_fails_when_the_screen_is_not_first():
    content = script_content()
    reordered = dataclasses.replace(content, rules=content.rules[1:] + content.rules[:1])
    fails("safety_first_next_step_last", both(profile(**ANSWERED), content=reordered))


def test_red_flag_pauses_training_fails_when_a_red_flag_keeps_the_training_advice(monkeypatch):
    monkeypatch.setattr(builder_module, "RED_FLAG_SECTIONS", frozenset({"safety", "guidance", "themes", "closing"}))
    monkeypatch.setattr(builder_module, "TRAINING_TAGS", frozenset())
    fails("red_flag_pauses_training", both(profile(**ANSWERED), ("height_loss_or_stoop",)))


def test_urgency_by_flag_fails_when_infection_signs_are_told_it_can_wait():
    content = script_content()
    flags = tuple(flag.model_copy(update={"disposition": "gp"}) if flag.id == "weight_loss_fever_night_pain_cancer"
                  else flag for flag in content.red_flags)
    old_gp = with_disposition("gp", say="Det haster ikke, men vent ikke for længe.")
    broken = dataclasses.replace(old_gp, red_flags=flags)
    fails("urgency_by_flag", both(profile(), ("weight_loss_fever_night_pain_cancer",), content=broken))


def test_emergency_ends_the_call_fails_when_questions_follow_112(monkeypatch):
    real = assessment_module.assess

    def forgets_the_end(*args, **kwargs):
        result = real(*args, **kwargs)
        return dataclasses.replace(result, facts={**result.facts, "ends_call": False})

    monkeypatch.setattr(builder_module, "assess", forgets_the_end)
    fails("emergency_ends_the_call", both(profile(caller_role="relative", relation="mother", pain="severe"),
                                          ("cannot_bear_weight_after_fall",)))


def test_emergency_ends_the_call_fails_when_the_letter_repeats_the_phone_instruction():
    broken = with_disposition("emergency_112", letter="Læg på og ring 112 nu.")
    fails("emergency_ends_the_call", both(profile(), ("cannot_bear_weight_after_fall",), content=broken))


def test_impact_fails_when_the_rule_forgets_falls(monkeypatch):
    real = assessment_module._against_impact

    def ignores_falls(profile_, *args):
        return real(profile_.model_copy(update={"falls_last_year": 0, "fear_of_falling": False}), *args)

    monkeypatch.setattr(assessment_module, "_against_impact", ignores_falls)
    fails("impact_only_when_nothing_speaks_against",
          both(profile(age=79, falls_last_year=2, fear_of_falling=True, walking_aid=False, pain="none")))


def test_impact_fails_when_unknown_pain_counts_as_no(monkeypatch):
    real = assessment_module._against_impact

    def unknown_is_no(profile_, *args):
        return real(profile_.model_copy(update={"pain": profile_.pain or "none"}), *args)

    monkeypatch.setattr(assessment_module, "_against_impact", unknown_is_no)
    fails("impact_only_when_nothing_speaks_against", both(profile(**{**ANSWERED, "pain": None})))


def test_offers_fail_when_the_library_is_not_filtered(monkeypatch):
    monkeypatch.setattr(builder_module, "offered", lambda slugs, *args, **kwargs: tuple(slugs))
    fails("offers_fit_the_caller", both(profile(age=90, walking_aid=True, topics={"balance"})))


def test_diagnosis_fails_when_the_t_score_outranks_the_doctor(monkeypatch):
    real = assessment_module._diagnosis

    def number_first(profile_, *args):
        return real(profile_.model_copy(update={"diagnosis": "osteopenia"}), *args)

    monkeypatch.setattr(assessment_module, "_diagnosis", number_first)
    fails("diagnosis_never_contradicted", both(profile(diagnosis="osteoporosis", t_score=-2.0)))


def test_every_question_answered_fails_without_the_healing_phase_answer():
    broken = without_blocks("topic-running-healing")
    fails("every_question_answered", both(profile(fractures=WEEKS_8_SPINE, topics={"running"}), content=broken))


def test_letters_speak_to_their_reader_fails_when_the_letter_forgets_who_reads_it(monkeypatch):
    monkeypatch.setattr(referral_module, "_third", lambda inp: False)
    fails("letters_speak_to_their_reader",
          both(profile(caller_role="relative", relation="partner", sex="male", fractures=WEEKS_8_SPINE)))


def test_no_dosing_fails_on_a_dose():
    broken = with_block_text("medication-ask-gp", "Tag 800 mg kalk om dagen.")
    fails("no_dosing_medicine_to_the_gp", both(profile(topics={"medication"}), content=broken))


def test_healing_follow_up_fails_without_a_follow_up(monkeypatch):
    monkeypatch.setattr(assessment_module, "_follow_up", lambda *args: None)
    fails("healing_follow_up", both(profile(fractures=WEEKS_8_SPINE)))


def test_every_invariant_has_a_test_of_the_test():
    tested = {"safety_first_next_step_last", "red_flag_pauses_training", "urgency_by_flag",
              "emergency_ends_the_call", "impact_only_when_nothing_speaks_against", "offers_fit_the_caller",
              "diagnosis_never_contradicted", "every_question_answered", "letters_speak_to_their_reader",
              "no_dosing_medicine_to_the_gp", "healing_follow_up"}
    assert tested == set(INVARIANTS)


@pytest.mark.parametrize("invariant", sorted(INVARIANTS))
def test_each_invariant_has_a_docstring_from_the_guidance(invariant):
    assert INVARIANTS[invariant].__doc__
