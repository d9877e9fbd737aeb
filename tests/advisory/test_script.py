from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from advisory.labels import labels
from advisory.profile import CallerProfile, FieldProblem, Fracture, profile_problems
from advisory.script import (
    GROUPS,
    CallScript,
    build_script,
    content_version,
    dispositions,
    most_urgent_disposition,
    red_flags,
    script_content,
)

CALL_DATE = date(2026, 11, 26)  # the persona cases' call date (GUIDANCE.md)


def text_of(script: CallScript) -> str:
    return "\n".join(block.text for block in script.blocks)


def tags_of(script: CallScript) -> set[str]:
    return {tag for block in script.blocks for tag in block.tags}


# --- the three persona cases of GUIDANCE.md -------------------------------------------------------

INGE = CallerProfile(
    caller_role="member", age=70, sex="female", diagnosis="osteoporosis", t_score=-3.0,
    fractures=[Fracture.in_month("vertebral", 2025, 11)],  # "about a year ago"
    activity_level="everyday_active",
)
# Hanne as the advisor records her once the script's questions are answered: no falls, no pain (she runs
# several times a week). Falls and pain not yet asked count as possibly present and hold back impact
# (GUIDANCE.md, 4 December 2026): test_hanne_is_asked_about_falls_and_pain_before_hops.
HANNE = CallerProfile(
    caller_role="member", age=55, sex="female", diagnosis="osteoporosis", t_score=-2.6, fractures=[],
    activity_level="training_active", topics={"running", "strength_training"}, falls_last_year=0, pain="none",
)
HENRIK = CallerProfile(
    caller_role="member", age=75, sex="male",
    fractures=[Fracture.weeks_ago("vertebral", 3, today=CALL_DATE)],  # "a few weeks ago"
    pain="severe", activity_level="everyday_active",
)

PERSONAS = [
    pytest.param(
        INGE, "everyday_active_with_fracture", {"high_fracture_risk", "very_low_t_score"},
        {
            "everyday-fx-balance-strength": ["balance", "styrke"],
            "everyday-fx-continue": ["trygt fortsætte"],
            "everyday-fx-vary": ["Varier dine daglige aktiviteter"],
            "technique-straight-back": ["god teknik og ret ryg"],
            "avoid-forceful-flexion": ["kraftfuld eller overdreven sammenkrumning"],
        },
        id="Inge",
    ),
    pytest.param(
        HANNE, "training_active_no_fracture", set(),
        {
            "training-keep-level": ["høje træningsniveau"],
            "questions-training-exercises": ["øvelser", "teknikken"],
            "training-technique-physio": ["gennemgå dine øvelser"],
            "training-straight-back-bracing": ["ret ryg og god opspænding"],
            "avoid-forceful-flexion": ["kraftfuld eller overdreven sammenkrumning"],
            "guidance-exercise-is-safe": ["sikkert"],
        },
        id="Hanne",
    ),
    pytest.param(
        HENRIK, "acute_vertebral_fracture", {"healing_phase", "high_fracture_risk"},
        {
            "acute-healing-phase": ["helingsfasen", "tre måneder"],
            "acute-avoid-lifting-flexion": ["undgå løft", "krumme ryggen"],
            "acute-pain-relief": ["hvile og rolig bevægelse", "egen læge"],
            "acute-resume-daily": ["daglige gøremål", "variation", "aflaster bruddet"],
            "closing-follow-up-healing": ["helingsfasen er ovre"],
        },
        id="Henrik",
    ),
]


@pytest.mark.parametrize(("profile", "group", "flags", "must_say"), PERSONAS)
def test_persona_cases(profile, group, flags, must_say):
    script = build_script(profile, today=CALL_DATE)
    assert script.group == group
    assert flags <= script.flags
    by_id = {block.id: block for block in script.blocks}
    for block_id, phrases in must_say.items():
        assert block_id in by_id, f"{block_id} missing"
        for phrase in phrases:
            assert phrase in by_id[block_id].text, f"{block_id}: {phrase!r} not said"
    english = build_script(profile, today=CALL_DATE, lang="en")
    assert english.block_ids == script.block_ids
    assert text_of(english) != text_of(script)


def test_persona_follow_up_dates():
    assert build_script(HENRIK, today=CALL_DATE).follow_up_on == date(2027, 1, 28)  # fracture + 12 weeks
    assert build_script(INGE, today=CALL_DATE).follow_up_on is None
    assert build_script(HANNE, today=CALL_DATE).follow_up_on is None


def test_hanne_is_asked_about_falls_and_pain_before_hops():
    asked_first = HANNE.model_copy(update={"falls_last_year": None, "pain": None})
    script = build_script(asked_first, today=CALL_DATE)
    assert {"questions-falls-unknown", "questions-pain-unknown"} <= set(script.block_ids)
    assert "impact" not in tags_of(script)
    assert any("fald ikke spurgt endnu" in reason and "smerter ikke spurgt endnu" in reason
               for reason in script.reasons)


def test_persona_impact_levels():
    assert "impact" in tags_of(build_script(HANNE, today=CALL_DATE))
    inge = tags_of(build_script(INGE, today=CALL_DATE))
    assert "impact" not in inge and "impact_low" in inge
    assert "impact" not in tags_of(build_script(HENRIK, today=CALL_DATE))


def test_persona_danish_text_for_the_healing_phase_and_balance():
    assert "helingsfase" in text_of(build_script(HENRIK, today=CALL_DATE))
    assert "ret ryg" in text_of(build_script(INGE, today=CALL_DATE))
    assert "balance" in text_of(build_script(INGE, today=CALL_DATE))


# --- table-driven profiles: all six groups and the boundaries --------------------------------------


def weeks(site, n, low_energy=True):
    return Fracture.weeks_ago(site, n, today=CALL_DATE, low_energy=low_energy)


def days(site, n, low_energy=True):
    return Fracture(site=site, occurred_on=CALL_DATE - timedelta(days=n), low_energy=low_energy)


EVERYDAY = {"activity_level": "everyday_active", "fractures": []}
# What must be known before impact may be advised (GUIDANCE.md, 4 December 2026): falls, pain, a walking aid.
ANSWERED = {"falls_last_year": 0, "pain": "none", "walking_aid": False, "fear_of_falling": False}
CASES = [
    # (id, profile fields, group, flags present, flags absent, blocks present, blocks absent)
    ("vertebral-11-weeks", {**EVERYDAY, "fractures": [weeks("vertebral", 11)]}, "acute_vertebral_fracture",
     {"healing_phase", "high_fracture_risk", "recent_fracture"}, set(), {"acute-healing-phase"}, {"theme-intro"}),
    ("vertebral-13-weeks", {**EVERYDAY, "fractures": [weeks("vertebral", 13)]}, "everyday_active_with_fracture",
     {"high_fracture_risk"}, {"healing_phase"}, {"theme-staerk-walking-level"}, {"acute-healing-phase"}),
    ("vertebral-83-days", {**EVERYDAY, "fractures": [days("vertebral", 83)]}, "acute_vertebral_fracture",
     {"healing_phase"}, set(), set(), set()),
    ("vertebral-84-days-healing-over", {**EVERYDAY, "fractures": [days("vertebral", 84)]},
     "everyday_active_with_fracture", set(), {"healing_phase"}, set(), set()),
    ("t-2.4", {**EVERYDAY, "t_score": -2.4, "diagnosis": "osteopenia"}, "everyday_active_no_fracture",
     {"t_score_osteopenia"}, {"t_score_osteoporosis", "very_low_t_score"},
     {"guidance-t-score-osteopenia"}, {"guidance-t-score-osteoporosis"}),
    ("t-2.5", {**EVERYDAY, "t_score": -2.5}, "everyday_active_no_fracture",
     {"t_score_osteoporosis"}, {"t_score_osteopenia"}, set(), set()),
    ("t-2.6", {**EVERYDAY, "t_score": -2.6}, "everyday_active_no_fracture",
     {"t_score_osteoporosis"}, {"t_score_osteopenia", "very_low_t_score"},
     {"guidance-t-score-osteoporosis"}, {"guidance-t-score-osteopenia", "guidance-very-low-t-score"}),
    ("t-2.9", {**EVERYDAY, "t_score": -2.9}, "everyday_active_no_fracture", set(), {"very_low_t_score"},
     set(), {"guidance-very-low-t-score"}),
    ("t-3.0", {**EVERYDAY, "t_score": -3.0}, "everyday_active_no_fracture", {"very_low_t_score"}, set(),
     {"guidance-very-low-t-score", "referral-physio-strongly"}, set()),
    ("t-normal", {**EVERYDAY, **ANSWERED, "t_score": -0.5}, "everyday_active_no_fracture", set(),
     {"t_score_osteopenia", "t_score_osteoporosis"}, {"theme-staerk-full"}, set()),
    ("function-limited", {"activity_level": "function_limited", "fractures": []}, "function_limited", set(),
     {"high_fracture_risk"}, {"limited-start-where-you-are", "theme-stabil-first", "theme-staerk-gentle",
                              "referral-physio-strongly"}, {"theme-stabil", "myth-too-late"}),
    ("function-limited-old-vertebral", {"activity_level": "function_limited",
                                        "fractures": [Fracture.in_month("vertebral", 2023, 5)]},
     "function_limited", {"high_fracture_risk"}, {"healing_phase"}, {"theme-staerk-gentle"}, set()),
    ("function-limited-acute-overrides", {"activity_level": "function_limited", "fractures": [weeks("vertebral", 4)]},
     "acute_vertebral_fracture", {"healing_phase"}, set(), {"acute-healing-phase"}, {"limited-start-where-you-are"}),
    ("training-no-fracture", {"activity_level": "training_active", "fractures": [], **ANSWERED}, "training_active_no_fracture",
     set(), {"high_fracture_risk"}, {"theme-staerk-full", "training-keep-level"}, {"theme-staerk-walking-level"}),
    # One healed wrist fracture alone does not limit impact (SSS); the library says the same.
    ("training-old-wrist", {"activity_level": "training_active", **ANSWERED,
                            "fractures": [Fracture.in_month("wrist", 2022, 3)]},
     "training_active_with_fracture", set(), {"high_fracture_risk", "recent_fracture", "impact_limited"},
     {"training-fx-adapt", "theme-staerk-after-healed-fracture", "referral-physio-strongly", "technique-straight-back"},
     {"theme-staerk-full", "theme-staerk-walking-level"}),
    ("everyday-old-wrist", {**EVERYDAY, **ANSWERED, "fractures": [Fracture.in_month("wrist", 2021, 9)]},
     "everyday_active_with_fracture", set(), {"impact_limited"}, {"theme-staerk-after-healed-fracture"},
     {"theme-staerk-walking-level"}),
    ("training-two-wrists", {"activity_level": "training_active",
                             "fractures": [Fracture.in_month("wrist", 2020, 1), Fracture.in_month("wrist", 2023, 1)]},
     "training_active_with_fracture", {"high_fracture_risk", "impact_limited"}, set(), {"theme-staerk-walking-level"},
     {"theme-staerk-after-healed-fracture"}),
    ("high-energy-hip", {**EVERYDAY, "fractures": [Fracture.in_month("hip", 2019, 6, low_energy=False)]},
     "everyday_active_no_fracture", {"high_fracture_risk"}, set(), {"theme-staerk-walking-level"},
     {"theme-staerk-full"}),
    ("high-energy-wrist", {**EVERYDAY, **ANSWERED, "fractures": [Fracture.in_month("wrist", 2019, 6, low_energy=False)]},
     "everyday_active_no_fracture", set(), {"high_fracture_risk"}, {"theme-staerk-full"}, set()),
    ("high-energy-wrist-4-weeks", {**EVERYDAY, "fractures": [weeks("wrist", 4, low_energy=False)]},
     "everyday_active_no_fracture", {"other_fracture_healing"}, {"recent_fracture"},
     # A fracture still healing: no Stærk programme yet, the themes wait (clinical review F15).
     {"guidance-other-fracture-healing", "theme-after-fracture-healing"}, {"theme-staerk-full", "theme-staerk-walking-level"}),
    ("wrist-5-months", {**EVERYDAY, "fractures": [Fracture.in_month("wrist", 2026, 7)]},
     "everyday_active_with_fracture", {"recent_fracture"}, {"other_fracture_healing", "high_fracture_risk"},
     {"referral-recent-fracture", "everyday-fx-continue"}, set()),
    ("wrist-7-months", {**EVERYDAY, "fractures": [Fracture.in_month("wrist", 2026, 4)]},
     "everyday_active_with_fracture", set(), {"recent_fracture"}, set(), {"referral-recent-fracture"}),
    ("one-fall", {**EVERYDAY, "falls_last_year": 1}, "everyday_active_no_fracture", {"fall_risk"},
     {"several_falls"}, {"theme-stabil-first"}, {"theme-stabil", "referral-several-falls"}),
    ("two-falls", {**EVERYDAY, "falls_last_year": 2}, "everyday_active_no_fracture", {"fall_risk", "several_falls"},
     set(), {"referral-several-falls"}, set()),
    # Fear of moving is not fear of falling: only falls and fear of falling set the fall-risk flag.
    ("afraid-to-move", {**EVERYDAY, "fear_of_movement": True}, "everyday_active_no_fracture", set(), {"fall_risk"},
     {"guidance-fear-of-moving", "theme-stabil"}, {"theme-stabil-first", "guidance-fear-of-falling"}),
    ("afraid-to-fall", {**EVERYDAY, "fear_of_falling": True}, "everyday_active_no_fracture", {"fall_risk"}, set(),
     {"guidance-fear-of-falling", "theme-stabil-first"}, {"guidance-fear-of-moving", "theme-stabil"}),
    ("fractures-unknown", {"activity_level": "everyday_active"}, "everyday_active_no_fracture",
     {"fracture_history_unknown", "impact_limited"}, set(),
     {"questions-fractures-unknown", "guidance-fractures-unknown-safe", "theme-staerk-unknown"},
     {"theme-staerk-full", "theme-staerk-walking-level"}),
    ("vertebral-date-unknown", {**EVERYDAY, "fractures": [Fracture.date_unknown("vertebral")]},
     "acute_vertebral_fracture", {"healing_phase", "fracture_date_unknown", "impact_limited"}, set(),
     {"questions-fracture-date-unknown", "acute-healing-phase-date-unknown", "acute-avoid-lifting-flexion"},
     {"acute-healing-phase"}),
    ("wrist-date-unknown", {**EVERYDAY, "fractures": [Fracture.date_unknown("wrist")]},
     "everyday_active_with_fracture", {"other_fracture_healing", "fracture_date_unknown", "impact_limited"}, set(),
     {"questions-fracture-date-unknown", "guidance-fracture-date-unknown", "theme-after-fracture-healing"},
     {"guidance-other-fracture-healing", "everyday-fx-continue", "theme-staerk-after-healed-fracture",
      "theme-staerk-walking-level", "technique-straight-back"}),
    ("hip-8-weeks", {**EVERYDAY, "fractures": [weeks("hip", 8)]}, "everyday_active_with_fracture",
     {"recent_hip_fracture", "other_fracture_healing", "high_fracture_risk"}, set(),
     {"guidance-hip-fracture-rehab"}, {"everyday-fx-continue"}),
    ("osteopenia-and-vertebral", {**EVERYDAY, "t_score": -1.8, "fractures": [Fracture.in_month("vertebral", 2024, 2)]},
     "everyday_active_with_fracture", {"t_score_osteopenia"}, set(),
     {"guidance-fragility-fracture-means-osteoporosis"}, {"guidance-t-score-osteopenia"}),
    ("osteopenia-and-high-energy-vertebral",
     {**EVERYDAY, "t_score": -1.8, "diagnosis": "osteopenia",
      "fractures": [Fracture.in_month("vertebral", 2024, 2, low_energy=False)]},
     "everyday_active_no_fracture", {"t_score_osteopenia"}, set(),
     {"guidance-t-score-osteopenia"}, {"guidance-fragility-fracture-means-osteoporosis"}),
    ("new-wrist-no-diagnosis", {**EVERYDAY, "fractures": [weeks("wrist", 20)]}, "everyday_active_with_fracture",
     {"recent_fracture"}, set(), {"guidance-new-fracture-ask-dxa"}, set()),
    ("new-wrist-diagnosed", {**EVERYDAY, "diagnosis": "osteoporosis", "fractures": [weeks("wrist", 20)]},
     "everyday_active_with_fracture", {"recent_fracture"}, set(), set(), {"guidance-new-fracture-ask-dxa"}),
    ("walker", {**EVERYDAY, "walking_aid": True}, "everyday_active_no_fracture", {"impact_limited"}, set(),
     {"theme-stabil-first", "referral-municipal-training", "theme-staerk-walking-level"}, {"theme-staerk-full"}),
    ("in-physiotherapy", {**EVERYDAY, "in_physiotherapy": True}, "everyday_active_no_fracture", set(), set(),
     {"referral-already-physio"}, {"referral-gp-physio", "questions-physio-unknown"}),
    ("acute-lifting-and-running", {**EVERYDAY, "fractures": [weeks("vertebral", 2)], "topics": {"lifting", "running"}},
     "acute_vertebral_fracture", set(), set(), {"topic-lifting-healing"},
     {"topic-lifting-myth", "topic-running", "topic-running-careful"}),
    ("future-fracture-date-counts-as-now", {**EVERYDAY, "fractures": [Fracture.in_month("vertebral", 2027, 2)]},
     "acute_vertebral_fracture", {"healing_phase"}, set(), set(), set()),
    # Osteopenia range, but the diagnosis not asked: never "not osteoporosis" (it may be a treated osteoporosis).
    ("t-2.4-diagnosis-unknown", {**EVERYDAY, "t_score": -2.4}, "everyday_active_no_fracture", {"t_score_osteopenia"},
     set(), {"guidance-t-score-osteopenia-open"}, {"guidance-t-score-osteopenia"}),
    # Unknown falls, pain or walking aid hold back impact until asked (GUIDANCE.md, 4 December 2026).
    ("falls-unknown", {**EVERYDAY, **ANSWERED, "falls_last_year": None}, "everyday_active_no_fracture",
     {"impact_limited"}, set(), {"questions-falls-unknown", "theme-staerk-walking-level"}, {"theme-staerk-full"}),
    ("new-severe-pain", {**EVERYDAY, **ANSWERED, "pain": "severe"}, "everyday_active_no_fracture",
     {"impact_limited"}, set(), {"safety-severe-pain", "theme-staerk-walking-level"}, {"theme-staerk-full"}),
    ("walking-aid-unknown", {**EVERYDAY, **ANSWERED, "walking_aid": None}, "everyday_active_no_fracture",
     {"impact_limited"}, set(), {"questions-walking-aid-unknown"}, {"theme-staerk-full"}),
    ("aged-80", {**EVERYDAY, "age": 80}, "everyday_active_no_fracture", set(), set(), {"myth-too-late"}, set()),
    ("aged-60", {**EVERYDAY, "age": 60}, "everyday_active_no_fracture", set(), set(), set(), {"myth-too-late"}),
]


@pytest.mark.parametrize(
    ("fields", "group", "flags_in", "flags_out", "blocks_in", "blocks_out"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_profiles(fields, group, flags_in, flags_out, blocks_in, blocks_out):
    script = build_script(CallerProfile(**fields), today=CALL_DATE)
    assert script.group == group
    assert flags_in <= script.flags
    assert not flags_out & script.flags
    assert blocks_in <= set(script.block_ids)
    assert not blocks_out & set(script.block_ids)


def test_the_cases_cover_all_six_groups():
    groups = {build_script(CallerProfile(**case[1]), today=CALL_DATE).group for case in CASES}
    assert groups == set(GROUPS)


def test_follow_up_is_the_end_of_the_healing_phase():
    fracture_day = date(2026, 10, 1)
    profile = CallerProfile(activity_level="training_active",
                            fractures=[Fracture(site="vertebral", occurred_on=fracture_day),
                                       Fracture(site="vertebral", occurred_on=date(2026, 9, 1))])
    assert build_script(profile, today=CALL_DATE).follow_up_on == fracture_day + timedelta(weeks=12)


@pytest.mark.parametrize(
    ("topics", "slugs"),
    [
        ({"lifting"}, {"myth-max-5-kg", "faq-lifting-technique"}),
        ({"yoga"}, {"myth-yoga-dangerous"}),
        ({"running"}, {"faq-running"}),
        ({"medication"}, {"faq-medication"}),
        ({"pain"}, {"myth-osteoporosis-hurts"}),
        ({"balance"}, {"faq-balance-fall-prevention"}),
        ({"posture"}, {"faq-back-extensors"}),
    ],
)
def test_topics_offer_library_entries(topics, slugs):
    # Full load (nothing speaks against impact): every entry as it is.
    script = build_script(CallerProfile(**EVERYDAY, **ANSWERED, topics=topics), today=CALL_DATE)
    assert slugs <= set(script.library_slugs)
    assert len(script.library_slugs) == len(set(script.library_slugs))


def test_lifting_myth_is_offered_in_the_healing_phase_too():
    profile = CallerProfile(**{**EVERYDAY, "fractures": [weeks("vertebral", 2)]}, topics={"lifting", "yoga"})
    slugs = build_script(profile, today=CALL_DATE).library_slugs
    assert "myth-max-5-kg" in slugs and "myth-yoga-dangerous" in slugs


def test_medication_is_referred_to_the_gp():
    script = build_script(CallerProfile(**EVERYDAY, topics={"medication"}), today=CALL_DATE)
    block = next(block for block in script.blocks if block.id == "medication-ask-gp")
    assert "egen læge" in block.text


def test_script_shape_and_content_version():
    script = build_script(INGE, today=CALL_DATE)
    assert script.sections[0] == "safety" and script.sections[-2:] == ("referral", "closing")
    assert script.content_version == script_content().version == content_version()
    assert len(script.content_version) == 12
    snapshot = script.model_dump(mode="json")
    assert snapshot["flags"] == sorted(script.flags)
    assert CallScript.model_validate(snapshot) == script
    by_id = {block.id: block for block in script_content().blocks}
    assert all(block.review_status == by_id[block.id].review_status for block in script.blocks)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        build_script(INGE, today=CALL_DATE, lang="de")
    with pytest.raises(ValueError):
        labels("group", "sv")


# --- labels and the red-flag screen ---------------------------------------------------------------


def test_red_flags_screen():
    screen = red_flags("da")
    assert [flag.id for flag in screen] == [
        "sudden_severe_back_pain", "height_loss_or_stoop", "leg_weakness_or_bladder_bowel",
        "cannot_bear_weight_after_fall", "weight_loss_fever_night_pain_cancer",
    ]
    by_id = {flag.id: flag for flag in script_content().red_flags}
    assert all(flag.question.endswith("?") and flag.review_status == by_id[flag.id].review_status
               for flag in screen)
    assert [flag.question for flag in red_flags("en")] != [flag.question for flag in screen]


def test_dispositions_most_urgent_first():
    found = dispositions("da")
    assert [d.id for d in found] == ["emergency_112", "out_of_hours", "gp_prompt", "gp_today", "gp"]
    out_of_hours = found[1]
    assert "lægevagten" in out_of_hours.say and "1813" in out_of_hours.say
    by_id = {d.id: d for d in script_content().dispositions}
    assert all(d.review_status == by_id[d.id].review_status and d.label and d.say for d in found)
    assert "112" in dispositions("en")[0].label


@pytest.mark.parametrize(
    ("answered", "expected"),
    [
        ([], None),
        (["height_loss_or_stoop"], "gp"),
        (["sudden_severe_back_pain"], "gp_prompt"),
        (["height_loss_or_stoop", "sudden_severe_back_pain"], "gp_prompt"),
        (["leg_weakness_or_bladder_bowel", "weight_loss_fever_night_pain_cancer"], "out_of_hours"),
        (["sudden_severe_back_pain", "cannot_bear_weight_after_fall", "leg_weakness_or_bladder_bowel"],
         "emergency_112"),
    ],
)
def test_most_urgent_disposition(answered, expected):
    assert most_urgent_disposition(answered) == expected


def test_most_urgent_disposition_refuses_unknown_flags():
    with pytest.raises(KeyError):
        most_urgent_disposition(["chest_pain"])


def test_a_profile_without_activity_level_cannot_reach_the_script():
    with pytest.raises(ValidationError) as info:
        build_script(CallerProfile.model_validate({"age": 70, "fractures": []}), today=CALL_DATE)
    assert profile_problems(info.value) == {"activity_level": [FieldProblem("activity_level", "missing")]}
