"""The script content files: complete, cited, safe, and rejected loudly when broken."""

import re
import shutil
from pathlib import Path

import pytest
import yaml

from advisory.content import ContentError, load_source_keys
from advisory.rules import AllOf, AnyOf, Compare, Not
from advisory.script.content import (
    FACT_KINDS,
    SCRIPTS_DIR,
    SECTIONS,
    content_version,
    load_script_content,
    script_content,
)

# The library entries the library helper guarantees; the script may offer only these.
REQUIRED_SLUGS = {
    "myth-max-5-kg", "myth-yoga-dangerous", "myth-exercise-dangerous", "myth-walking-enough",
    "myth-bed-rest-after-fracture", "myth-too-late-to-train", "myth-never-jump", "myth-osteoporosis-hurts",
    "faq-what-may-i-do", "faq-what-can-i-do-myself", "faq-strong-steady-straight", "faq-healing-phase",
    "faq-referral-physio", "faq-find-specialist-physio", "faq-t-score", "faq-lifting-technique", "faq-running",
    "faq-ball-games", "faq-balance-fall-prevention", "faq-back-extensors", "faq-pain-after-fracture",
    "faq-is-training-safe", "faq-daily-activities", "faq-advice-line", "faq-medication", "faq-cycling",
    "faq-strength-training", "faq-after-hip-fracture", "faq-osteopenia", "faq-fear-of-falling",
    "faq-training-with-earlier-fracture", "faq-what-physio-can-help",
    "faq-balance-with-walker",  # offered instead of unsupported balance (offers.yaml)
    "faq-relative-how-to-help", "faq-relative-gp-visit",  # offered to relatives in their own voice
}
# Dosing text: an amount with a unit, or words that prescribe a dose.
DOSING = re.compile(r"\d+\s*(mg|mikrogram|µg|mcg|ie|iu|ml|tablet|pille|kapsel)|dosis|doser|dosering|dose\b|dosage",
                    re.IGNORECASE)
THEMES = {"staerk", "stabil", "strakt"}


def test_bundled_content_loads_with_only_the_guaranteed_library_slugs():
    content = load_script_content(known_slugs=REQUIRED_SLUGS)
    referenced = {slug for block in content.blocks for slug in block.library}
    assert referenced <= REQUIRED_SLUGS
    assert {"myth-max-5-kg", "myth-yoga-dangerous", "faq-medication"} <= referenced


def test_bundled_content_loads_against_the_bundled_library():
    assert script_content().blocks


@pytest.mark.parametrize("block", script_content().blocks, ids=lambda block: block.id)
def test_every_block_is_complete_and_cited(block):
    sources = set(load_source_keys())
    assert block.da.strip() and block.en.strip()
    assert block.da.strip() != block.en.strip()
    assert block.sources and set(block.sources) <= sources
    assert not DOSING.search(block.da) and not DOSING.search(block.en)
    if block.section == "themes":
        assert THEMES & set(block.tags), "theme blocks carry staerk/stabil/strakt"
    if "impact" in block.tags:
        assert block.condition is not None, "impact advice is never unconditional"


def _facts_used(condition) -> set[str]:
    if condition is None:
        return set()
    if isinstance(condition, AllOf | AnyOf):
        return set().union(*(_facts_used(part) for part in (condition.all if isinstance(condition, AllOf)
                                                             else condition.any)))
    if isinstance(condition, Not):
        return _facts_used(condition.not_)
    return {condition.fact} if isinstance(condition, Compare) else set()


def test_every_condition_references_known_facts():
    used = set().union(*(_facts_used(block.condition) for block in script_content().blocks))
    assert used and used <= set(FACT_KINDS)


def test_every_section_has_content_and_safety_comes_first():
    blocks = script_content().blocks
    assert {block.section for block in blocks} == set(SECTIONS)
    order = [SECTIONS.index(block.section) for block in blocks]
    assert order == sorted(order)


def test_thresholds_hold_the_values_of_the_brief():
    thresholds = script_content().thresholds
    assert thresholds.healing_phase_weeks.value == 12 and thresholds.recent_fracture_months.value == 6
    assert thresholds.very_low_t_score.value == -3.0 and thresholds.osteoporosis_t_score.value == -2.5
    assert thresholds.several_falls.value == 2


def _approved_only_with_sign_off(item) -> bool:
    return item.review_status != "approved" or bool(item.signed_off_by)


def test_thresholds_and_the_red_flag_screen_are_approved_only_with_the_clinical_leads_sign_off():
    content = script_content()
    thresholds = [getattr(content.thresholds, name) for name in type(content.thresholds).model_fields]
    for item in [*thresholds, *content.red_flags, *content.dispositions]:
        assert item.needs_sign_off()
        assert _approved_only_with_sign_off(item)


# Training advice with a fracture or in the healing phase, the frail balance blocks and impact after a
# healed fracture need the clinical lead (GUIDANCE.md [clinical sign-off]; issue 11). They stay marked when
# approved: approving one means setting review_status: approved and signed_off_by in its file.
NEEDS_CLINICAL_SIGN_OFF = {
    "training-fx-adapt", "acute-physio-programme", "theme-staerk-full", "theme-staerk-after-healed-fracture",
    "topic-running", "topic-running-careful", "theme-stabil-first", "guidance-other-fracture-healing",
    "guidance-fracture-date-unknown", "referral-municipal-training", "professional-impact-and-flexion",
    "professional-acute-vertebral",
}


@pytest.mark.parametrize("block_id", sorted(NEEDS_CLINICAL_SIGN_OFF))
def test_advice_flagged_for_clinical_sign_off_is_marked_and_approved_only_when_signed(block_id):
    block = next(block for block in script_content().blocks if block.id == block_id)
    assert block.needs_sign_off()
    assert _approved_only_with_sign_off(block)


def test_an_approved_block_with_the_leads_name_loads_as_approved(scripts):
    edit(scripts / "themes.yaml",
         lambda d: block(d, "theme-staerk-full").update(review_status="approved", signed_off_by="Klinisk leder"))
    content = load_script_content(known_slugs=REQUIRED_SLUGS, directory=scripts)
    approved = next(item for item in content.blocks if item.id == "theme-staerk-full")
    assert approved.review_status == "approved" and approved.signed_off_by == "Klinisk leder"


def test_content_version_is_stable():
    assert content_version() == content_version() == load_script_content(known_slugs=REQUIRED_SLUGS).version


# --- broken content is rejected with the file and the id -----------------------------------------


@pytest.fixture
def scripts(tmp_path) -> Path:
    target = tmp_path / "scripts"
    shutil.copytree(SCRIPTS_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def block(data, block_id):
    return next(item for item in data["blocks"] if item["id"] == block_id)


BROKEN = [
    ("unknown-source", "closing.yaml", lambda d: block(d, "closing-call-again").update(sources=["WIKIPEDIA"]),
     "closing.yaml: block closing-call-again: unknown source WIKIPEDIA"),
    ("unknown-slug", "closing.yaml", lambda d: block(d, "closing-call-again").update(library=["faq-nonexistent"]),
     "closing.yaml: block closing-call-again: unknown library slug faq-nonexistent"),
    ("unknown-tag", "themes.yaml", lambda d: block(d, "theme-staerk-full").update(tags=["staerk", "impcat"]),
     "themes.yaml: block theme-staerk-full: tags.1: Input should be 'impact'"),
    ("both-impact-tags", "themes.yaml", lambda d: block(d, "theme-staerk-full").update(tags=["impact", "impact_low"]),
     "themes.yaml: block theme-staerk-full: a block is either"),
    ("unknown-flag", "guidance.yaml", lambda d: block(d, "guidance-very-low-t-score").update(condition={"flag": "low_t"}),
     "guidance.yaml: block guidance-very-low-t-score: condition: unknown flag low_t"),
    ("unknown-fact", "guidance.yaml",
     lambda d: block(d, "guidance-very-low-t-score").update(condition={"fact": "bmi", "gt": 30}),
     "guidance.yaml: block guidance-very-low-t-score: condition: unknown fact bmi"),
    ("bad-enum-value", "safety.yaml",
     lambda d: block(d, "safety-severe-pain").update(condition={"fact": "pain", "eq": "stærk"}),
     "safety.yaml: block safety-severe-pain: condition: fact pain has no value"),
    ("extra-key", "myths.yaml", lambda d: block(d, "myth-walking").update(priority=1),
     "myths.yaml: block myth-walking: priority: Extra inputs are not permitted"),
    ("missing-english", "myths.yaml", lambda d: block(d, "myth-walking").pop("en"),
     "myths.yaml: block myth-walking: en: Field required"),
    ("unknown-section", "myths.yaml", lambda d: block(d, "myth-walking").update(section="faq"),
     "myths.yaml: block myth-walking: section"),
    ("bad-review-status", "myths.yaml", lambda d: block(d, "myth-walking").update(review_status="ok"),
     "myths.yaml: block myth-walking: review_status"),
    ("approved-without-sign-off", "themes.yaml",
     lambda d: block(d, "theme-staerk-full").update(review_status="approved"),
     "themes.yaml: block theme-staerk-full: Value error, approved without the clinical lead's sign-off"),
    ("threshold-approved-without-sign-off", "thresholds.yaml",
     lambda d: d["thresholds"]["healing_phase_weeks"].update(review_status="approved"),
     "approved without the clinical lead's sign-off"),
    ("red-flag-approved-without-sign-off", "red_flags.yaml",
     lambda d: d["red_flags"][0].update(review_status="approved"),
     "approved without the clinical lead's sign-off"),
    ("duplicate-id", "myths.yaml", lambda d: block(d, "myth-walking").update(id="closing-call-again"),
     "myths.yaml: block closing-call-again: id already used in closing.yaml"),
    ("conditional-closing", "closing.yaml",
     lambda d: block(d, "closing-call-again").update(condition={"topic": "referral"}),
     "section closing needs a block without a condition"),
    ("no-medication-block", "topics.yaml",
     lambda d: d.update(blocks=[b for b in d["blocks"] if b["id"] != "medication-ask-gp"]),
     "block medication-ask-gp is missing"),
    ("missing-threshold", "thresholds.yaml", lambda d: d["thresholds"].pop("several_falls"),
     "thresholds.yaml: thresholds.several_falls: Field required"),
    ("fractional-weeks", "thresholds.yaml", lambda d: d["thresholds"]["healing_phase_weeks"].update(value=11.5),
     "thresholds.yaml: threshold healing_phase_weeks: weeks must be a positive whole number"),
    ("placeholder-in-member-text", "myths.yaml", lambda d: block(d, "myth-walking").update(da="Hej {person}"),
     "myths.yaml: block myth-walking: da uses unknown placeholder(s) ['person']"),
    ("unknown-placeholder", "myths.yaml",
     lambda d: block(d, "myth-walking").update(third_person={"da": "Hej {navn}", "en": "Hi {person}"}),
     "myths.yaml: block myth-walking: third_person.da uses unknown placeholder(s) ['navn']"),
    ("missing-relation", "audience.yaml", lambda d: d["relative"].pop("father"),
     "audience.yaml: relative: missing relation(s) ['father']"),
    ("disposition-not-in-vocabulary", "red_flags.yaml", lambda d: d["dispositions"][3].update(id="pharmacy"),
     "differ from the vocabulary"),
    ("unknown-disposition", "red_flags.yaml", lambda d: d["red_flags"][0].update(disposition="pharmacy"),
     "red_flags.yaml: red flag sudden_severe_back_pain: unknown disposition pharmacy"),
    ("same-urgency", "red_flags.yaml", lambda d: d["dispositions"][1].update(urgency=1),
     "two dispositions share an urgency"),
]


@pytest.mark.parametrize(("file", "change", "message"), [pytest.param(*case[1:], id=case[0]) for case in BROKEN])
def test_broken_content_names_the_file_and_the_id(scripts, file, change, message):
    edit(scripts / file, change)
    with pytest.raises(ContentError) as info:
        load_script_content(known_slugs=REQUIRED_SLUGS, directory=scripts)
    assert message in str(info.value)


def test_invalid_yaml_names_the_file(scripts):
    (scripts / "myths.yaml").write_text("blocks: [\n", encoding="utf-8")
    with pytest.raises(ContentError, match="myths.yaml: not valid YAML"):
        load_script_content(known_slugs=REQUIRED_SLUGS, directory=scripts)


def test_a_missing_special_file_is_named(scripts):
    (scripts / "red_flags.yaml").unlink()
    with pytest.raises(ContentError, match="red_flags.yaml: missing"):
        load_script_content(known_slugs=REQUIRED_SLUGS, directory=scripts)


def test_content_version_follows_the_files(scripts):
    before = content_version(scripts)
    edit(scripts / "closing.yaml", lambda d: block(d, "closing-call-again").update(da="Ring endelig igen."))
    assert content_version(scripts) != before


# --- issue 11: impact is tagged, everyone is spoken to as who they are ---------------------------------

IMPACT_WORDS = re.compile(r"\b(hop\w*|hink\w*|løb|løbe|løber|løbeture?|stød|spring ned)\b", re.IGNORECASE)
SECOND_PERSON = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)
LIMITING_TAGS = {"impact", "impact_low", "healing_phase"}


@pytest.mark.parametrize("block", script_content().blocks, ids=lambda block: block.id)
def test_every_block_that_speaks_of_impact_carries_an_impact_tag(block):
    # A block that names jumps, hops, running or impact either recommends it (`impact`) or limits it
    # (`impact_low`, `healing_phase`), so "no impact block while ..." stays checkable.
    if IMPACT_WORDS.search(block.da):
        assert LIMITING_TAGS & set(block.tags), block.da


@pytest.mark.parametrize("block", [b for b in script_content().blocks if "relative" in b.audience
                                   and "member" in b.audience], ids=lambda block: block.id)
def test_every_block_said_to_relatives_speaks_of_the_person_in_the_third_person(block):
    assert block.third_person is not None, "a relative hears about the person they call for"
    if SECOND_PERSON.search(block.da):  # the member text says "you": the third-person text must not repeat it
        assert block.third_person.da != block.da
